namespace HpcJobs.Core.Processes;

/// <summary>
/// Runs the named programs from one folder instead of $PATH: a scheduler installed outside PATH (OpenPBS in
/// $PBS_EXEC/bin, as /etc/pbs.conf says) or shadowed by another's commands of the same names.
/// </summary>
public sealed class CommandDirectoryRunner(IProcessRunner inner, string directory, IReadOnlySet<string> programs)
    : IProcessRunner
{
    public string Directory => directory;

    public string? Place => inner.Place;

    public Task<ProcessResult> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        ProcessOptions? options = null,
        CancellationToken cancellationToken = default
    ) =>
        inner.RunAsync(
            programs.Contains(program) ? Path.Combine(directory, program) : program,
            arguments,
            options,
            cancellationToken
        );
}
