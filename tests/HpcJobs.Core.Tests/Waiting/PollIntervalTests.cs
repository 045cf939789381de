using HpcJobs.Core.Tests.Support;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Waiting;

/// <summary>How often a waiter polls: backing off while nothing changes, coming back after a change, never sooner after a slow answer.</summary>
[Trait("Category", "Unit")]
public sealed class PollIntervalTests
{
    [Theory]
    [InlineData(0.2, true, 0.2)] // a change never slows polling down
    [InlineData(5, true, 1)] // after a change, within a second
    [InlineData(1, false, 1.5)] // nothing changed: 1.5 times longer
    [InlineData(8, false, 10)] // up to the maximum
    [InlineData(0.2, false, 0.3)]
    [InlineData(0.1, true, 0.2)] // never under the floor
    public void The_poll_interval_backs_off_and_comes_back_after_a_change(double before, bool changed, double after) =>
        Assert.Equal(TimeSpan.FromSeconds(after), NextInterval(before, changed));

    /// <summary>The next poll interval with a 0.2 s floor and a 10 s maximum, after an answer that took <paramref name="took"/> s.</summary>
    private static TimeSpan NextInterval(double before, bool changed, double took = 0) =>
        PollInterval.Next(
            TimeSpan.FromSeconds(before),
            changed,
            TimeSpan.FromSeconds(0.2),
            TimeSpan.FromSeconds(10),
            TimeSpan.FromSeconds(took)
        );

    [Theory]
    [InlineData(0.2, true, 3, 3)] // a scheduler that took 3 s to answer is not asked again sooner
    [InlineData(8, false, 61, 61)] // nor one that took a minute, past the usual 10 s
    [InlineData(1, false, 0.05, 1.5)] // a quick answer changes nothing
    public void A_slow_answer_is_never_followed_by_a_sooner_question(
        double before,
        bool changed,
        double took,
        double after
    ) => Assert.Equal(TimeSpan.FromSeconds(after), NextInterval(before, changed, took));

    [Fact]
    public void Changes_seen_in_every_poll_do_not_make_polling_ever_faster()
    {
        // a busy queue where each poll sees a job end or start: the interval settles, it does not shrink to the floor
        var interval = TimeSpan.FromSeconds(1);
        for (var i = 0; i < 20; i++)
            interval = PollInterval.Next(interval, true, TimeSpan.FromSeconds(0.2), TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(1), interval);
    }
}
