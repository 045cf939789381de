using HpcJobs.Core.Local;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Tests.Local;

/// <summary>The Local scheduling pass alone, without a daemon or a process (issue 15): slots, order, throttles, dependencies.</summary>
[Trait("Category", "Unit")]
public sealed class LocalSchedulingPassTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    private static LocalJobRecord Unit(
        string id,
        int cpus = 1,
        int second = 0,
        JobState state = JobState.Pending,
        string? array = null,
        int? throttle = null,
        params JobDependency[] deps
    ) =>
        new()
        {
            Id = id,
            Name = id,
            Argv = ["true"],
            Environment = [],
            WorkingDirectory = "/",
            StdOutPath = "/dev/null",
            Cpus = cpus,
            SubmitTime = T0.AddSeconds(second),
            State = state,
            ArrayJobId = array,
            ArrayThrottle = throttle,
            Dependencies = [.. deps],
        };

    private static string Show(IEnumerable<LocalSchedulingPass.Outcome> outcomes) =>
        string.Join(" ", outcomes.Select(o => $"{o.Unit.Id}:{o.Decision}:{o.Reason}"));

    private static IReadOnlyList<LocalJobRecord>? None(string _) => null;

    [Fact]
    public void Units_start_in_submission_order_while_slots_last_and_the_rest_wait_for_resources()
    {
        var outcomes = LocalSchedulingPass.Decide(
            [
                Unit("3", cpus: 1, second: 2),
                Unit("1", cpus: 2, second: 0),
                Unit("2", cpus: 2, second: 1),
                Unit("4", second: 2),
            ],
            [Unit("9", cpus: 1, state: JobState.Running)],
            4,
            T0,
            None
        );
        // 9 holds 1 slot; 1 takes 2 (3 used); 2 needs 2 more: waits; 3 fits the last one; 4 (same second, higher id) waits
        Assert.Equal("1:Start:None 2:Wait:Resources 3:Start:None 4:Wait:Resources", Show(outcomes));
    }

    [Fact]
    public void A_unit_exactly_filling_the_slots_starts()
    {
        Assert.Equal("1:Start:None", Show(LocalSchedulingPass.Decide([Unit("1", cpus: 4)], [], 4, T0, None)));
        Assert.Equal("1:Wait:Resources", Show(LocalSchedulingPass.Decide([Unit("1", cpus: 5)], [], 4, T0, None)));
    }

    [Fact]
    public void An_array_throttle_counts_running_tasks_and_tasks_started_in_this_pass()
    {
        var outcomes = LocalSchedulingPass.Decide(
            [
                Unit("5_1", array: "5", throttle: 2, second: 1),
                Unit("5_2", array: "5", throttle: 2, second: 2),
                Unit("6", second: 3),
            ],
            [Unit("5_0", array: "5", throttle: 2, state: JobState.Running)],
            8,
            T0,
            None
        );
        Assert.Equal("5_1:Start:None 5_2:Wait:JobArrayTaskLimit 6:Start:None", Show(outcomes));
    }

    [Fact]
    public void Dependencies_wait_start_or_doom_a_unit_and_doom_cascades()
    {
        var failed = Unit("1", state: JobState.Failed);
        var done = Unit("2", state: JobState.Completed);
        var running = Unit("3", state: JobState.Running);
        var known = new Dictionary<string, LocalJobRecord>
        {
            ["1"] = failed,
            ["2"] = done,
            ["3"] = running,
        };
        var a = Unit("10", second: 1, deps: new JobDependency("1", DependencyKind.AfterOk));
        var b = Unit("11", second: 2, deps: new JobDependency("10", DependencyKind.AfterAny));
        var c = Unit("12", second: 3, deps: new JobDependency("2", DependencyKind.AfterOk));
        var d = Unit("13", second: 4, deps: new JobDependency("3", DependencyKind.AfterOk));
        var e = Unit("14", second: 5, deps: new JobDependency("1", DependencyKind.AfterNotOk));
        var f = Unit("15", second: 6, deps: new JobDependency("99", DependencyKind.AfterAny));
        foreach (var u in new[] { a, b, c, d, e })
            known[u.Id] = u;
        var outcomes = LocalSchedulingPass.Decide(
            [a, b, c, d, e, f],
            [running],
            8,
            T0,
            id => known.TryGetValue(id, out var u) ? [u] : null
        );
        // 10 can never run (1 failed); 11 after any end of 10, which is now cancelled: it may start; 15 names no job
        Assert.Equal(
            "10:NeverRuns:DependencyNeverSatisfied 15:NeverRuns:DependencyNeverSatisfied 11:Start:None 12:Start:None 13:Wait:Dependency 14:Start:None",
            Show(outcomes)
        );
    }

    [Fact]
    public void Doom_reaches_units_that_wait_on_a_doomed_unit_through_several_steps()
    {
        var root = Unit("1", state: JobState.Cancelled);
        var a = Unit("2", second: 1, deps: new JobDependency("1", DependencyKind.AfterOk));
        var b = Unit("3", second: 2, deps: new JobDependency("2", DependencyKind.AfterOk));
        var c = Unit("4", second: 0, deps: new JobDependency("3", DependencyKind.AfterOk));
        var known = new Dictionary<string, LocalJobRecord>
        {
            ["1"] = root,
            ["2"] = a,
            ["3"] = b,
            ["4"] = c,
        };
        var outcomes = LocalSchedulingPass.Decide(
            [c, a, b],
            [],
            8,
            T0,
            id => known.TryGetValue(id, out var u) ? [u] : null
        );
        Assert.Equal(3, outcomes.Count(o => o.Decision == PassDecision.NeverRuns));
    }

    [Fact]
    public void An_array_dependency_weighs_every_task_and_an_unreadable_record_is_waited_on()
    {
        var tasks = new[] { Unit("7_0", state: JobState.Completed), Unit("7_1", state: JobState.Running) };
        var afterArray = Unit("20", deps: new JobDependency("7", DependencyKind.AfterOk));
        var afterBroken = Unit("21", second: 1, deps: new JobDependency("8", DependencyKind.AfterOk));
        var outcomes = LocalSchedulingPass.Decide(
            [afterArray, afterBroken],
            [],
            8,
            T0,
            id =>
                id == "7" ? tasks
                : id == "8" ? throw new LocalStateException(HpcErrors.StateCorrupt, "/x", "unreadable")
                : null
        );
        Assert.Equal("20:Wait:Dependency 21:Wait:Dependency", Show(outcomes));
        tasks[1].State = JobState.Completed;
        Assert.Equal("20:Start:None", Show(LocalSchedulingPass.Decide([afterArray], [], 8, T0, id => tasks)));
    }

    [Fact]
    public void A_waiting_unit_holds_no_slot_for_the_ones_behind_it()
    {
        var blocked = Unit("1", cpus: 8, second: 0);
        var small = Unit("2", cpus: 1, second: 1);
        Assert.Equal(
            "1:Wait:Resources 2:Start:None",
            Show(LocalSchedulingPass.Decide([blocked, small], [], 4, T0, None))
        );
    }
}
