using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Kit;

/// <summary>Which states each action applies to, and what is said of the others: one rule for every back end.</summary>
public static class JobControlRule
{
    public static bool AppliesTo(JobAction action, JobState state) =>
        action switch
        {
            JobAction.Hold => state == JobState.Pending,
            JobAction.Release => state == JobState.Held,
            JobAction.Requeue => state is JobState.Running or JobState.Suspended,
            // a running job: what the scheduler allows (a shorter time limit on SLURM), or its refusal, said per job
            JobAction.Change => !state.IsFinished() && state != JobState.Unknown,
            _ => false,
        };

    /// <summary>
    /// Whether <paramref name="action"/> can change <paramref name="job"/>: its state is one the action applies to, and
    /// a release is not asked of a job only its dependencies hold (PBS's system hold lifts when they end).
    /// </summary>
    public static bool AppliesTo(JobAction action, JobInfo job) =>
        AppliesTo(action, job.State) && !(action == JobAction.Release && job.HeldBy == HoldType.Dependency);

    /// <summary>The jobs <paramref name="action"/> applies to, and the others with why they are skipped.</summary>
    public static (List<JobInfo> Eligible, List<(JobInfo Job, string Why)> Skipped) Sort(
        JobAction action,
        IEnumerable<JobInfo> jobs
    )
    {
        var all = jobs.ToList();
        return (
            all.Where(j => AppliesTo(action, j)).ToList(),
            all.Where(j => !AppliesTo(action, j)).Select(j => (j, WhySkipped(action, j))).ToList()
        );
    }

    /// <summary>
    /// Why <paramref name="job"/> is skipped by <paramref name="action"/> (it is in a state the action does not apply to).
    /// </summary>
    public static string WhySkipped(JobAction action, JobInfo job) =>
        job.IsFinished
            ? $"Job {job.JobId} has already finished ({job.State}); nothing to {Verb(action)}."
            : action switch
            {
                JobAction.Hold when job.State == JobState.Held => $"Job {job.JobId} is already held.",
                JobAction.Hold =>
                    $"Job {job.JobId} is {job.State}: only pending jobs can be held. A running job is stopped with "
                        + "Stop-HpcJob, or put back in the queue with Restart-HpcJob (suspending a running job is for "
                        + "the cluster's administrators: scontrol suspend).",
                JobAction.Release when job.HeldBy == HoldType.Dependency =>
                    $"Job {job.JobId} is held until its dependencies are met (the scheduler's own hold, Hold_Types s): "
                        + "it is released by itself when they end, not by Resume-HpcJob. To run it now, submit it again "
                        + "without -DependsOn.",
                JobAction.Release => $"Job {job.JobId} is {job.State}, not held: nothing to release.",
                JobAction.Change =>
                    $"Job {job.JobId} is {job.State}: whether it still runs is not known, so it is not changed.",
                _ =>
                    $"Job {job.JobId} is {job.State}: only running jobs can be requeued (a pending job is already queued).",
            };

    private static string Verb(JobAction action) =>
        action switch
        {
            JobAction.Hold => "hold",
            JobAction.Release => "release",
            JobAction.Change => "change",
            _ => "requeue",
        };
}

/// <summary>What to add to a refusal whose text contains <paramref name="Contains"/> (for <paramref name="Only"/> that action).</summary>
public sealed record RefusalAdvice(string Contains, string Advice, JobAction? Only = null)
{
    /// <summary>The refusals, each with the advice that fits it, if any.</summary>
    public static IReadOnlyList<JobLookupFailure> Apply(
        IEnumerable<JobLookupFailure> refused,
        JobAction action,
        IReadOnlyList<RefusalAdvice> advice
    ) =>
        refused
            .Select(r =>
                advice.FirstOrDefault(a =>
                    (a.Only is null || a.Only == action) && r.Message.Contains(a.Contains, StringComparison.Ordinal)
                )
                    is { } fits
                    ? r with
                    {
                        Message = r.Message + " " + fits.Advice,
                    }
                    : r
            )
            .ToList();
}
