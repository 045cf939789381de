using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Waiting;

/// <summary>A refresh of the shared status that failed.</summary>
/// <param name="At">When the refresh failed.</param>
/// <param name="Message">Why, as the back end said.</param>
public sealed record StatusFailure(DateTimeOffset At, string Message);

/// <summary>The shared status of one user and place, as its file holds it (<see cref="SharedStatusFile"/>).</summary>
/// <param name="StartedAt">When the query that made it began: nothing in it was observed earlier than this.</param>
/// <param name="AnsweredAt">When its answer came: its age, and the next refresh, count from here (a slow query must
/// not leave a snapshot that is stale the moment it is written, or the waiters refresh back to back).</param>
/// <param name="Interval">The shared poll interval after this refresh.</param>
/// <param name="Asked">Every id the snapshot is for, with when a process last asked for it; an id asked after
/// <paramref name="StartedAt"/> waits for the next refresh.</param>
/// <param name="Jobs">The back end's answer.</param>
/// <param name="NotFound">Ids the back end did not know.</param>
/// <param name="Failure">The last refresh failed: the others back off instead of each trying again.</param>
/// <param name="RefreshedBy">The process id of the refresher.</param>
public sealed record StatusSnapshot(
    DateTimeOffset StartedAt,
    DateTimeOffset AnsweredAt,
    TimeSpan Interval,
    IReadOnlyDictionary<string, DateTimeOffset> Asked,
    IReadOnlyList<JobInfo> Jobs,
    IReadOnlyList<JobLookupFailure> NotFound,
    StatusFailure? Failure,
    int RefreshedBy
)
{
    public static StatusSnapshot Empty { get; } =
        new(
            DateTimeOffset.MinValue,
            DateTimeOffset.MinValue,
            TimeSpan.Zero,
            new Dictionary<string, DateTimeOffset>(),
            [],
            [],
            null,
            0
        );

    /// <summary>True when <paramref name="id"/> was asked for before the query began, so the snapshot answers it.</summary>
    public bool Answers(string id) => Asked.TryGetValue(id, out var at) && at <= StartedAt;
}
