using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Waiting;

/// <summary>
/// Status for pollers (Wait-HpcJob, -AsJob, Receive-HpcJob -Wait, completers), shared by every HpcJobs process of one
/// user for one scheduler on one machine, so that N waiting scripts cost the controller what one does.
/// <para>
/// The answer is the back end's own status query, run for the union of the ids any of the user's processes waits on and
/// kept in a private snapshot file (<see cref="SharedStatusFile"/>). A poller whose ids the snapshot covers, and whose
/// snapshot is younger than the poll interval, reads it; otherwise it takes the file's lock (a bounded wait: a stuck
/// refresher never blocks the others for longer) and refreshes it with one query for everyone's ids. The poll interval
/// is shared too: it lives in the snapshot and adapts as one process waiting for every job would
/// (<see cref="PollInterval.Next"/>), so K waiting processes poll as often as one.
/// </para>
/// <para>
/// Read-your-writes: a job this process submitted after the snapshot was taken is answered from its submission (Pending,
/// observed then) until the next refresh covers it, never reported missing. A job the snapshot reports missing or
/// Unknown is asked of the back end directly, whose memory of this process's jobs answers it as a direct query would.
/// Every JobInfo keeps <see cref="JobInfo.QueriedAt"/>: when the scheduler said it.
/// </para>
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Design",
    "CA1001",
    Justification = "One per scheduler and machine, kept for the process's life; the semaphore never makes a wait handle."
)]
public sealed class SharedStatus : ISharedStatus
{
    /// <summary>Environment variable naming the folder of the snapshot files.</summary>
    public const string FolderVariable = "HPCJOBS_STATUS_DIR";

    /// <summary>Environment variable that turns sharing off (0): every poll then queries the scheduler itself.</summary>
    public const string SwitchVariable = "HPCJOBS_SHARED_STATUS";

    /// <summary>The slowest shared poll while the scheduler answers quickly, like one Wait-HpcJob's default.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(10);

    /// <summary>A status query slower than this is reported: a rate-limiting controller makes its clients sleep silently.</summary>
    public static readonly TimeSpan SlowAnswer = TimeSpan.FromSeconds(5);

    private static readonly Dictionary<string, SharedStatus> ByKey = [];
    private static readonly TimeSpan WatchEvery = TimeSpan.FromMilliseconds(25);
    private readonly IScheduler _backEnd;
    private readonly JobMemory _memory;
    private readonly SharedStatusFile _file;
    private readonly SemaphoreSlim _oneRefresh = new(1, 1);
    private StatusSnapshot? _last;

    private SharedStatus(IScheduler backEnd, JobMemory memory, SharedStatusFile file)
    {
        _backEnd = backEnd;
        _memory = memory;
        _file = file;
    }

    /// <summary>
    /// The shared status of a cluster back end whose commands run on a known machine; null for Local (its daemon is
    /// the one answer already) and for a scripted runner (no machine: nothing may be shared).
    /// </summary>
    internal static SharedStatus? For(IScheduler scheduler)
    {
        if (scheduler is not IClusterBackEnd { Commands.Machine: { } machine } source)
            return null;
        var key = ISharedStatus.KeyOf(scheduler.Kind, machine);
        if (EnvironmentSettings.Switch(SwitchVariable) == false)
            return null;
        lock (ByKey)
        {
            if (ByKey.TryGetValue(key, out var shared) && shared._backEnd == scheduler)
                return shared;
            var file = SharedStatusFile.Open(key);
            if (file is null)
                return null;
            shared = new SharedStatus(scheduler, source.Memory, file);
            ByKey[key] = shared;
            return shared;
        }
    }

    public string SnapshotPath => _file.Path;

    public (TimeSpan Interval, DateTimeOffset Due) Schedule(TimeSpan floor)
    {
        var last = _last;
        if (last is null)
            return (floor, DateTimeOffset.Now);
        var interval = SnapshotRules.Clamp(last.Interval, floor);
        return (interval, last.AnsweredAt + interval);
    }

