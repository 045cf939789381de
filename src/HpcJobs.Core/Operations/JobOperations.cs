using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Operations;

/// <summary>Stopping jobs on any back end: status first, so finished and unknown jobs are told apart from live ones.</summary>
public static class JobOperations
{
    /// <summary>How long Stop waits for cancelled jobs to reach their end state before saying the cancel is in progress.</summary>
    public static readonly TimeSpan CancelSettleTime = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan SettlePoll = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// One status call, one cancel call for the live jobs, then status calls (every 0.25 s, or the scheduler's poll floor,
    /// for at most <see cref="CancelSettleTime"/>) until they all ended: a fixed number of calls whatever the number of
    /// jobs. A job still ending then (SLURM's COMPLETING, PBS's E) says so in its Reason.
    /// </summary>
    public static async Task<StopReport> StopAsync(
        IScheduler scheduler,
        IReadOnlyCollection<string> jobIds,
        CancellationToken ct = default
    )
    {
        var before = await scheduler.GetStatusAsync(jobIds, ct).ConfigureAwait(false);
        var live = before.Jobs.Where(j => !j.IsFinished).ToList();
        var finished = before.Jobs.Where(j => j.IsFinished).ToList();
        if (live.Count == 0)
            return new StopReport([], finished, before.NotFound);
        var refused = await scheduler.CancelAsync(live, ct).ConfigureAwait(false);
        var refusedIds = refused.Select(r => r.JobId).ToHashSet();
        live = live.Where(j => !refusedIds.Contains(j.JobId)).ToList();
        if (live.Count == 0)
            return new StopReport([], finished, before.NotFound) { Refused = refused };
        var ids = live.Select(j => j.JobId).ToList();
        var deadline = DateTimeOffset.Now + CancelSettleTime;
        Dictionary<string, JobInfo> byId;
        while (true)
        {
            var after = await scheduler.GetStatusAsync(ids, ct).ConfigureAwait(false);
            byId = after.Jobs.GroupBy(j => j.JobId).ToDictionary(g => g.Key, g => g.First());
            if (ids.All(id => byId.TryGetValue(id, out var j) && j.IsFinished) || DateTimeOffset.Now >= deadline)
                break;
            // at the scheduler's own pace: PBS's qstat pauses when called twice within a second
            await Task.Delay(StatusPolls.Floor(scheduler, SettlePoll), ct).ConfigureAwait(false);
        }
        var cancelled = live.Select(j => byId.GetValueOrDefault(j.JobId, j))
            .Select(j =>
                j.IsFinished
                    ? j
                    : j with
                    {
                        Reason =
                            $"CancelRequested: the scheduler is still ending the job ({j.NativeState ?? j.State.ToString()})",
                    }
            )
            .ToList();
        return new StopReport(cancelled, finished, before.NotFound) { Refused = refused };
    }

    /// <summary>
    /// Hold, release or requeue (Suspend-, Resume-, Restart-HpcJob): one status call; the jobs in a state the action
    /// applies to (<see cref="JobControlRule"/>) in one call per chunk; the others skipped with the reason; then status
    /// calls until every job acted on has left its state (at most <see cref="CancelSettleTime"/>).
    /// </summary>
    /// <summary>
    /// The next attempt of <paramref name="job"/> when its retry policy (<see cref="RetryStore"/>) says it gets one:
    /// submitted after the policy's pause, with more memory or time for the causes that need it, and kept with the
    /// policy so that whoever waits next retries it again. Null (said through <paramref name="say"/> when the policy
    /// names the cause) otherwise. Nothing retries a job nobody waits for.
    /// </summary>
    public static async Task<RetryOutcome> RetryAsync(
        IScheduler scheduler,
        JobInfo job,
        Action<string> say,
        CancellationToken ct = default
    )
    {
        if (!OperatingSystem.IsLinux() || RetryStore.Find(job) is not { } record)
            return new RetryOutcome(job, null);
        var ended = job with { Attempt = record.Attempt, RetryOf = record.PreviousJobId };
        var policy = record.Policy;
        if (!policy.On.Contains(ended.EndCause))
            return new RetryOutcome(ended, null);
        var of = $"attempt {record.Attempt} of {policy.MaxRetries + 1}";
        if (!policy.Retries(ended.EndCause, record.Attempt))
        {
            say($"Job {ended.JobId} ended {ended.EndCause} on its last attempt ({of}): not retried again.");
            return new RetryOutcome(ended, null);
        }
        if (policy.Next(record.Request, ended.EndCause) is not { } next)
        {
            say(
                $"Job {ended.JobId} ended {ended.EndCause} ({of}) but asked for no "
                    + (ended.EndCause == JobEndCause.OutOfMemory ? "-Memory" : "-Walltime")
                    + " to scale: another attempt would end the same way, so it is not retried."
            );
            return new RetryOutcome(ended, null);
        }
        await Task.Delay(policy.Pause, ct).ConfigureAwait(false);
        var submitted = await scheduler.SubmitAsync(next, ct).ConfigureAwait(false) with
        {
            Attempt = record.Attempt + 1,
            RetryOf = ended.JobId,
        };
        RetryStore.Save(
            submitted,
            record with
            {
                Request = next,
                Attempt = record.Attempt + 1,
                PreviousJobId = ended.JobId,
            }
        );
        var scaled =
            ended.EndCause == JobEndCause.OutOfMemory ? $", memory {ByteSize.ToDisplay(next.Resources.Memory!.Value)}"
            : ended.EndCause == JobEndCause.Walltime ? $", walltime {next.Resources.Walltime}"
            : "";
        say($"Job {ended.JobId} ended {ended.EndCause} ({of}): retried as job {submitted.JobId}{scaled}.");
        return new RetryOutcome(ended, submitted);
    }

