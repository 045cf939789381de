namespace HpcJobs.Core.Processes;

/// <summary>What a finished external command left behind.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// The one seam through which the core runs external programs. Always an argument list, never a shell string.
/// Tests substitute a scripted runner that replays recorded scheduler output.
/// </summary>
public interface IProcessRunner
{
    /// <summary>
    /// The machine the programs run on, as a name that stays the same from one process to the next (<c>localhost</c>,
    /// <c>ssh://host</c>): status is shared per scheduler and machine (<see cref="Waiting.ISharedStatus.KeyOf"/>).
    /// Null for runners that answer from a script (tests), whose answers must never be shared.
    /// </summary>
    string? Machine => null;

    /// <summary>
    /// Where the jobs of the schedulers reached through this runner live (<see cref="Model.JobInfo.Location"/>): null for
    /// this machine, <c>ssh://host</c> for a cluster reached over SSH.
    /// </summary>
    string? Location => null;

    /// <summary>Whether <paramref name="program"/> can be run (on PATH, or a path to an executable) where this runner runs.</summary>
    Task<bool> HasProgramAsync(string program, CancellationToken cancellationToken = default) =>
        Task.FromResult(ProgramLocator.Find(program) is not null);

    /// <summary>
    /// Runs <paramref name="program"/> to completion. A missing program throws <see
    /// cref="System.ComponentModel.Win32Exception"/>.
    /// </summary>
    Task<ProcessResult> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        ProcessOptions? options = null,
        CancellationToken cancellationToken = default
    );
}

public sealed record ProcessOptions
{
    public string? WorkingDirectory { get; init; }
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }
    public string? StandardInput { get; init; }

    /// <summary>Kill the program after this long and throw <see cref="TimeoutException"/>; null waits for ever.</summary>
    public TimeSpan? Timeout { get; init; }
}