    public string? Problem { get; private set; }

    public async Task<StatusReport> GetStatusAsync(
        IReadOnlyCollection<string> ids,
        TimeSpan? maxAge,
        TimeSpan floor,
        CancellationToken ct,
        bool poller = false,
        bool firstPoll = false
    )
    {
        var wanted = ids.Distinct().ToList();
        var snapshot = _file.Read();
        if (Answer(snapshot, wanted, maxAge, floor, poller, firstPoll) is { } fromSnapshot)
        {
            if (fromSnapshot.Unasked.Count > 0)
                await AskNextTimeAsync(fromSnapshot.Unasked, ct).ConfigureAwait(false);
            return await SettleAsync(fromSnapshot.Report, snapshot!, ct).ConfigureAwait(false);
        }

        await _oneRefresh.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // whoever gets the lock refreshes; the others watch the file (not the lock: fifty readers taking turns on
            // it would outlast the interval) until a fresh snapshot appears or the lock is free, at most LockWait
            var giveUp = DateTimeOffset.Now + SharedStatusFile.LockWait;
            while (true)
            {
                using var held = _file.TryLock();
                snapshot = _file.Read();
                if (Answer(snapshot, wanted, maxAge, floor, poller, firstPoll) is { } refreshedMeanwhile)
                {
                    // fresh now; ids no refresh has asked for yet are added for the next one, never refreshed for here
                    if (refreshedMeanwhile.Unasked.Count > 0)
                    {
                        if (held is { Held: true })
                            Register(held, snapshot!, refreshedMeanwhile.Unasked);
                        else
                            await AskNextTimeAsync(refreshedMeanwhile.Unasked, ct).ConfigureAwait(false);
                    }
                    return await SettleAsync(refreshedMeanwhile.Report, snapshot!, ct).ConfigureAwait(false);
                }
                if (held is not null || DateTimeOffset.Now > giveUp)
                {
                    if (
                        snapshot?.Failure is { } failure
                        && DateTimeOffset.Now - failure.At < SnapshotRules.Clamp(snapshot.Interval, floor)
                    )
                        throw new SchedulerUnavailableException(failure.Message);
                    snapshot = await RefreshAsync(snapshot, wanted, floor, held ?? _file.Unlocked, ct)
                        .ConfigureAwait(false);
                    break;
                }
                await Task.Delay(WatchEvery, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _oneRefresh.Release();
        }
        return await SettleAsync(
                Answer(snapshot, wanted, TimeSpan.MaxValue, floor, poller, firstPoll)!.Report,
                snapshot,
                ct
            )
            .ConfigureAwait(false);
    }

    /// <summary>The snapshot's answer (<see cref="SnapshotRules.Answer"/>); a fresh snapshot is kept for the schedule.</summary>
    private SnapshotRules.SnapshotAnswer? Answer(
        StatusSnapshot? snapshot,
        List<string> ids,
        TimeSpan? maxAge,
        TimeSpan floor,
        bool poller,
        bool firstPoll
    )
    {
        var now = DateTimeOffset.Now;
        if (!SnapshotRules.IsFresh(snapshot, maxAge, floor, now))
            return null;
        _last = snapshot;
        return SnapshotRules.Answer(snapshot!, ids, maxAge, floor, poller, firstPoll, now, _memory.SubmittedJob);
    }

    /// <summary>Adds ids to the snapshot's list so the next refresh, by whichever process, asks for them too.</summary>
    private async Task AskNextTimeAsync(List<string> ids, CancellationToken ct)
    {
        // briefly: if the lock stays busy, the ids are added on this process's next poll
        using var held = await _file.LockAsync(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
        if (held.Held && _file.Read() is { } snapshot)
            Register(held, snapshot, ids);
    }

    private static void Register(SharedStatusFile.Lock held, StatusSnapshot snapshot, List<string> ids)
    {
        var asked = snapshot.Asked.ToDictionary();
        foreach (var id in ids)
            asked.TryAdd(id, DateTimeOffset.Now);
        held.Write(snapshot with { Asked = asked });
    }

    /// <summary>Ids the snapshot reports missing or Unknown are asked directly: this process may know more of them.</summary>
    private async Task<StatusReport> SettleAsync(StatusReport report, StatusSnapshot snapshot, CancellationToken ct)
    {
        foreach (var j in report.Jobs.Where(j => !j.IsFinished))
            _memory.SawLive(j.JobId);
        var unsure = report
            .NotFound.Select(n => n.JobId)
            .Concat(report.Jobs.Where(j => j.State == JobState.Unknown).Select(j => j.ArrayJobId ?? j.JobId))
            .Distinct()
            .ToList();
        if (unsure.Count == 0 || snapshot.RefreshedBy == Environment.ProcessId)
            return report;
        var direct = await _backEnd.GetStatusAsync(unsure, ct).ConfigureAwait(false);
        var replaced = direct.Jobs.Select(j => j.JobId).Concat(unsure).ToHashSet();
        return new StatusReport(
            report
                .Jobs.Where(j => !replaced.Contains(j.JobId) && !replaced.Contains(j.ArrayJobId ?? ""))
                .Concat(direct.Jobs)
                .ToList(),
            report.NotFound.Where(n => !unsure.Contains(n.JobId)).Concat(direct.NotFound).ToList()
        );
    }

    /// <summary>One query for every id still wanted by any process, written for all of them; the interval adapts.</summary>
    private async Task<StatusSnapshot> RefreshAsync(
        StatusSnapshot? previous,
        List<string> wanted,
        TimeSpan floor,
        SharedStatusFile.Lock held,
        CancellationToken ct
    )
    {
        var now = DateTimeOffset.Now;
        var asked = SnapshotRules.NextAsked(previous, wanted, now);
        // a job that ended stays ended: its answer is carried, not asked again (PBS's qstat asks the server once per id)
        var ended = previous is null ? [] : asked.Keys.Where(id => SnapshotRules.HasEnded(previous, id)).ToHashSet();
        var started = DateTimeOffset.Now;
        StatusReport report;
        try
        {
            var query = asked.Keys.Where(id => !ended.Contains(id)).ToList();
            report =
                query.Count == 0 ? StatusReport.Empty : await _backEnd.GetStatusAsync(query, ct).ConfigureAwait(false);
        }
        catch (SchedulerUnavailableException e)
        {
            var failed = (previous ?? StatusSnapshot.Empty) with
            {
                Failure = new StatusFailure(DateTimeOffset.Now, e.Message),
                Interval = SnapshotRules.Clamp(
                    SnapshotRules.Min((previous?.Interval ?? floor) * 2, MaxInterval),
                    floor
                ),
            };
            held.Write(failed);
            throw;
        }
        var took = DateTimeOffset.Now - started;
        Problem =
            took > SlowAnswer
                ? $"the scheduler took {took.TotalSeconds:0.0} s to answer one status query; the controller may be "
                    + "overloaded or rate-limiting this user (polls go on at the shared interval)"
                : null;
        var changed = previous is null || SnapshotRules.Changed(previous, report);
        var interval = previous is null
            ? floor
            : PollInterval.Next(previous.Interval, changed, floor, MaxInterval, took);
        var carried =
            ended.Count == 0
                ? []
                : previous!.Jobs.Where(j => ended.Contains(j.JobId) || ended.Contains(j.ArrayJobId ?? "")).ToList();
        var snapshot = new StatusSnapshot(
            started,
            DateTimeOffset.Now,
            SnapshotRules.Clamp(interval, floor),
            asked,
            [.. report.Jobs, .. carried.Where(c => report.Jobs.All(j => j.JobId != c.JobId))],
            report.NotFound.Select(n => new JobLookupFailure(n.JobId, n.Message)).ToList(),
            null,
            Environment.ProcessId
        );
        held.Write(snapshot);
        _last = snapshot;
        return snapshot;
    }
}
