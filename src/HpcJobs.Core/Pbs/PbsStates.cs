using System.Globalization;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Pbs;

/// <summary>PBS job_state letters and Exit_status values mapped to JobState, per dialect.</summary>
internal static class PbsStates
{
    /// <summary>
    /// Live states. Finished ones (PBS Pro F and X, Torque C) are decided by <see cref="Finished"/> from the exit status.
    /// PBS Pro: B array begun, E exiting, H held, M moved, Q queued, R running, S suspended, T transit, U user-suspended,
    /// W waiting. Torque: C completed, E, H, Q, R, T, W, S.
    /// </summary>
    public static JobState Live(string letter) =>
        letter switch
        {
            "Q" or "T" or "W" or "M" => JobState.Pending,
            "H" => JobState.Held,
            "S" or "U" => JobState.Suspended,
            "R" or "E" or "B" => JobState.Running,
            _ => JobState.Unknown,
        };

    /// <summary>
    /// Who holds a held job, from Hold_Types (u user, o operator, s system; PBS holds a job with a depend list with s).
    /// The hold that is hardest to lift is named.
    /// </summary>
    public static HoldType? HeldBy(JobState state, string? holdTypes, bool hasDependencies) =>
        state != JobState.Held || holdTypes is null ? null
        : holdTypes.Contains('o') ? HoldType.Operator
        : holdTypes.Contains('s') ? (hasDependencies ? HoldType.Dependency : HoldType.System)
        : holdTypes.Contains('u') ? HoldType.User
        : null;

    public static bool IsFinishedLetter(string letter, PbsDialect dialect) =>
        dialect == PbsDialect.Pro ? letter is "F" or "X" : letter == "C";

    /// <summary>PBS Pro's substate of a job that was deleted (JOB_SUBSTATE_TERMINATED); 92 is finished, 93 failed.</summary>
    private const int TerminatedSubstate = 91;

    /// <summary>
    /// Who deleted a finished job, or null when nothing says it was deleted. A qdel'd running job can end with
    /// Exit_status 0 (OpenPBS 23 when the script ran as a file) and must not read Completed: the comment
    /// (<c>Job run at … and terminated by user@host</c>) and the substate tell.
    /// </summary>
    public static string? DeletedBy(string? comment, int? substate)
    {
        const string marker = "terminated by ";
        var at = comment?.IndexOf(marker, StringComparison.Ordinal) ?? -1;
        if (at >= 0)
        {
            var who = comment![(at + marker.Length)..].Trim();
            return who.Length > 0 ? who : "an unnamed user";
        }
        return substate == TerminatedSubstate ? "a user or the server (substate 91, terminated)" : null;
    }

    /// <summary>
    /// Success of a finished job comes only from its exit status: 0 completed; 1-255 failed with that code; 256+N killed by
    /// signal N (cancelled when it was a qdel, failed otherwise); negative: PBS's own JOB_EXEC_* code.
    /// </summary>
    public static (JobState State, int? ExitCode, int? Signal, string? Reason) Finished(int? exitStatus, bool deleted)
    {
        if (exitStatus is null) // the job never ran
            return (
                JobState.Cancelled,
                null,
                null,
                deleted
                    ? "Deleted before it ran"
                    : "Ended without running (no exit status): deleted, or its dependency failed"
            );
        var v = exitStatus.Value;
        if (deleted && v >= 0 && v < 256)
            return (JobState.Cancelled, v == 0 ? null : v, null, "Deleted (qdel)");
        if (v == 0)
            return (JobState.Completed, 0, null, null);
        // the job's shell reports a command killed by signal N as 128 + N, as SLURM and every shell do
        if (v > 128 && v <= 128 + 64)
            return (JobState.Failed, v, v - 128, $"Killed by signal {v - 128} (exit status {v})");
        if (v > 0 && v < 256)
            return (JobState.Failed, v, null, "NonZeroExitCode");
        if (v >= 256)
        {
            var signal = v - 256;
            return deleted
                ? (JobState.Cancelled, 128 + signal, signal, "Deleted (qdel)")
                : (JobState.Failed, 128 + signal, signal, $"Killed by signal {signal}");
        }
        var name = JobExecName(v);
        return v switch
        {
            -29 => (JobState.TimedOut, null, null, name),
            _ => (JobState.Failed, null, null, name),
        };
    }

