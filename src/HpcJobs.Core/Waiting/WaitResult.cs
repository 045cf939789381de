using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Waiting;

/// <param name="Finished">The jobs that ended, in the order asked.</param>
/// <param name="Unfinished">The last answer for every job that had not ended.</param>
/// <param name="NotFound">Ids the scheduler did not know.</param>
/// <param name="TimedOut">The time-out passed first.</param>
/// <param name="Waiting">The ids still waited for (also those no answer has come for yet, e.g. while the scheduler was down).</param>
public sealed record WaitResult(
    IReadOnlyList<JobInfo> Finished,
    IReadOnlyList<JobInfo> Unfinished,
    IReadOnlyList<JobLookupFailure> NotFound,
    bool TimedOut,
    IReadOnlyList<string> Waiting
)
{
    /// <summary>Jobs the scheduler says can never start: no longer waited for, and not in <see cref="Unfinished"/>.</summary>
    public IReadOnlyList<JobInfo> CannotRun { get; init; } = [];

    /// <summary>What is not finished, for messages: the jobs with their states, or the bare ids when no answer came.</summary>
    public string Describe() =>
        Unfinished.Count > 0 ? string.Join(", ", Unfinished.Select(j => $"{j.JobId} ({j.State})"))
        : Waiting.Count > 0 ? string.Join(", ", Waiting.Select(id => $"{id} (no answer yet)"))
        : "none";
}

/// <summary>A job that ended, with its attempt when it has a retry policy, and its next attempt when it is retried.</summary>
public sealed record RetryOutcome(JobInfo Ended, JobInfo? Next);
