using System.Globalization;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.GridEngine;

/// <summary>
/// Grid Engine's states and end codes as JobInfo. Live jobs come from qstat's state letters (sge_job.h, qstat(1)), finished
/// ones from qacct's failed code and exit_status (execution_states.h: 0 ran, 1-24 before the job started, 25
/// rescheduled, 26 output file, 27 shell, 28 working directory, 30 exit 100, 37 a limit the qmaster enforced, 100 killed
/// by a signal "assumedly after job", as qdel leaves it too).
/// </summary>
public static class GridEngineJobs
{
    private const string Scheduler = nameof(SchedulerKind.GridEngine);

    /// <summary>Job ids: 123, and 123.4 for task 4 of array 123 (qstat's and qdel's own form).</summary>
    public static (string Number, int? Task) SplitId(string id)
    {
        var dot = id.IndexOf('.', StringComparison.Ordinal);
        return dot < 0
            ? (id, null)
            : (id[..dot], int.Parse(id[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The state of qstat's letters: E (error) keeps a job from starting until cleared; s, S, T suspend a running job; r
    /// and t run (a running job may carry a hold, hr, for its next run); h holds a waiting one; d is a deletion under way.
    /// </summary>
    public static JobState StateOf(string letters) =>
        letters.Contains('E') ? JobState.Held
        : letters.Contains('s') || letters.Contains('S') || letters.Contains('T') ? JobState.Suspended
        : letters.Contains('r') || letters.Contains('t') ? JobState.Running
        : letters.Contains('h') ? JobState.Held
        : letters.Contains('q') ? JobState.Pending
        : JobState.Unknown;

    /// <summary>A job or task qstat lists, with what qstat -j said of its job (when asked).</summary>
    public static JobInfo FromListing(
        GridEngineListing l,
        GridEngineDetail? detail,
        OutputFiles? files,
        string? arrayTasks,
        Func<string, bool> cancelledHere
    )
    {
        var state = StateOf(l.State);
        var running = state is JobState.Running or JobState.Suspended;
        var (heldBy, reason) = HoldOf(l, detail, state);
        return new JobInfo
        {
            JobId = l.JobId,
            ArrayJobId = l.Task is null ? null : l.JobNumber,
            ArrayTaskId = l.Task,
            ArrayTasks = arrayTasks,
            Name = l.Name,
            Scheduler = Scheduler,
            State = state,
            NativeState = l.State,
            HeldBy = heldBy,
            Reason =
                reason
                ?? (
                    l.State.Contains('d') ? (cancelledHere(l.JobId) ? "deleting (by this session)" : "deleting")
                    : l.State.Contains('R') ? "restarted (rescheduled: exit 99, qmod -rj, or a failed host)"
                    : state == JobState.Pending ? SchedulingReason(detail) ?? "waiting for a queue slot"
                    : null
                ),
            Restarts = l.State.Contains('R') ? 1 : null,
            SubmitTime = running ? null : l.Time,
            StartTime = running ? l.Time : null,
            Partition = l.Queue?.Split('@')[0],
            NodeList = l.Queue?.Split('@') is [_, var host] ? host : null,
            WorkingDirectory = detail?.WorkingDirectory ?? files?.WorkingDirectory,
            StdOutPath = OutputFiles.Expand(
                files?.StdOut,
                l.JobNumber,
                l.Task,
                l.Name,
                l.Owner,
                l.Queue?.Split('@')[^1]
            ),
            StdErrPath = OutputFiles.Expand(
                files?.StdErr,
                l.JobNumber,
                l.Task,
                l.Name,
                l.Owner,
                l.Queue?.Split('@')[^1]
            ),
        };
    }

    private static (HoldType? HeldBy, string? Reason) HoldOf(
        GridEngineListing l,
        GridEngineDetail? detail,
        JobState state
    )
    {
        if (state != JobState.Held)
            return (null, null);
        if (l.State.Contains('E'))
            return (
                HoldType.System,
                "Error state (Eqw): the job could not start (its shell, output file or working directory failed it) "
                    + $"or exited 100; qstat -j {l.JobNumber} says why. Clear it with qmod -cj {l.JobNumber} to let it "
                    + "run again, or stop it."
            );
        var info = detail?.SchedulingInfo ?? [];
        var userHold = info.Any(m => m.Contains("hold state", StringComparison.Ordinal));
        if (detail is { Predecessors.Count: > 0 } && !userHold)
            return (
                HoldType.Dependency,
                $"Dependency: waiting for job {string.Join(", ", detail.Predecessors)} to end (-hold_jid)"
            );
        return (HoldType.User, "held (qhold, qsub -h): Resume-HpcJob releases it");
    }

    private static string? SchedulingReason(GridEngineDetail? detail) =>
        detail?.SchedulingInfo is { Count: > 0 } info ? string.Join("; ", info) : null;

    /// <summary>
    /// A finished job or task from its last qacct record (a rescheduled job has one per run; the last is how it ended).
    /// </summary>
    public static JobInfo FromAccounting(GridEngineAccounting a, bool cancelledHere, OutputFiles? files, JobInfo? known)
    {
        var (state, cause, reason) = EndOf(a, cancelledHere);
        var task = a.Task;
        var exit = a.ExitStatus;
        return new JobInfo
        {
            JobId = task is { } t ? $"{a.JobNumber}.{t.ToString(CultureInfo.InvariantCulture)}" : a.JobNumber,
            ArrayJobId = task is null ? null : a.JobNumber,
            ArrayTaskId = task,
            Name = a["jobname"],
            Scheduler = Scheduler,
            State = state,
            NativeState = $"failed {a.Failed}",
            Reason = reason,
            ExitCode = state is JobState.Completed or JobState.Failed ? exit : null,
            Signal = exit is > 128 and < 160 && a.Failed is 0 or 100 or 37 ? exit - 128 : null,
            SubmitTime = GridEngineOutput.ParseCtime(a["qsub_time"]),
            StartTime = GridEngineOutput.ParseCtime(a["start_time"]),
            EndTime = GridEngineOutput.ParseCtime(a["end_time"]),
            Partition = a["qname"],
            NodeList = a["hostname"],
            CancelledBy = state == JobState.Cancelled && cancelledHere ? JobMemory.ThisSession : null,
            WorkingDirectory = files?.WorkingDirectory,
            StdOutPath = OutputFiles.Expand(files?.StdOut, a.JobNumber, task, a["jobname"], a["owner"], a["hostname"]),
            StdErrPath = OutputFiles.Expand(files?.StdErr, a.JobNumber, task, a["jobname"], a["owner"], a["hostname"]),
            Resources = known?.Resources,
        }.WithEndCause(cause);
    }

    private static (JobState State, JobEndCause? Cause, string? Reason) EndOf(
        GridEngineAccounting a,
        bool cancelledHere
    )
    {
        var exit = a.ExitStatus;
        var why = a.FailedText;
        return a.Failed switch
        {
            0 when exit == 0 => (JobState.Completed, null, null),
            0 => (JobState.Failed, null, $"exit status {exit}"),
            37 => LimitEnd(a, why),
            // a job killed by a signal and one qdel'd while it ran leave the same record: only this session knows its own
            100 when cancelledHere => (JobState.Cancelled, JobEndCause.Cancelled, "Deleted by HpcJobs (qdel)"),
            100 => (
                JobState.Failed,
                exit is > 128 ? JobEndCause.Signal : JobEndCause.Unknown,
                $"killed by signal {(exit is > 128 ? exit - 128 : null)} (a signal, or qdel by someone else: Grid Engine's "
                    + $"accounting does not tell them apart; failed 100, {why})"
            ),
            26 or 27 or 28 or 29 => (JobState.Failed, JobEndCause.LaunchFailure, $"failed {a.Failed}: {why}"),
            >= 1 and <= 24 => (JobState.Failed, JobEndCause.LaunchFailure, $"failed {a.Failed}: {why}"),
            30 => (JobState.Failed, null, $"exit status {exit} (exit 100 puts a job in error state)"),
            _ => (JobState.Failed, exit is > 0 ? null : JobEndCause.Unknown, $"failed {a.Failed}: {why}"),
        };
    }

    /// <summary>
    /// failed 37 names three limits at once ("h_rt, h_cpu, or h_vmem"): the one the job reached is read from its
    /// request (category) against what it used.
    /// </summary>
    private static (JobState, JobEndCause?, string?) LimitEnd(GridEngineAccounting a, string? why)
    {
        var requests = Requests(a["category"]);
        var wall = GridEngineOutput.ParseSeconds(a["ru_wallclock"]);
        if (
            GridEngineOutput.ParseLimit(requests.GetValueOrDefault("h_rt")) is { } limit
            && wall is { } w
            && w >= limit - TimeSpan.FromSeconds(1)
        )
            return (JobState.TimedOut, JobEndCause.Walltime, $"ran past its h_rt ({limit}): {why}");
        if (
            GridEngineOutput.ParseRequestSize(requests.GetValueOrDefault("h_vmem")) is { } vmem
            && GridEngineOutput.ParseBytes(a["maxvmem"]) is { } used
            && used >= vmem * 0.9
        )
            return (JobState.Failed, JobEndCause.OutOfMemory, $"reached its h_vmem ({requests["h_vmem"]}): {why}");
        if (requests.ContainsKey("h_cpu"))
            return (JobState.Failed, JobEndCause.CpuLimit, $"reached its h_cpu: {why}");
        return (JobState.Failed, JobEndCause.Unknown, $"failed 37: {why}");
    }

    /// <summary>The -l requests of qacct's category ("-l h_rt=3,h_vmem=100M -pe smp 2").</summary>
    internal static Dictionary<string, string> Requests(string? category)
    {
        var result = new Dictionary<string, string>();
        var words = (category ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 1 < words.Length; i++)
            if (words[i] == "-l")
                foreach (var pair in words[i + 1].Split(','))
                    if (pair.Split('=', 2) is [var k, var v])
                        result[k] = v;
        return result;
    }

    /// <summary>A job Grid Engine reports no more, by its id alone (<see cref="JobMemory.Vanished"/> sets the rest).</summary>
    public static JobInfo Vanished(string id)
    {
        var (number, task) = SplitId(id);
        return new JobInfo
        {
            JobId = id,
            ArrayJobId = task is null ? null : number,
            ArrayTaskId = task,
            Scheduler = Scheduler,
        };
    }
}

/// <summary>
/// Where a job writes, as templates with Grid Engine's pseudo variables ($JOB_ID, $TASK_ID, $JOB_NAME, $USER,
/// $HOSTNAME), made absolute against its working directory: known from the submission or from qstat -j, and kept,
/// because qacct does not record them.
/// </summary>
public sealed record OutputFiles(string? StdOut, string? StdErr, string? WorkingDirectory)
{
    /// <summary>qsub's default when no -o is given: NAME.oID, NAME.oID.TASK for an array task.</summary>
    public static string Default(bool array) => array ? "$JOB_NAME.o$JOB_ID.$TASK_ID" : "$JOB_NAME.o$JOB_ID";

    /// <summary>The files of a job qstat -j describes.</summary>
    public static OutputFiles Of(GridEngineDetail d, bool array)
    {
        var stdout = d.StdOutPath ?? Default(array);
        return new(
            Absolute(stdout, d.WorkingDirectory),
            Absolute(
                d.MergeStdErr ? stdout : d.StdErrPath ?? (array ? "$JOB_NAME.e$JOB_ID.$TASK_ID" : "$JOB_NAME.e$JOB_ID"),
                d.WorkingDirectory
            ),
            d.WorkingDirectory
        );
    }

    public static string Absolute(string path, string? cwd) =>
        path.StartsWith('/') || cwd is null ? path : cwd.TrimEnd('/') + "/" + path;

    /// <summary>The template with one job's (or task's) values; $HOSTNAME stays until the host is known.</summary>
    public static string? Expand(string? template, string number, int? task, string? name, string? owner, string? host)
    {
        if (template is null)
            return null;
        var path = template
            .Replace("$JOB_ID", number, StringComparison.Ordinal)
            .Replace("$TASK_ID", task?.ToString(CultureInfo.InvariantCulture) ?? "undefined", StringComparison.Ordinal)
            .Replace("$JOB_NAME", name ?? "", StringComparison.Ordinal)
            .Replace("$USER", owner ?? "", StringComparison.Ordinal);
        return host is null ? path : path.Replace("$HOSTNAME", host, StringComparison.Ordinal);
    }
}
