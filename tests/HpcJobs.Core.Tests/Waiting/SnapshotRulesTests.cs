using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Waiting;

/// <summary>
/// The shared snapshot's rules without a cluster or a clock (SnapshotRules): what a snapshot answers and when a refresh
/// is needed instead, read-your-writes, which ids a refresh keeps asking for, what counts as a change, which answers
/// are final. The live tests beside it (SharedStatusTests) show the same rules holding between real processes.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SnapshotRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Floor = TimeSpan.FromSeconds(1);

    private static JobInfo Job(string id, JobState state, DateTimeOffset at, string? array = null) =>
        new()
        {
            JobId = id,
            Scheduler = "Slurm",
            State = state,
            ArrayJobId = array,
            QueriedAt = at,
        };

    /// <summary>A snapshot whose query began at T0 and was answered a second later, asked for <paramref name="asked"/>.</summary>
    private static StatusSnapshot Snapshot(
        IEnumerable<JobInfo> jobs,
        IEnumerable<string> asked,
        double intervalSeconds = 5,
        IEnumerable<JobLookupFailure>? notFound = null,
        DateTimeOffset? askedAt = null
    ) =>
        new(
            T0,
            T0.AddSeconds(1),
            TimeSpan.FromSeconds(intervalSeconds),
            asked.ToDictionary(id => id, _ => askedAt ?? T0.AddSeconds(-1)),
            jobs.ToList(),
            (notFound ?? []).ToList(),
            null,
            4242
        );

    private static SnapshotRules.SnapshotAnswer? Answer(
        StatusSnapshot snapshot,
        double secondsAfterAnswer,
        string[] ids,
        TimeSpan? maxAge = null,
        Func<string, JobInfo?>? submitted = null,
        bool poller = true,
        bool firstPoll = false
    ) =>
        SnapshotRules.Answer(
            snapshot,
            [.. ids],
            maxAge,
            Floor,
            poller,
            firstPoll,
            T0.AddSeconds(1 + secondsAfterAnswer),
            submitted ?? (_ => null)
        );

    [Fact]
    public void A_snapshot_answers_within_its_interval_and_not_a_moment_after()
    {
        var snapshot = Snapshot([Job("1", JobState.Running, T0)], ["1"], intervalSeconds: 5);
        Assert.Equal(["1"], Answer(snapshot, 5, ["1"])!.Report.Jobs.Select(j => j.JobId));
        Assert.Null(Answer(snapshot, 5.001, ["1"]));
    }

    [Fact]
    public void A_max_age_overrides_the_interval_and_the_floor_holds_a_short_interval_up()
    {
        var snapshot = Snapshot([Job("1", JobState.Running, T0)], ["1"], intervalSeconds: 0.1);
        Assert.NotNull(Answer(snapshot, 0.9, ["1"])); // the floor (1 s), not the stored 0.1 s
        Assert.Null(Answer(snapshot, 2, ["1"], maxAge: TimeSpan.FromSeconds(1.5)));
        Assert.NotNull(Answer(snapshot, 2, ["1"], maxAge: TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void An_id_asked_after_the_query_began_is_not_answered_by_it()
    {
        // asked at T0 + 0.5 s, after the query began at T0: the query may not have covered it
        var snapshot = Snapshot([Job("1", JobState.Running, T0)], ["1"], askedAt: T0.AddSeconds(0.5));
        Assert.Null(Answer(snapshot, 0, ["1"]));
    }

    [Fact]
    public void An_array_id_stands_for_its_tasks_and_a_missing_id_is_reported_missing()
    {
        var snapshot = Snapshot(
            [Job("7_1", JobState.Completed, T0, "7"), Job("7_2", JobState.Running, T0, "7")],
            ["7", "9"],
            notFound: [new JobLookupFailure("9", "Invalid job id specified")]
        );
        var answer = Answer(snapshot, 0, ["7", "9"])!;
        Assert.Equal(["7_1", "7_2"], answer.Report.Jobs.Select(j => j.JobId).Order());
        Assert.Equal("9", Assert.Single(answer.Report.NotFound).JobId);
        Assert.Empty(answer.Unasked);
    }

    [Fact]
    public void A_job_submitted_here_is_answered_from_its_submission_while_fresh_and_asked_next_time()
    {
        var snapshot = Snapshot([Job("1", JobState.Running, T0)], ["1"]);
        var mine = Job("2", JobState.Pending, T0.AddSeconds(2));
        var answer = Answer(snapshot, 2, ["1", "2"], submitted: id => id == "2" ? mine : null)!;
        Assert.Equal(["1", "2"], answer.Report.Jobs.Select(j => j.JobId));
        Assert.Equal(["2"], answer.Unasked);
    }

    [Fact]
    public void An_old_submission_makes_a_poller_wait_for_the_refresh_but_a_first_poll_long_after_refreshes_at_once()
    {
        // the snapshot is fresh (interval 60 s), the submission is 10 s old: older than a 5 s max age
        var snapshot = Snapshot([], [], intervalSeconds: 60);
        var mine = Job("2", JobState.Pending, T0.AddSeconds(-8));
        JobInfo? Submitted(string id) => id == "2" ? mine : null;
        var polled = Answer(snapshot, 1, ["2"], TimeSpan.FromSeconds(5), Submitted, poller: true)!;
        Assert.Empty(polled.Report.Jobs); // a poller: nothing yet, and the id is asked next time
        Assert.Equal(["2"], polled.Unasked);
        Assert.Null(Answer(snapshot, 1, ["2"], TimeSpan.FromSeconds(5), Submitted, poller: false));
        Assert.Null(Answer(snapshot, 1, ["2"], TimeSpan.FromSeconds(5), Submitted, poller: true, firstPoll: true));
    }

    [Fact]
    public void An_id_neither_in_the_snapshot_nor_submitted_here_needs_a_refresh() =>
        Assert.Null(Answer(Snapshot([Job("1", JobState.Running, T0)], ["1"]), 0, ["1", "3"]));

    [Fact]
    public void Ids_stay_asked_while_unfinished_and_ten_minutes_after_the_end_and_go_after_an_hour_unasked()
    {
        var now = T0.AddMinutes(30);
        var previous = new StatusSnapshot(
            T0,
            T0,
            TimeSpan.FromSeconds(5),
            new Dictionary<string, DateTimeOffset>
            {
                ["running"] = T0.AddMinutes(-20),
                ["ended-recently"] = T0.AddMinutes(-20),
                ["ended-long-ago"] = T0.AddMinutes(-20),
                ["unknown-new"] = now.AddMinutes(-5),
                ["unknown-old"] = now.AddMinutes(-11),
                ["forgotten"] = now.AddMinutes(-61),
            },
            [
                Job("running", JobState.Running, T0),
                Job("ended-recently", JobState.Completed, now.AddMinutes(-9)),
                Job("ended-long-ago", JobState.Completed, now.AddMinutes(-11)),
                Job("forgotten", JobState.Running, T0),
            ],
            [],
            null,
            1
        );
        var asked = SnapshotRules.NextAsked(previous, ["new"], now);
        Assert.Equal(["ended-recently", "new", "running", "unknown-new"], asked.Keys.Order());
        Assert.Equal(T0.AddMinutes(-20), asked["running"]); // kept with when it was asked, not re-stamped
        Assert.Equal(now, asked["new"]);
    }

    [Fact]
    public void Only_a_state_change_of_a_known_job_is_a_change_not_a_new_job()
    {
        var previous = Snapshot([Job("1", JobState.Pending, T0)], ["1"]);
        Assert.False(
            SnapshotRules.Changed(
                previous,
                new StatusReport([Job("1", JobState.Pending, T0), Job("2", JobState.Running, T0)], [])
            )
        );
        Assert.True(SnapshotRules.Changed(previous, new StatusReport([Job("1", JobState.Running, T0)], [])));
    }

    [Fact]
    public void An_answer_is_final_when_every_job_of_the_id_has_ended_and_the_snapshot_answered_it()
    {
        var snapshot = Snapshot(
            [
                Job("5", JobState.Failed, T0),
                Job("7_1", JobState.Completed, T0, "7"),
                Job("7_2", JobState.Running, T0, "7"),
                Job("8_1", JobState.Completed, T0, "8"),
            ],
            ["5", "7", "8"]
        );
        Assert.True(SnapshotRules.HasEnded(snapshot, "5"));
        Assert.False(SnapshotRules.HasEnded(snapshot, "7")); // one task still runs
        Assert.True(SnapshotRules.HasEnded(snapshot, "8"));
        Assert.False(SnapshotRules.HasEnded(snapshot, "9")); // never answered
        var late = Snapshot([Job("5", JobState.Failed, T0)], ["5"], askedAt: T0.AddSeconds(1));
        Assert.False(SnapshotRules.HasEnded(late, "5")); // asked after the query began: not its answer
    }

    [Theory]
    [InlineData(0.2, 1)] // never below the floor
    [InlineData(5, 5)]
    [InlineData(600, 120)] // never slower than two minutes
    public void The_shared_interval_stays_between_the_floor_and_two_minutes(double seconds, double clamped) =>
        Assert.Equal(TimeSpan.FromSeconds(clamped), SnapshotRules.Clamp(TimeSpan.FromSeconds(seconds), Floor));
}
