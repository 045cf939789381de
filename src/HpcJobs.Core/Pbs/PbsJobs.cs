using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Pbs;

/// <summary>PBS job records read as JobInfo: which records answer an id, what a record says, what is said of a vanished id.</summary>
internal static class PbsJobs
{
    /// <summary>
    /// Records answering an id: the job itself, an array's subjobs (not its B parent when they are listed), or a short
    /// id.
    /// </summary>
    public static List<PbsJobRecord> Match(List<PbsJobRecord> records, string id)
    {
        bool Same(string recordId) =>
            recordId == id
            || PbsOutput.Sequence(recordId) == id
            || recordId.StartsWith(id + ".", StringComparison.Ordinal);
        var isArrayId = id.Contains("[]", StringComparison.Ordinal);
        if (!isArrayId)
            return records.Where(r => Same(r.Id)).ToList();
        var subjobs = records.Where(r => PbsOutput.SplitArrayId(r.Id).ArrayId is { } a && Same(a)).ToList();
        return subjobs.Count > 0 ? subjobs : records.Where(r => Same(r.Id)).ToList();
    }

    /// <summary>
    /// A job as PBS's record says; <paramref name="wasCancelled"/> (job id, array id) tells whether this session deleted it,
    /// so that a deleted job reads Cancelled even when PBS's record does not say who deleted it.
    /// </summary>
    public static JobInfo FromRecord(PbsJobRecord r, PbsDialect dialect, Func<string, string?, bool> wasCancelled)
    {
        var letter = (r["job_state"] ?? "").Trim();
        var (arrayId, task) = PbsOutput.SplitArrayId(r.Id);
        JobState state;
        int? exit = null,
            signal = null;
        string? reason = r["comment"];
        var canNeverRun = false;
        JobEndCause? known = null;
        string? cancelledBy = null;
        if (PbsStates.IsFinishedLetter(letter, dialect))
        {
            var deletedByUs = wasCancelled(r.Id, arrayId);
            var deletedBy = PbsStates.DeletedBy(r["comment"], PbsOutput.ParseInt(r["substate"]));
            var exitStatus = PbsOutput.ParseInt(r["Exit_status"] ?? r["exit_status"]);
            (state, exit, signal, var why) = PbsStates.Finished(exitStatus, deletedByUs || deletedBy is not null);
            known = state == JobState.Cancelled ? null : PbsStates.EndCause(exitStatus);
            cancelledBy =
                state != JobState.Cancelled ? null
                : deletedByUs ? JobMemory.ThisSession
                : deletedBy;
            reason =
                deletedBy is not null && state == JobState.Cancelled ? $"Deleted (qdel) by {deletedBy}" : why ?? reason;
        }
        else
        {
            state = PbsStates.Live(letter);
            // W: waiting for its execution time (qsub -a, -BeginTime), as SLURM's Reason=BeginTime
            if (letter == "W" && r["Execution_Time"] is { } executionTime)
                reason = $"BeginTime: {executionTime}";
            const string never = "Can Never Run";
            if (reason?.IndexOf(never, StringComparison.Ordinal) is >= 0 and var at)
            {
                reason = $"{JobInfo.CanNeverRunReason}: {reason[(at + never.Length)..].TrimStart(':', ' ')}";
                canNeverRun = true;
            }
        }
        var finished = state.IsFinished() || PbsStates.IsFinishedLetter(letter, dialect);
        return new JobInfo
        {
            JobId = r.Id,
            ArrayJobId = arrayId,
            ArrayTaskId = task,
            Name = r["Job_Name"],
            Scheduler = nameof(SchedulerKind.Pbs),
            State = state,
            NativeState = letter,
            Reason = reason,
            HeldBy = PbsStates.HeldBy(state, r["Hold_Types"], r["depend"] is not null),
            Restarts = PbsOutput.ParseInt(r["run_count"]) is { } runs ? Math.Max(0, runs - 1) : null,
            CanNeverRun = canNeverRun,
            ExitCode = exit,
            Signal = signal,
            SubmitTime = PbsStates.ParseTime(r["ctime"] ?? r["qtime"]),
            StartTime = PbsStates.ParseTime(r["stime"] ?? r["start_time"]),
            // computed by the server's scheduler for jobs it cannot run now (backfill, est_start_time_freq)
            EstimatedStart = state is JobState.Pending or JobState.Held
                ? PbsStates.ParseTime(r["estimated.start_time"])
                : null,
            EndTime = finished ? PbsStates.ParseTime(r["obittime"] ?? r["comp_time"] ?? r["mtime"]) : null,
            StdOutPath = PbsOutput.LocalPath(r["Output_Path"]),
            StdErrPath = PbsOutput.LocalPath((r["Join_Path"] ?? "n") is "oe" ? r["Output_Path"] : r["Error_Path"]),
            WorkingDirectory = PbsOutput.Variable(r, "PBS_O_WORKDIR") ?? r["jobdir"],
            Partition = r["queue"],
            NodeList = PbsOutput.NodeList(r["exec_vnode"], r["exec_host"]),
            CancelledBy = cancelledBy,
        }.WithEndCause(known);
    }

    /// <summary>A job PBS reports no more, by its id alone (<see cref="JobMemory.Vanished"/> sets the rest).</summary>
    public static JobInfo Vanished(string id)
    {
        var (arrayId, task) = PbsOutput.SplitArrayId(id);
        return new()
        {
            JobId = id,
            ArrayJobId = arrayId,
            ArrayTaskId = task,
            Scheduler = nameof(SchedulerKind.Pbs),
        };
    }

    /// <summary>The ids qstat called unknown ("qstat: Unknown Job Id 12.server").</summary>
    public static HashSet<string> UnknownIds(string text) =>
        text.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Contains("Unknown Job Id", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last())
            .ToHashSet();
}
