using System.Globalization;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Slurm;

/// <summary>squeue rows by raw job id and by array id, so that answering N ids costs O(N + rows), not O(N × rows).</summary>
internal sealed class SqueueIndex(IReadOnlyList<SqueueRow> rows)
{
    public Dictionary<string, SqueueRow> ByRawId { get; } =
        rows.GroupBy(r => r.RawId).ToDictionary(g => g.Key, g => g.First());
    public Dictionary<string, List<SqueueRow>> ByArrayJobId { get; } =
        rows.Where(r => r.IsArray).GroupBy(r => r.ArrayJobId).ToDictionary(g => g.Key, g => g.ToList());
}

/// <summary>Turns parsed SLURM rows into JobInfos: array ranges expanded to tasks, paths expanded, exit codes decoded.</summary>
internal static class SlurmJobs
{
    private const string Scheduler = nameof(SchedulerKind.Slurm);

    /// <summary>
    /// The JobInfos of squeue rows answering <paramref name="id"/>: a plain job, one array task (<c>41_4</c>, possibly still
    /// inside a pending range row <c>41_[2-5%2]</c>), or a whole array by its id (every task, pending ranges expanded).
    /// </summary>
    public static List<JobInfo> FromSqueue(IReadOnlyList<SqueueRow> rows, string id) =>
        FromSqueue(new SqueueIndex(rows), id);

    public static List<JobInfo> FromSqueue(SqueueIndex index, string id)
    {
        var parts = id.Split('_');
        int? wantedTask = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : null;
        var result = new List<JobInfo>();
        if (wantedTask is null && index.ByRawId.TryGetValue(id, out var plain) && !plain.IsArray)
            result.Add(FromRow(plain, null));
        foreach (var row in index.ByArrayJobId.GetValueOrDefault(parts[0]) ?? [])
        {
            var tasks = int.TryParse(row.ArrayTasks, CultureInfo.InvariantCulture, out var single)
                ? [single]
                : SlurmOutput.ExpandTaskSpec(row.ArrayTasks);
            // a pending range is one row for any number of tasks: what they share is read once, not per task
            JobInfo? first = null;
            foreach (var task in tasks)
                if (wantedTask is null || wantedTask == task)
                    result.Add(
                        first is null
                            ? first = FromRow(row, task)
                            : first with
                            {
                                JobId = $"{row.ArrayJobId}_{task}",
                                ArrayTaskId = task,
                                StdOutPath = OutputPath(row.StdOut, row, task),
                                StdErrPath = OutputPath(row.StdErr, row, task),
                            }
                    );
        }
        return result.OrderBy(j => j.ArrayTaskId ?? -1).ToList();
    }

    private static JobInfo FromRow(SqueueRow row, int? task)
    {
        var job = Job(
            task is null ? row.RawId : $"{row.ArrayJobId}_{task}",
            row.ArrayJobId,
            task,
            row.Name,
            row.State,
            row.Reason,
            row.Submit,
            row.Start,
            row.End
        );
        return job with
        {
            Restarts = int.TryParse(row.Restarts, CultureInfo.InvariantCulture, out var restarts) ? restarts : null,
            ExitCode = job.State == JobState.Completed ? 0 : null,
            WorkingDirectory = row.WorkDir,
            Partition = NullIfEmpty(row.Partition),
            NodeList = Nodes(row.NodeList),
            StdOutPath = OutputPath(row.StdOut, row, task),
            StdErrPath = OutputPath(row.StdErr, row, task),
        };
    }

    private static string? OutputPath(string pattern, SqueueRow row, int? task) =>
        Resolve(OutputPattern.Expand(pattern, row.RawId, row.ArrayJobId, task, row.Name), row.WorkDir);

