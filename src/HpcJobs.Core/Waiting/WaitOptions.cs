using HpcJobs.Core.Model;

namespace HpcJobs.Core.Waiting;

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

    /// <summary>
    /// Poll through the status shared by all of this user's processes (<see cref="ISharedStatus"/>), when the back end
    /// has one: the adaptive interval is then the shared one. Off only for tests that count one process's calls.
    /// </summary>
    public bool ShareStatus { get; init; } = true;

    /// <summary>
    /// Called once for each job that ends: the job's next attempt when it is to be retried (submitted already), which
    /// is then waited for in its place; null otherwise (Wait-HpcJob: the job's retry policy, <see cref="RetryStore"/>).
    /// </summary>
    public Func<JobInfo, CancellationToken, Task<RetryOutcome>>? Retry { get; init; }
}
