using HpcJobs.Core.Model;
using HpcJobs.Core.Platform;

namespace HpcJobs.Core.Local;

/// <summary>How a job ended, from its wait status and whether the daemon was killing it (walltime, cancel): pure.</summary>
internal static class JobEnd
{
    public readonly record struct Outcome(
        JobState State,
        string NativeState,
        string? Reason,
        int? ExitCode,
        int? Signal
    );

    public static Outcome From(int? exitCode, int? signal, (JobState State, string Native, string Reason)? killedFor)
    {
        var code = signal is null ? exitCode : 128 + signal;
        if (killedFor is { } k)
            return new(k.State, k.Native, k.Reason, code, signal);
        if (signal is not null)
            return new(JobState.Failed, "FAILED", $"Killed by signal {signal}", code, signal);
        return exitCode == 0
            ? new(JobState.Completed, "COMPLETED", null, 0, null)
            : new(JobState.Failed, "FAILED", "NonZeroExitCode", exitCode, null);
    }
}
