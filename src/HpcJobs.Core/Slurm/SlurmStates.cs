using System.Globalization;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Slurm;

/// <summary>SLURM's job state codes (squeue(1), JOB STATE CODES) mapped to JobState; exit codes decoded.</summary>
internal static class SlurmStates
{
    public static JobState Map(string nativeState, string? reason)
    {
        // sacct appends the canceller: "CANCELLED by 0"
        var state = nativeState.Split(' ', 2)[0].TrimEnd('+').ToUpperInvariant();
        return state switch
        {
            "PENDING" when reason is not null && reason.Contains("Held", StringComparison.OrdinalIgnoreCase) =>
                JobState.Held,
            // a requeued job (scontrol requeue, or preempted with PreemptMode=REQUEUE) runs again: never finished
            "PENDING" or "REQUEUED" or "REQUEUE_FED" => JobState.Pending,
            "REQUEUE_HOLD" or "RESV_DEL_HOLD" => JobState.Held,
            "SUSPENDED" or "STOPPED" => JobState.Suspended,
            "CONFIGURING" or "RUNNING" or "COMPLETING" or "RESIZING" or "SIGNALING" or "STAGE_OUT" => JobState.Running,
            "COMPLETED" => JobState.Completed,
            "FAILED" or "BOOT_FAIL" or "NODE_FAIL" or "OUT_OF_MEMORY" or "SPECIAL_EXIT" => JobState.Failed,
            // PREEMPTED is final: a job that will run again is REQUEUED/PENDING instead (PreemptMode=REQUEUE)
            "CANCELLED" or "PREEMPTED" or "REVOKED" => JobState.Cancelled,
            "TIMEOUT" or "DEADLINE" => JobState.TimedOut,
            _ => JobState.Unknown,
        };
    }

    /// <summary>What SLURM's own state word says of a job's end beyond its state (null: nothing more).</summary>
    public static JobEndCause? EndCause(string? nativeState) =>
        nativeState?.Split(' ', 2)[0].TrimEnd('+').ToUpperInvariant() switch
        {
            "OUT_OF_MEMORY" => JobEndCause.OutOfMemory,
            "NODE_FAIL" => JobEndCause.NodeFailure,
            "BOOT_FAIL" => JobEndCause.LaunchFailure,
            "PREEMPTED" => JobEndCause.Preempted,
            "DEADLINE" or "TIMEOUT" => JobEndCause.Walltime,
            _ => null,
        };

    /// <summary>Who cancelled a job, from sacct's "CANCELLED by 1000": "uid 1000".</summary>
    public static string? CancelledBy(string? nativeState) =>
        nativeState is { } s
        && s.StartsWith("CANCELLED by ", StringComparison.OrdinalIgnoreCase)
        && s[13..].Trim() is { Length: > 0 } uid
            ? $"uid {uid}"
            : null;

    /// <summary>Who holds a Held job: squeue's reason (JobHeldUser, JobHeldAdmin) or the hold state itself.</summary>
    public static HoldType? HeldBy(JobState state, string nativeState, string? reason) =>
        state != JobState.Held ? null
        : reason?.Contains("JobHeldAdmin", StringComparison.OrdinalIgnoreCase) == true ? HoldType.Operator
        : reason?.Contains("Held", StringComparison.OrdinalIgnoreCase) == true
        && !nativeState.StartsWith("REQUEUE_HOLD", StringComparison.OrdinalIgnoreCase)
            ? HoldType.User
        : HoldType.System;

    /// <summary>
    /// Decodes SLURM's <c>code:signal</c>. A signal gives Signal and ExitCode 128+signal (what a shell reports);
    /// otherwise ExitCode is the code.
    /// </summary>
    public static (int? ExitCode, int? Signal) DecodeExitCode(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return (null, null);
        var parts = text.Split(':');
        if (
            parts.Length != 2
            || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var code)
            || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var signal)
        )
            return (null, null);
        return signal > 0 ? (128 + signal, signal) : (code, null);
    }

    /// <summary>SLURM timestamps are local ISO times; N/A, NONE, Unknown, None mean "not (yet) set".</summary>
    public static DateTimeOffset? ParseTime(string? text) => UsageUnits.ParseLocalTime(text);

    public static string? CleanReason(string? reason) =>
        string.IsNullOrWhiteSpace(reason) || reason == "None" ? null : reason.Trim();
}
