using HpcJobs.Core.Model;

namespace HpcJobs.Core.Scheduling;

public sealed record WaitOptions
{
    /// <summary>Give up after this long (null: wait for ever).</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>Return as soon as one job has finished.</summary>
    public bool Any { get; init; }
    /// <summary>A fixed poll interval; null means adaptive (fast at first, backing off to <see cref="MaxPollInterval"/>).</summary>
    public TimeSpan? PollInterval { get; init; }
    public TimeSpan MinPollInterval { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>One poll round's view, for progress display.</summary>
public sealed record WaitProgress(int Total, int Finished, IReadOnlyDictionary<JobState, int> Counts, TimeSpan Elapsed, TimeSpan NextPoll, string? Problem);

public sealed record WaitResult(IReadOnlyList<JobInfo> Finished, IReadOnlyList<JobInfo> Unfinished, IReadOnlyList<JobLookupFailure> NotFound, bool TimedOut);

/// <summary>Polls a scheduler with one batched status call per round until the jobs finish, a timeout, or cancellation.</summary>
public static class JobWaiter
{
    public static async Task<WaitResult> WaitAsync(IScheduler scheduler, IReadOnlyCollection<string> jobIds, WaitOptions options,
        IProgress<WaitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var started = DateTimeOffset.Now;
        var pending = jobIds.Distinct().ToList();
        var latest = new Dictionary<string, JobInfo>();
        var finished = new Dictionary<string, JobInfo>();
        var notFound = new List<JobLookupFailure>();
        var interval = options.PollInterval ?? options.MinPollInterval;
        var failures = 0;
        while (true)
        {
            string? problem = null;
            try
            {
                var report = await scheduler.GetStatusAsync(pending, cancellationToken).ConfigureAwait(false);
                failures = 0;
                notFound.AddRange(report.NotFound);
                var gone = report.NotFound.Select(n => n.JobId).ToHashSet();
                var changed = gone.Count > 0;
                foreach (var job in report.Jobs)
                {
                    if (!latest.TryGetValue(job.JobId, out var before) || before.State != job.State) changed = true;
                    latest[job.JobId] = job;
                    if (job.IsFinished) finished[job.JobId] = job;
                }
                // an array id stays in the query until every task it expands to has finished
                pending = pending.Where(id => !gone.Contains(id) && !IsDone(id, report.Jobs)).ToList();
                if (options.PollInterval is null)
                    interval = changed
                        ? TimeSpan.FromTicks(Math.Max(options.MinPollInterval.Ticks, interval.Ticks / 2))
                        : TimeSpan.FromTicks(Math.Min(options.MaxPollInterval.Ticks, (long)(interval.Ticks * 1.5)));
            }
            catch (SchedulerUnavailableException e)
            {
                // a controller restart or a socket time-out: keep waiting, back off with jitter
                failures++;
                problem = e.Message;
                var backoff = Math.Min(options.MaxPollInterval.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(failures, 6)));
                interval = TimeSpan.FromMilliseconds(backoff * (0.75 + Random.Shared.NextDouble() * 0.5));
            }

            var elapsed = DateTimeOffset.Now - started;
            var counts = latest.Values.GroupBy(j => j.State).ToDictionary(g => g.Key, g => g.Count());
            progress?.Report(new WaitProgress(latest.Count, finished.Count, counts, elapsed, interval, problem));
            var unfinished = latest.Values.Where(j => !j.IsFinished).ToList();
            if (pending.Count == 0 || (options.Any && finished.Count > 0 && problem is null))
                return new WaitResult(Order(finished.Values, jobIds), unfinished, notFound, false);
            if (options.Timeout is { } timeout && elapsed >= timeout)
                return new WaitResult(Order(finished.Values, jobIds), unfinished, notFound, true);
            var delay = options.Timeout is { } t ? TimeSpan.FromTicks(Math.Min(interval.Ticks, Math.Max(0, (t - elapsed).Ticks))) : interval;
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsDone(string id, IReadOnlyList<JobInfo> jobs)
    {
        var mine = jobs.Where(j => j.JobId == id || j.ArrayJobId == id).ToList();
        return mine.Count > 0 && mine.All(j => j.IsFinished);
    }

    /// <summary>Keeps the order in which the ids were given (array tasks by task id).</summary>
    private static List<JobInfo> Order(IEnumerable<JobInfo> jobs, IReadOnlyCollection<string> ids)
    {
        var position = ids.Select((id, i) => (id, i)).GroupBy(x => x.id).ToDictionary(g => g.Key, g => g.First().i);
        return jobs.OrderBy(j => position.GetValueOrDefault(j.JobId, position.GetValueOrDefault(j.ArrayJobId ?? "", int.MaxValue)))
            .ThenBy(j => j.ArrayTaskId ?? -1).ToList();
    }
}
