using System.Collections.Concurrent;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Kit;

/// <summary>
/// What a back end remembers of jobs within one session, to answer honestly about jobs the scheduler no longer reports:
/// which it saw alive (and when), which it cancelled itself, and the task indices of arrays it submitted. This is the
/// memory behind <see cref="IScheduler.GetStatusAsync"/>'s rule for forgotten jobs, the same for every back end: a job
/// this process cancelled reads Cancelled; one it saw alive within the window the scheduler itself keeps finished jobs
/// (<see cref="ForgetWindow"/>) reads Unknown, with a Reason; anything else is not found.
/// </summary>
public sealed class JobMemory
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seenLive = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _cancelled = new();
    private readonly ConcurrentDictionary<string, int[]> _arrays = new();
    private readonly ConcurrentDictionary<string, JobInfo> _submitted = new();

    /// <summary>Who cancelled a job this process cancelled (<see cref="JobInfo.CancelledBy"/>).</summary>
    public const string ThisSession = "this HpcJobs session";

    public void SawLive(string jobId) => _seenLive[jobId] = DateTimeOffset.Now;

    /// <summary>True when the job was seen alive less than <paramref name="within"/> ago.</summary>
    public bool SawLiveWithin(string jobId, TimeSpan within) =>
        _seenLive.TryGetValue(jobId, out var seen)
        && (within == TimeSpan.MaxValue || DateTimeOffset.Now - seen < within);

    /// <summary>A job this process submitted, as the submission answered (read-your-writes for shared status).</summary>
    public void Submitted(JobInfo job)
    {
        _submitted[job.JobId] = job;
        SawLive(job.JobId);
    }

    public JobInfo? SubmittedJob(string jobId) => _submitted.GetValueOrDefault(jobId);

    public void Cancelled(string jobId) => _cancelled[jobId] = DateTimeOffset.Now;

    /// <summary>
    /// How long after a job was last seen alive its disappearance still says "it ended, outcome unknown" rather than "no
    /// such job": how long the scheduler itself keeps a finished job (SLURM's MinJobAge, PBS's job_history_duration),
    /// plus <paramref name="lag"/> for what trails it (slurmdbd); without a limit (PBS without history), for the session.
    /// </summary>
    public static TimeSpan ForgetWindow(TimeSpan? schedulerKeepsFinishedJobs, TimeSpan lag) =>
        schedulerKeepsFinishedJobs is { } keep ? keep + lag : TimeSpan.MaxValue;

    /// <summary>True when this session cancelled the job, or the array it is a task of (<paramref name="arrayJobId"/>).</summary>
    public bool WasCancelled(string jobId, string? arrayJobId = null) =>
        _cancelled.ContainsKey(jobId) || (arrayJobId is not null && _cancelled.ContainsKey(arrayJobId));

    /// <summary>
    /// The rule for a job the scheduler and its history no longer report, written once for every back end: Cancelled
    /// when this session cancelled it or its array; Unknown, saying why, when the scheduler keeps no history at all
    /// (<paramref name="words"/>' NoHistory) or the job was seen alive within <paramref name="forgetWindow"/>; else null
    /// (not found). <paramref name="vanished"/> makes the back end's JobInfo of the id (its array fields filled).
    /// </summary>
    public JobInfo? Vanished(
        string id,
        string? arrayJobId,
        TimeSpan forgetWindow,
        VanishedWords words,
        Func<string, JobInfo> vanished
    )
    {
        if (WasCancelled(id, arrayJobId))
            return vanished(id) with
            {
                State = JobState.Cancelled,
                NativeState = words.NativeCancelled,
                Reason = words.Cancelled,
                CancelledBy = JobMemory.ThisSession,
            };
        if (words.NoHistory is { } never)
            return vanished(id) with { State = JobState.Unknown, Reason = never };
        if (SawLiveWithin(id, forgetWindow))
            return vanished(id) with { State = JobState.Unknown, Reason = words.Forgotten };
        return null;
    }

    public void RememberArray(string arrayJobId, IEnumerable<int> tasks) => _arrays[arrayJobId] = tasks.ToArray();

    public bool IsKnownArray(string arrayJobId) => _arrays.ContainsKey(arrayJobId);

    public IReadOnlyList<int>? ArrayTasks(string arrayJobId) => _arrays.TryGetValue(arrayJobId, out var t) ? t : null;
}

/// <summary>What a back end says of a job it no longer reports (<see cref="JobMemory.Vanished"/>), in its own terms.</summary>
/// <param name="Cancelled">The Reason of a job this session cancelled.</param>
/// <param name="NativeCancelled">The scheduler's own word for a cancelled job (CANCELLED, deleted).</param>
/// <param name="Forgotten">The Reason of a job seen alive lately that the scheduler let go of.</param>
/// <param name="NoHistory">When set, the scheduler keeps no finished job at all: the Reason of every vanished one.</param>
public sealed record VanishedWords(
    string Cancelled,
    string NativeCancelled,
    string Forgotten,
    string? NoHistory = null
);
