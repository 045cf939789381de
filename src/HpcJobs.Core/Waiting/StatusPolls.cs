using HpcJobs.Core.Contract;

namespace HpcJobs.Core.Waiting;

/// <summary>How pollers and cmdlets ask for status: through the shared snapshot when the back end has one, else directly.</summary>
public static class StatusPolls
{
    /// <summary>The fastest a poller asks: the caller's wish, never under what the scheduler can usefully answer.</summary>
    public static TimeSpan Floor(IScheduler scheduler, TimeSpan? asked = null)
    {
        var wish = asked ?? TimeSpan.FromMilliseconds(200);
        return wish > scheduler.MinPollInterval ? wish : scheduler.MinPollInterval;
    }

    /// <summary>
    /// Status for a poller (-AsJob, Receive-HpcJob -Wait): from the snapshot shared by the user's processes, as old as the
    /// shared interval at most; directly when status is not shared.
    /// </summary>
    public static Task<StatusReport> PollAsync(
        IScheduler scheduler,
        IReadOnlyCollection<string> ids,
        CancellationToken ct
    ) =>
        ISharedStatus.For(scheduler) is { } shared
            ? shared.GetStatusAsync(ids, null, Floor(scheduler), ct, poller: true)
            : scheduler.GetStatusAsync(ids, ct);

    /// <summary>
    /// Status no older than <paramref name="maxAge"/> (Get-HpcJobStatus -MaxAge): a snapshot another process took
    /// answers when young enough; null or zero asks the scheduler now.
    /// </summary>
    public static Task<StatusReport> AtMostAsync(
        IScheduler scheduler,
        IReadOnlyCollection<string> ids,
        TimeSpan? maxAge,
        CancellationToken ct
    ) =>
        maxAge is { } age && age > TimeSpan.Zero && ISharedStatus.For(scheduler) is { } shared
            ? shared.GetStatusAsync(ids, age, Floor(scheduler), ct)
            : scheduler.GetStatusAsync(ids, ct);
}
