namespace HpcJobs.Core.Processes;

/// <summary>
/// Runs the named programs from one folder instead of $PATH: a scheduler installed outside PATH (OpenPBS in
/// $PBS_EXEC/bin, as /etc/pbs.conf says) or shadowed by another's commands of the same names. <paramref name="environment"/>
/// is set for every command run (Grid Engine's programs need SGE_ROOT and SGE_CELL, which its PATH wrappers set).
/// </summary>
public sealed class CommandDirectoryRunner(
    IProcessRunner inner,
    string directory,
    IReadOnlySet<string> programs,
    IReadOnlyDictionary<string, string?>? environment = null
) : IProcessRunner
{
    public string Directory => directory;

    public string? Machine => inner.Machine;

    /// <summary>The program's path in the folder: with '/' on a remote (POSIX) cluster whatever this machine uses.</summary>
    private string InDirectory(string program) =>
        inner.Location is null ? Path.Combine(directory, program) : directory.TrimEnd('/') + "/" + program;

    public string? Location => inner.Location;

    public Task<bool> HasProgramAsync(string program, CancellationToken cancellationToken = default) =>
        inner.HasProgramAsync(programs.Contains(program) ? InDirectory(program) : program, cancellationToken);

    public Task<ProcessResult> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        ProcessOptions? options = null,
        CancellationToken cancellationToken = default
    ) =>
        inner.RunAsync(
            programs.Contains(program) ? InDirectory(program) : program,
            arguments,
            environment is null ? options : WithEnvironment(options ?? new ProcessOptions()),
            cancellationToken
        );

    private ProcessOptions WithEnvironment(ProcessOptions options)
    {
        var merged = new Dictionary<string, string?>(environment!);
        foreach (var (key, value) in options.Environment ?? new Dictionary<string, string?>())
            merged[key] = value;
        return options with { Environment = merged };
    }
}