    /// <summary>
    /// Set-HpcJob: applies <paramref name="changes"/> to the jobs that have not ended (finished ones are skipped with a
    /// reason, unknown ids reported), in one call per scheduler command, and returns them as they are afterwards.
    /// </summary>
    public static async Task<ControlReport> ChangeAsync(
        IScheduler scheduler,
        JobChanges changes,
        IReadOnlyCollection<string> jobIds,
        CancellationToken ct = default
    )
    {
        if (scheduler is not IJobChanger changer)
            throw new HpcErrorException(
                HpcErrors.OperationRefused,
                $"The {scheduler.Kind} back end cannot change a submitted job: stop it (Stop-HpcJob) and submit it again "
                    + "with the new values."
            );
        changes.Validate(scheduler.Kind);
        var before = await scheduler.GetStatusAsync(jobIds, ct).ConfigureAwait(false);
        var (eligible, skipped) = JobControlRule.Sort(JobAction.Change, before.Jobs);
        if (eligible.Count == 0)
            return new ControlReport([], skipped, before.NotFound, []);
        var refused = await changer.ChangeAsync(eligible, changes, ct).ConfigureAwait(false);
        var refusedIds = refused.Select(r => r.JobId).ToHashSet();
        var changed = eligible.Select(j => j.JobId).Where(id => !refusedIds.Contains(id)).Distinct().ToList();
        var after = changed.Count == 0 ? [] : (await scheduler.GetStatusAsync(changed, ct).ConfigureAwait(false)).Jobs;
        return new ControlReport(after, skipped, before.NotFound, refused);
    }

    public static async Task<ControlReport> ControlAsync(
        IScheduler scheduler,
        JobAction action,
        IReadOnlyCollection<string> jobIds,
        CancellationToken ct = default
    )
    {
        if (scheduler is not IJobControl control)
            throw new HpcErrorException(
                HpcErrors.OperationRefused,
                $"The {scheduler.Kind} back end cannot {action.ToString().ToLowerInvariant()} jobs."
            );
        var before = await scheduler.GetStatusAsync(jobIds, ct).ConfigureAwait(false);
        var (eligible, skipped) = JobControlRule.Sort(action, before.Jobs);
        if (eligible.Count == 0)
            return new ControlReport([], skipped, before.NotFound, []);
        var refused = await control.ControlAsync(action, eligible, ct).ConfigureAwait(false);
        var refusedIds = refused.Select(r => r.JobId).ToHashSet();
        var ids = eligible.Select(j => j.JobId).Where(id => !refusedIds.Contains(id)).ToList();
        var acted = ids.ToHashSet();
        if (ids.Count == 0)
            return new ControlReport([], skipped, before.NotFound, refused);
        var deadline = DateTimeOffset.Now + CancelSettleTime;
        while (true)
        {
            var after = await scheduler.GetStatusAsync(ids, ct).ConfigureAwait(false);
            var changed = after.Jobs.Where(j => acted.Contains(j.JobId)).ToList();
            if (changed.All(j => !JobControlRule.AppliesTo(action, j.State)) || DateTimeOffset.Now >= deadline)
                return new ControlReport(changed, skipped, before.NotFound, refused);
            await Task.Delay(StatusPolls.Floor(scheduler, SettlePoll), ct).ConfigureAwait(false);
        }
    }
}
