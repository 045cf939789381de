using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Waiting;

/// <summary>Status for pollers, shared between processes: what <see cref="SharedStatus"/> offers, on every platform.</summary>
public interface ISharedStatus
{
    /// <summary>Where the snapshot lives, for Get-HpcScheduler and tests.</summary>
    string SnapshotPath { get; }

    /// <summary>What went wrong or was slow on this process's last refresh, for the poller to show; null when all was well.</summary>
    string? Problem { get; }

    /// <summary>The shared poll interval now (never below <paramref name="floor"/>), and when the next refresh is due.</summary>
    (TimeSpan Interval, DateTimeOffset Due) Schedule(TimeSpan floor);

    /// <summary>
    /// Status of <paramref name="ids"/> observed no longer than <paramref name="maxAge"/> ago, by default the shared
    /// interval (<paramref name="floor"/>: the fastest that interval may go). Throws
    /// <see cref="SchedulerUnavailableException"/> while the last refresh, by any process, failed less than an interval
    /// ago: retries count against one budget, never once per process. A <paramref name="poller"/> (one that asks again
    /// at the next refresh) may get no answer yet for a job this process submitted longer than the interval ago that no
    /// refresh has asked for yet, rather than force a refresh of its own.
    /// </summary>
    Task<StatusReport> GetStatusAsync(
        IReadOnlyCollection<string> ids,
        TimeSpan? maxAge,
        TimeSpan floor,
        CancellationToken ct,
        bool poller = false,
        bool firstPoll = false
    );

    /// <summary>
    /// The shared status of <paramref name="scheduler"/> (by its kind and machine, <see cref="KeyOf"/>), one
    /// per key in this process (whatever the number of Wait calls in it); null when its status is not shared: the back
    /// end has no key (Local, scripted runners),
    /// sharing is off ($HPCJOBS_SHARED_STATUS=0), the platform is not Linux, or the snapshot folder is not private to you.
    /// </summary>
    static ISharedStatus? For(IScheduler scheduler) => OperatingSystem.IsLinux() ? SharedStatus.For(scheduler) : null;

    /// <summary>The name of the snapshot of <paramref name="kind"/> on <paramref name="machine"/> (<c>slurm@host</c>).</summary>
    static string KeyOf(SchedulerKind kind, string machine) => $"{kind.ToString().ToLowerInvariant()}@{machine}";

    /// <summary>
    /// A probe's turn to check that the scheduler of <paramref name="key"/> answers, one process of the user at a
    /// time (the probes' lock beside the snapshot): an answer younger than the caller's limit, a refresh's or another
    /// probe's, stands for a ping, so K scripts that start at once ping once. Null where status is not shared.
    /// </summary>
    static async Task<ProbeTurn?> ProbeTurnAsync(string key, CancellationToken ct)
    {
        if (!OperatingSystem.IsLinux() || EnvironmentSettings.Switch(SharedStatus.SwitchVariable) == false)
            return null;
        if (SharedStatusFile.Open(key) is not { } file)
            return null;
        var held = await file.ProbeLockAsync(ct).ConfigureAwait(false);
        return new ProbeTurn(file, held);
    }
}