    /// <summary>What a finished job's exit status says of its end beyond its state: PBS's own JOB_EXEC_* kills and failures.</summary>
    public static JobEndCause? EndCause(int? exitStatus) =>
        exitStatus switch
        {
            -26 or -27 => JobEndCause.OutOfMemory,
            -24 or -25 or -28 => JobEndCause.CpuLimit,
            -29 => JobEndCause.Walltime,
            -1 or -2 or -4 or -5 or -6 or -7 or -10 or -13 or -17 or -19 or -21 or -22 or -23 or -30 =>
                JobEndCause.LaunchFailure,
            _ => null,
        };

    /// <summary>The JOB_EXEC_* codes of PBS Pro/OpenPBS (job.h) and Torque (-1 to -6 are shared).</summary>
    public static string JobExecName(int code) =>
        code switch
        {
            -1 => "JOB_EXEC_FAIL1: job exec failed, before files, no retry",
            -2 => "JOB_EXEC_FAIL2: job exec failed, after files, no retry",
            -3 => "JOB_EXEC_RETRY: job execution failed, do retry",
            -4 => "JOB_EXEC_INITABT: job aborted on MoM initialization",
            -5 => "JOB_EXEC_INITRST: job aborted on MoM init, checkpoint, no migrate",
            -6 => "JOB_EXEC_INITRMG: job aborted on MoM init, checkpoint, ok migrate",
            -7 => "JOB_EXEC_BADRESRT: job restart failed",
            -10 => "JOB_EXEC_FAILUID: invalid uid/gid for job",
            -11 => "JOB_EXEC_RERUN: job rerun",
            -12 => "JOB_EXEC_CHKP: job was checkpointed and killed",
            -13 => "JOB_EXEC_FAIL_PASSWORD: job failed due to a bad password",
            -15 => "JOB_EXEC_QUERST: requeue job for restart from checkpoint",
            -16 => "JOB_EXEC_FAILHOOK_RERUN: a hook failed, job requeued",
            -17 => "JOB_EXEC_FAILHOOK_DELETE: a hook failed, job deleted",
            -18 => "JOB_EXEC_HOOK_RERUN: a hook requested the job be rerun",
            -19 => "JOB_EXEC_HOOK_DELETE: a hook requested the job be deleted",
            -20 => "JOB_EXEC_RERUN_MS_FAIL: mother superior connection lost, job requeued",
            -24 => "JOB_EXEC_KILL_NCPUS_BURST: killed for exceeding ncpus (burst)",
            -25 => "JOB_EXEC_KILL_NCPUS_SUM: killed for exceeding ncpus (sum)",
            -26 => "JOB_EXEC_KILL_VMEM: killed for exceeding vmem",
            -27 => "JOB_EXEC_KILL_MEM: killed for exceeding mem",
            -28 => "JOB_EXEC_KILL_CPUT: killed for exceeding cput",
            -29 => "JOB_EXEC_KILL_WALLTIME: killed for exceeding walltime",
            _ => $"JOB_EXEC code {code.ToString(CultureInfo.InvariantCulture)}",
        };

    /// <summary>PBS times: ctime-style text ("Thu Jun 19 10:36:47 2025", day padded or not) or epoch seconds (Torque).</summary>
    public static DateTimeOffset? ParseTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var t = string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (long.TryParse(t, CultureInfo.InvariantCulture, out var epoch))
            return DateTimeOffset.FromUnixTimeSeconds(epoch).ToLocalTime();
        return DateTime.TryParseExact(
            t,
            "ddd MMM d HH:mm:ss yyyy",
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeLocal,
            out var d
        )
            ? new DateTimeOffset(d)
            : null;
    }
}
