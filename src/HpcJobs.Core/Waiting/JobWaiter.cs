using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Waiting;

/// <summary>Polls a scheduler with one batched status call per round until the jobs finish, a timeout, or cancellation.</summary>
public static class JobWaiter
{
    /// <summary>The most common reason among the waiting jobs, in words when there are some, and the soonest estimate.</summary>
    internal static string? WhyWaiting(IEnumerable<JobInfo> jobs)
    {
        var waiting = jobs.Where(j => j.State is JobState.Pending or JobState.Held).ToList();
        if (waiting.Count == 0)
            return null;
        var common = waiting
            .Where(j => j.Reason is not null)
            .GroupBy(j => j.Reason!)
            .OrderByDescending(g => g.Count())
            .FirstOrDefault();
        var soonest = waiting.Select(j => j.EstimatedStart).Where(t => t is not null).Min();
        var parts = new List<string>();
        if (common is not null)
            parts.Add(
                $"{common.Count()} waiting for {common.Key}"
                    + (common.First().ReasonExplained is { } words ? $": {words}" : "")
            );
        if (soonest is { } at)
            parts.Add($"first estimated start {at.ToLocalTime():yyyy-MM-dd HH:mm}");
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    public static async Task<WaitResult> WaitAsync(
        IScheduler scheduler,
        IReadOnlyCollection<string> jobIds,
        WaitOptions options,
        IProgress<WaitProgress>? progress = null,
        CancellationToken cancellationToken = default
    )
    {
        var started = DateTimeOffset.Now;
        var pending = jobIds.Distinct().ToList();
        // the ids in the caller's order, each replaced by its latest attempt when a job is retried
        var order = jobIds.ToList();
        var attempts = new Dictionary<string, (int? Attempt, string? RetryOf)>();
        var latest = new Dictionary<string, JobInfo>();
        var finished = new Dictionary<string, JobInfo>();
        var notFound = new List<JobLookupFailure>();
        var cannotRun = new Dictionary<string, JobInfo>();
        // never faster than the scheduler can usefully answer, even when asked to
        var floor = StatusPolls.Floor(scheduler, options.MinPollInterval);
        var fixedInterval = options.PollInterval is { } asked ? StatusPolls.Floor(scheduler, asked) : (TimeSpan?)null;
        var interval = fixedInterval ?? floor;
        var shared = options.ShareStatus ? ISharedStatus.For(scheduler) : null;
        var failures = 0;
        var first = true;
        while (true)
        {
            string? problem = null;
            try
            {
                var answerTime = System.Diagnostics.Stopwatch.StartNew();
                var report = shared is null
                    ? await scheduler.GetStatusAsync(pending, cancellationToken).ConfigureAwait(false)
                    : await shared
                        .GetStatusAsync(
                            pending,
                            fixedInterval,
                            floor,
                            cancellationToken,
                            poller: true,
                            firstPoll: first
                        )
                        .ConfigureAwait(false);
                first = false;
                failures = 0;
                notFound.AddRange(report.NotFound);
                var gone = report.NotFound.Select(n => n.JobId).ToHashSet();
                var changed = gone.Count > 0;
                var retried = new List<JobInfo>();
                foreach (var polled in report.Jobs)
                {
                    var job = attempts.TryGetValue(polled.JobId, out var a)
                        ? polled with
                        {
                            Attempt = a.Attempt,
                            RetryOf = a.RetryOf,
                        }
                        : polled;
                    if (!latest.TryGetValue(job.JobId, out var before) || before.State != job.State)
                        changed = true;
                    latest[job.JobId] = job;
                    if (!job.IsFinished)
                        continue;
                    if (finished.ContainsKey(job.JobId))
                    {
                        finished[job.JobId] = job; // a later answer may know more (an exit code sacct gives later)
                        continue;
                    }
                    var outcome = options.Retry is { } retry
                        ? await retry(job, cancellationToken).ConfigureAwait(false)
                        : new RetryOutcome(job, null);
                    if (outcome.Next is { } next)
                    {
                        latest.Remove(job.JobId);
                        latest[next.JobId] = next;
                        attempts[next.JobId] = (next.Attempt, next.RetryOf);
                        order = order.Select(id => id == job.JobId ? next.JobId : id).ToList();
                        retried.Add(next);
                    }
                    else
                    {
                        finished[job.JobId] = latest[job.JobId] = outcome.Ended;
                        attempts[job.JobId] = (outcome.Ended.Attempt, outcome.Ended.RetryOf);
                    }
                }
                // an array id stays in the query until every task it expands to has finished
                var answering = JobOrdering.ByRequestedId(report.Jobs);
                pending = pending
                    .Where(id => !gone.Contains(id) && !IsDone(answering[id]))
                    .Concat(retried.Select(j => j.JobId))
                    .ToList();
                foreach (var job in report.Jobs.Where(j => j.CanNeverRun))
                    cannotRun[job.JobId] = job;
                if (fixedInterval is null && shared is not null)
                    interval = SharedDelay(shared, floor);
                else if (fixedInterval is null)
                    interval = PollInterval.Next(interval, changed, floor, options.MaxPollInterval, answerTime.Elapsed);
            }
            catch (SchedulerUnavailableException e)
            {
                // a controller restart or a socket time-out: keep waiting, back off with jitter
                failures++;
                problem = e.Message;
                interval = new RetryPolicy(
                    FirstDelaySeconds: 1,
                    MaxDelaySeconds: options.MaxPollInterval.TotalSeconds
                ).Delay(Math.Min(failures, 8));
            }

            var elapsed = DateTimeOffset.Now - started;
            var counts = latest.Values.GroupBy(j => j.State).ToDictionary(g => g.Key, g => g.Count());
            progress?.Report(
                new WaitProgress(latest.Count, finished.Count, counts, elapsed, interval, problem)
                {
                    Warning = shared?.Problem,
                    Waiting = WhyWaiting(latest.Values),
                }
            );
            var unfinished = latest.Values.Where(j => !j.IsFinished && !j.CanNeverRun).ToList();
            if (pending.Count == 0 || (options.Any && finished.Count > 0 && problem is null))
                return new WaitResult(Order(finished.Values, order), unfinished, notFound, false, pending)
                {
                    CannotRun = Order(cannotRun.Values, order),
                };
            if (options.Timeout is { } timeout && elapsed >= timeout)
                return new WaitResult(Order(finished.Values, order), unfinished, notFound, true, pending)
                {
                    CannotRun = Order(cannotRun.Values, order),
                };
            var delay = options.Timeout is { } t
                ? TimeSpan.FromTicks(Math.Min(interval.Ticks, Math.Max(0, (t - elapsed).Ticks)))
                : interval;
            if (scheduler is IJobEndNotifier notifier && problem is null)
                await notifier.WaitForEndAsync(pending, delay, cancellationToken).ConfigureAwait(false); // wakes on the end itself
            else
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Until the shared snapshot is due again: all of the user's pollers wake together and one of them refreshes it.</summary>
    private static TimeSpan SharedDelay(ISharedStatus shared, TimeSpan floor)
    {
        var untilDue = shared.Schedule(floor).Due - DateTimeOffset.Now;
        return untilDue > MinSharedDelay ? untilDue : MinSharedDelay;
    }

    private static readonly TimeSpan MinSharedDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>Every job an id stands for ended, or can never start (waiting would never end).</summary>
    private static bool IsDone(IEnumerable<JobInfo> answering)
    {
        var any = false;
        foreach (var job in answering)
        {
            if (!job.IsFinished && !job.CanNeverRun)
                return false;
            any = true;
        }
        return any;
    }

    private static List<JobInfo> Order(IEnumerable<JobInfo> jobs, IReadOnlyCollection<string> ids) =>
        JobOrdering.InInputOrder(jobs, ids).ToList();
}