    /// <summary>Jobs only accounting remembers. sacct -j 44 lists each task of array 44 (and a pending range as one row).</summary>
    public static List<JobInfo> FromSacct(IReadOnlyList<SacctRow> rows, string id)
    {
        var result = new List<JobInfo>();
        var batchSteps = rows.Where(r => r.JobId.EndsWith(".batch", StringComparison.Ordinal))
            .ToDictionary(r => r.JobId[..^6], r => r.ExitCode);
        foreach (var row in rows.Where(r => !r.JobId.Contains('.')))
        {
            var shown = row.JobId;
            var under = shown.IndexOf('_');
            var baseId = under < 0 ? shown : shown[..under];
            if (shown != id && baseId != id)
                continue;
            var taskSpec = under < 0 ? null : shown[(under + 1)..].Trim('[', ']');
            var tasks = taskSpec is null ? [(int?)null] : SlurmOutput.ExpandTaskSpec(taskSpec).Select(t => (int?)t);
            foreach (var task in tasks)
            {
                var taskId = task is null ? row.JobId : $"{baseId}_{task}";
                if (id.Contains('_') && taskId != id)
                    continue;
                var state = SlurmStates.Map(row.State, row.Reason);
                var started = SlurmStates.ParseTime(row.Start);
                var (exit, signal) =
                    state.IsFinished() && started is not null ? SlurmStates.DecodeExitCode(row.ExitCode) : (null, null);
                // sacct reports a cancelled or timed-out job as 0:0; its batch step has the signal (0:15)
                if (
                    signal is null
                    && state is JobState.Cancelled or JobState.TimedOut
                    && batchSteps.TryGetValue(row.JobId, out var step)
                )
                    (exit, signal) = SlurmStates.DecodeExitCode(step) is { Signal: not null } s ? s : (exit, signal);
                var job = Job(taskId, baseId, task, row.Name, row.State, row.Reason, row.Submit, row.Start, row.End);
                result.Add(
                    job with
                    {
                        ExitCode = exit,
                        Signal = signal,
                        WorkingDirectory = NullIfEmpty(row.WorkDir),
                        Partition = NullIfEmpty(row.Partition),
                        NodeList = Nodes(row.NodeList),
                    }
                );
            }
        }
        return result.DistinctBy(j => j.JobId).OrderBy(j => j.ArrayTaskId ?? -1).ToList();
    }

    /// <summary>squeue's NodeList is empty and sacct's "None assigned" before a job starts.</summary>
    private static string? Nodes(string nodeList) => nodeList is "" or "None assigned" or "(null)" ? null : nodeList;

    /// <summary>What squeue and sacct rows share: ids, name, state, reason and times.</summary>
    private static JobInfo Job(
        string jobId,
        string arrayJobId,
        int? task,
        string name,
        string nativeState,
        string reason,
        string submit,
        string start,
        string end
    )
    {
        var state = SlurmStates.Map(nativeState, reason);
        return new JobInfo
        {
            JobId = jobId,
            ArrayJobId = task is null ? null : arrayJobId,
            ArrayTaskId = task,
            Name = name,
            Scheduler = Scheduler,
            State = state,
            NativeState = nativeState,
            Reason =
                SlurmStates.CleanReason(reason)
                ?? (nativeState.StartsWith("PREEMPTED", StringComparison.OrdinalIgnoreCase) ? "Preempted" : null),
            HeldBy = SlurmStates.HeldBy(state, nativeState, reason),
            SubmitTime = SlurmStates.ParseTime(submit),
            // a waiting job's StartTime is the controller's estimate (squeue --start), not a start
            StartTime = state is JobState.Pending or JobState.Held ? null : SlurmStates.ParseTime(start),
            EstimatedStart = state is JobState.Pending or JobState.Held ? SlurmStates.ParseTime(start) : null,
            EndTime = state.IsFinished() ? SlurmStates.ParseTime(end) : null,
        };
    }

    /// <summary>scontrol knows the exact exit code the moment a job ends, and the real output paths of array tasks.</summary>
    public static JobInfo WithScontrol(JobInfo job, IReadOnlyDictionary<string, string> record)
    {
        var (exit, signal) = SlurmStates.DecodeExitCode(record.GetValueOrDefault("ExitCode"));
        // a job cancelled before it ran (held, dependency never met) has StartTime = EndTime = the cancel time but no node
        var neverRan = record.GetValueOrDefault("NodeList") is null or "(null)" or "";
        return job with
        {
            StartTime = neverRan ? null : job.StartTime,
            ExitCode = neverRan ? null : exit,
            Signal = neverRan ? null : signal,
            StdOutPath = record.GetValueOrDefault("StdOut") is { Length: > 0 } o ? o : job.StdOutPath,
            StdErrPath = record.GetValueOrDefault("StdErr") is { Length: > 0 } e ? e : job.StdErrPath,
        };
    }

    /// <summary>The key a JobInfo has among scontrol records: <c>ArrayJobId_ArrayTaskId</c> for tasks, JobId otherwise.</summary>
    public static string ScontrolKey(IReadOnlyDictionary<string, string> record) =>
        record.TryGetValue("ArrayTaskId", out var task)
        && record.TryGetValue("ArrayJobId", out var array)
        && int.TryParse(task, out _)
            ? $"{array}_{task}"
            : record.GetValueOrDefault("JobId", "");

    public static JobInfo Unknown(string id, string reason) =>
        new()
        {
            JobId = id,
            Scheduler = Scheduler,
            State = JobState.Unknown,
            Reason = reason,
            ArrayJobId = id.Contains('_') ? id.Split('_')[0] : null,
            ArrayTaskId = id.Contains('_') ? int.Parse(id.Split('_')[1], CultureInfo.InvariantCulture) : null,
        };

    private static string? Resolve(string path, string workDir) =>
        string.IsNullOrWhiteSpace(path) ? null
        : Path.IsPathRooted(path) || string.IsNullOrEmpty(workDir) ? path
        : Path.Combine(workDir, path);

    private static string? NullIfEmpty(string s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
