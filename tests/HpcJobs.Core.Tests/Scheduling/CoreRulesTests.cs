using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Scheduling;
using HpcJobs.Core.Slurm;
using HpcJobs.Core.Tests.Support;

namespace HpcJobs.Core.Tests.Scheduling;

/// <summary>
/// The small rules the back ends are built from, each stated with its edges (issue 22: what the mutation run showed no
/// test held): sizes, arrays, walltimes, the dependency truth table, submissions, SLURM's columns, command decisions.
/// </summary>
[Trait("Category", "Unit")]
public sealed class CoreRulesTests
{
    [Theory]
    [InlineData(1, "1B")]
    [InlineData(1023, "1023B")]
    [InlineData(1024, "1KB")]
    [InlineData(1536, "1.5KB")]
    [InlineData(1L << 20, "1MB")]
    [InlineData(5L << 30, "5GB")]
    [InlineData((1L << 40) + (1L << 39), "1.5TB")]
    [InlineData(1L << 50, "1PB")]
    [InlineData(1L << 60, "1024PB")]
    [InlineData(1234567, "1.18MB")]
    public void Sizes_display_in_the_largest_binary_unit(long bytes, string shown) =>
        Assert.Equal(shown, ByteSize.ToDisplay(bytes));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1L << 20, 1)]
    [InlineData((1L << 20) + 1, 2)]
    [InlineData(3L << 30, 3072)]
    public void Schedulers_get_whole_mebibytes_rounded_up(long bytes, long mib) =>
        Assert.Equal(mib, ByteSize.WholeMiB(bytes));

    [Theory]
    [InlineData("1MB", 1L << 20)]
    [InlineData("1PB", 1L << 50)]
    [InlineData("1048576", 1L << 20)]
    [InlineData("1b", null)]
    [InlineData("1048575", null)]
    [InlineData("1048575B", null)]
    [InlineData("1025TB", null)]
    [InlineData("99999999999999999999PB", null)]
    public void Sizes_are_between_1MB_and_1PB(string text, long? bytes)
    {
        if (bytes is { } b)
            Assert.Equal(b, ByteSize.Parse(text));
        else
            Assert.Throws<InvalidResourceSpecException>(() => ByteSize.Parse(text));
    }

    [Fact]
    public void Size_bounds_are_inclusive_and_name_the_field()
    {
        Assert.Equal(ByteSize.Minimum, ByteSize.Validate(ByteSize.Minimum));
        Assert.Equal(ByteSize.Maximum, ByteSize.Validate(ByteSize.Maximum));
        Assert.EndsWith(
            "must be at least 1MB",
            Assert.Throws<InvalidResourceSpecException>(() => ByteSize.Validate(ByteSize.Minimum - 1)).Message
        );
        var e = Assert.Throws<InvalidResourceSpecException>(() =>
            ByteSize.Validate(ByteSize.Maximum + 1, "MemPerCpu", "x")
        );
        Assert.Equal(("MemPerCpu", "MemPerCpu 'x' is not valid: must be at most 1PB"), (e.Field, e.Message));
        Assert.Throws<InvalidResourceSpecException>(() => ByteSize.Parse(null));
    }

    [Theory]
    [InlineData("0-3", "0,1,2,3", null)]
    [InlineData("1-7:3", "1,4,7", null)]
    [InlineData("1-7:3%1", "1,4,7", 1)]
    [InlineData("5,1,3-4", "1,3,4,5", null)]
    [InlineData("2", "2", null)]
    [InlineData(" 0-1%2 ", "0,1", 2)]
    public void Array_ranges_expand_as_sbatch_takes_them(string text, string indices, int? throttle)
    {
        var a = ArrayRange.Parse(text);
        Assert.Equal((indices, throttle), (string.Join(',', a.Indices), a.Throttle));
        Assert.Equal(a.Indices.Count, a.Count);
    }

    [Theory]
    [InlineData("1-3%0", "the throttle after % must be a whole number of at least 1")]
    [InlineData("1-3%x", "the throttle after % must be a whole number of at least 1")]
    [InlineData("%2", "no indices")]
    [InlineData("", "no indices")]
    [InlineData("a-b", "'a-b' is not N, N-M or N-M:STEP")]
    [InlineData("1-3:0", "the step must be at least 1")]
    [InlineData("5-1", "'5-1' ends before it starts")]
    [InlineData("0-1000000", "more than 1000000 tasks")]
    [InlineData("99999999999", "index too large")]
    [InlineData("1-99999999999", "index too large")]
    public void Bad_array_ranges_say_what_is_wrong_with_examples(string text, string why)
    {
        var e = Assert.Throws<InvalidJobRequestException>(() => ArrayRange.Parse(text));
        Assert.Equal($"ArrayRange '{text}' is not valid: {why}. Examples: 0-99, 1,3,5-7, 0-99:2, 0-99%10.", e.Message);
    }

    [Fact]
    public void Array_ranges_hold_up_to_the_task_limit()
    {
        Assert.Equal(ArrayRange.MaxTasks, ArrayRange.Parse($"0-{ArrayRange.MaxTasks - 1}").Count);
        Assert.Equal(500_000, ArrayRange.Parse("0-999999:2").Count);
        Assert.Equal(2, ArrayRange.Parse("1-2:1").Count);
        Assert.Equal(1, ArrayRange.Parse("3-3:2").Count);
        Assert.Throws<InvalidJobRequestException>(() => ArrayRange.Parse("0-499999,500000-1000000"));
    }

    [Theory]
    [InlineData("90m", 5400)]
    [InlineData("1h 30m", 5400)]
    [InlineData("2 h", 7200)]
    [InlineData("1d", 86400)]
    [InlineData("45s", 45)]
    [InlineData("01:02:03", 3723)]
    [InlineData("02:03", 123)]
    [InlineData("1-02", 93600)]
    [InlineData("1-02:03", 93780)]
    [InlineData("1-02:03:04", 93784)]
    [InlineData("0:0:59", 59)]
    [InlineData("365d", 31536000)]
    public void Walltimes_read_in_sbatch_and_unit_forms(string text, long seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Walltime.Parse(text));

    [Theory]
    [InlineData("00:60")]
    [InlineData("1:00:60")]
    [InlineData("1:60:00")]
    [InlineData("366d")]
    [InlineData("365d 1s")]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("90")]
    public void Bad_walltimes_are_refused(string text) =>
        Assert.Equal("Walltime", Assert.Throws<InvalidResourceSpecException>(() => Walltime.Parse(text)).Field);

    [Fact]
    public void Walltime_bounds_and_renderings()
    {
        Assert.Equal(Walltime.Maximum, Walltime.Validate(Walltime.Maximum));
        Assert.EndsWith(
            "must be at most 365 days",
            Assert
                .Throws<InvalidResourceSpecException>(() =>
                    Walltime.Validate(Walltime.Maximum + TimeSpan.FromSeconds(1))
                )
                .Message
        );
        Assert.EndsWith(
            "must be longer than zero",
            Assert.Throws<InvalidResourceSpecException>(() => Walltime.Validate(TimeSpan.Zero)).Message
        );
        Assert.EndsWith(
            "must be whole seconds",
            Assert
                .Throws<InvalidResourceSpecException>(() => Walltime.Validate(TimeSpan.FromMilliseconds(1500)))
                .Message
        );
        Assert.Equal(
            ("1-02:03:04", "26:03:04"),
            (Walltime.ToSlurm(new TimeSpan(1, 2, 3, 4)), Walltime.ToPbs(new TimeSpan(1, 2, 3, 4)))
        );
        Assert.Equal(
            ("00:05:00", "00:05:00"),
            (Walltime.ToSlurm(TimeSpan.FromMinutes(5)), Walltime.ToPbs(TimeSpan.FromMinutes(5)))
        );
    }

    [Theory]
    // AfterOk: all completed; any failed/cancelled ends it; else wait
    [InlineData(DependencyKind.AfterOk, new[] { JobState.Completed, JobState.Completed }, true)]
    [InlineData(DependencyKind.AfterOk, new[] { JobState.Completed, JobState.Running }, null)]
    [InlineData(DependencyKind.AfterOk, new[] { JobState.Failed, JobState.Running }, false)]
    [InlineData(DependencyKind.AfterOk, new[] { JobState.Cancelled }, false)]
    // AfterAny: all finished, however
    [InlineData(DependencyKind.AfterAny, new[] { JobState.Failed, JobState.Completed }, true)]
    [InlineData(DependencyKind.AfterAny, new[] { JobState.Failed, JobState.Pending }, null)]
    // AfterNotOk: all finished and one of them not completed
    [InlineData(DependencyKind.AfterNotOk, new[] { JobState.Completed, JobState.TimedOut }, true)]
    [InlineData(DependencyKind.AfterNotOk, new[] { JobState.Completed, JobState.Completed }, false)]
    [InlineData(DependencyKind.AfterNotOk, new[] { JobState.Failed, JobState.Running }, null)]
    // a job nobody knows never satisfies anything
    [InlineData(DependencyKind.AfterOk, new JobState[0], false)]
    [InlineData(DependencyKind.AfterAny, new JobState[0], false)]
    [InlineData(DependencyKind.AfterNotOk, new JobState[0], false)]
    public void The_dependency_truth_table(DependencyKind kind, JobState[] targets, bool? met) =>
        Assert.Equal(met, DependencyRule.IsMet(kind, targets));

    [Fact]
    public void A_script_must_name_its_interpreter()
    {
        var dir = Directory.CreateTempSubdirectory("hpcjobs-rules-").FullName;
        try
        {
            var ok = Path.Combine(dir, "ok.sh");
            File.WriteAllText(ok, "#!/bin/bash -e\necho\n");
            Assert.Equal("#!/bin/bash -e", SubmissionRules.RequireInterpreterLine(ok));
            var bad = Path.Combine(dir, "bad.sh");
            File.WriteAllText(bad, " #!/bin/sh\n");
            var e = Assert.Throws<InvalidJobRequestException>(() => SubmissionRules.RequireInterpreterLine(bad));
            Assert.Equal(
                (
                    "HpcInvalidScript",
                    $"Script '{bad}' does not start with #! and an interpreter (sbatch and qsub require one; add e.g. #!/bin/bash)."
                ),
                (e.ErrorId, e.Message)
            );
            var empty = Path.Combine(dir, "empty.sh");
            File.WriteAllText(empty, "");
            Assert.Throws<InvalidJobRequestException>(() => SubmissionRules.RequireInterpreterLine(empty));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_submitted_job_is_pending_with_what_was_asked()
    {
        var request = new JobRequest
        {
            Command = ["/bin/echo"],
            Array = ArrayRange.Parse("1-3%1"),
            WorkingDirectory = "/w",
            Resources = new ResourceSpec { CpusPerTask = 2 },
        };
        var job = SubmissionRules.Submitted(SchedulerKind.Slurm, "42", request);
        Assert.Equal(
            ("42", "echo", "Slurm", JobState.Pending, "Submitted", "1-3%1", "/w", 2),
            (
                job.JobId,
                job.Name,
                job.Scheduler,
                job.State,
                job.Reason,
                job.ArrayTasks,
                job.WorkingDirectory,
                job.Resources!.CpusPerTask
            )
        );
        Assert.Equal("short", SubmissionRules.Submitted(SchedulerKind.Pbs, "1", request, "short").Name);
        Assert.InRange(job.SubmitTime!.Value, DateTimeOffset.Now.AddMinutes(-1), DateTimeOffset.Now);
    }

    [Fact]
    public void Squeue_is_asked_for_named_columns_and_read_by_name()
    {
        Assert.Equal(
            "JobArrayID:|,JobID:|,ArrayJobID:|,ArrayTaskID:|,State:|,Reason:|,SubmitTime:|,StartTime:|,EndTime:|,WorkDir:|,STDOUT:|,STDERR:|,RestartCnt:|,Partition:|,NodeList:|,Name:|",
            SlurmOutput.SqueueFormat('|')
        );
        var row = SlurmOutput
            .ParseSqueue(
                "41_2|44|41|2|RUNNING|None|2026-11-29T10:00:00|2026-11-29T10:00:01|2026-11-29T11:00:01|/w|/w/o.out|/w/e.err|1|gpu|n[1-2]|my|name|",
                '|'
            )
            .Single();
        Assert.Equal(
            new SqueueRow(
                "41_2",
                "44",
                "41",
                "2",
                "RUNNING",
                "None",
                "2026-11-29T10:00:00",
                "2026-11-29T10:00:01",
                "2026-11-29T11:00:01",
                "/w",
                "/w/o.out",
                "/w/e.err",
                "1",
                "gpu",
                "n[1-2]",
                "my|name"
            ),
            row
        );
        var plain = SlurmOutput.ParseSqueue(" 7 | 7 |0||PENDING|Priority|a|b|c|d|e|f|0|debug||g|", '|').Single();
        Assert.Equal(("7", "7", "N/A", false), (plain.ShownId, plain.RawId, plain.ArrayTasks, plain.IsArray));
        Assert.Throws<SchedulerOutputException>(() => SlurmOutput.ParseSqueue("1|2|3", '|'));
    }

    [Fact]
    public void Sacct_is_read_by_name()
    {
        var row = SlurmOutput.ParseSacct("41_2|44|job|FAILED|3:0|None|s|b|e|multi|n[1-3]|/w", '|').Single();
        Assert.Equal(
            new SacctRow("41_2", "44", "job", "FAILED", "3:0", "None", "s", "b", "e", "multi", "n[1-3]", "/w"),
            row
        );
        var renamed = SlurmOutput.ParseSacct("x|y", '|', ["WorkDir", "JobID"]).Single();
        Assert.Equal(("y", "x", ""), (renamed.JobId, renamed.WorkDir, renamed.State));
    }

    [Fact]
    public async Task A_hung_command_is_killed_and_said_with_what_to_do()
    {
        var runner = new ScriptedProcessRunner()
            .OnCall((p, _) => p == "sbatch", () => throw new TimeoutException("'sbatch' was killed"))
            .OnCall((p, _) => p == "/usr/bin/squeue", () => throw new TimeoutException("'squeue' was killed"));
        var commands = new SchedulerCommands("SLURM", runner, RetryPolicy.Default, _ => false);
        var submit = await Assert.ThrowsAsync<SchedulerUnavailableException>(() =>
            commands.RunOnceAsync("sbatch", [], new ProcessOptions { Timeout = TimeSpan.FromSeconds(2) }, default)
        );
        Assert.Equal("HpcSchedulerTimeout", submit.ErrorId);
        Assert.Equal(
            "SLURM's 'sbatch' did not answer within 2 s and was killed ($HPCJOBS_COMMAND_TIMEOUT sets the limit). "
                + "The job may have been submitted all the same: look with Get-HpcJobStatus before submitting again.",
            submit.Message
        );
        var query = await Assert.ThrowsAsync<SchedulerUnavailableException>(() =>
            commands.RunOnceAsync(
                "/usr/bin/squeue",
                [],
                new ProcessOptions { Timeout = TimeSpan.FromSeconds(1.5) },
                default
            )
        );
        Assert.EndsWith(
            "within 1.5 s and was killed ($HPCJOBS_COMMAND_TIMEOUT sets the limit). The scheduler's controller may be down or overloaded.",
            query.Message
        );
        Assert.Equal(TimeSpan.FromSeconds(2), runner.Calls[0].Options!.Timeout);
    }

    [Fact]
    public async Task Commands_get_the_configured_timeout_unless_told_otherwise()
    {
        var runner = new ScriptedProcessRunner().On("squeue", new ProcessResult(0, "", ""));
        var commands = new SchedulerCommands("SLURM", runner, RetryPolicy.Default, _ => false);
        await commands.RunAsync("squeue", ["-h"], default);
        Assert.Equal(CommandTimeouts.Command, runner.Calls[0].Options!.Timeout);
        await commands.RunAsync("squeue", ["-h"], default, new ProcessOptions { WorkingDirectory = "/w" });
        Assert.Equal(
            ("/w", CommandTimeouts.Command),
            (runner.Calls[1].Options!.WorkingDirectory, runner.Calls[1].Options!.Timeout)
        );
        Assert.Equal(2, commands.CallCount);
    }

    [Fact]
    public void Id_chunks_stay_within_the_limit_exactly()
    {
        // each id costs its length plus a separator: two 4-character ids fill 10 exactly
        Assert.Equal(
            [
                ["abcd", "efgh"],
                ["ijkl"],
            ],
            SchedulerCommands.Chunk(["abcd", "efgh", "ijkl"], 10).Select(c => c.ToArray())
        );
        Assert.Equal(
            [
                ["abcd"],
                ["efgh"],
                ["ijkl"],
            ],
            SchedulerCommands.Chunk(["abcd", "efgh", "ijkl"], 9).Select(c => c.ToArray())
        );
        // an id longer than the limit still goes, alone
        Assert.Equal(
            [
                ["abcdefghijkl"],
                ["x"],
            ],
            SchedulerCommands.Chunk(["abcdefghijkl", "x"], 5).Select(c => c.ToArray())
        );
        Assert.Empty(SchedulerCommands.Chunk([], 5));
    }

    [Fact]
    public void Backoff_doubles_from_the_first_delay_up_to_the_most_with_a_quarter_of_jitter()
    {
        var policy = new RetryPolicy(MaxAttempts: 9, FirstDelaySeconds: 1, MaxDelaySeconds: 8);
        foreach (var (attempt, seconds) in new[] { (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (6, 8.0) })
            for (var i = 0; i < 50; i++)
                Assert.InRange(policy.Delay(attempt).TotalSeconds, seconds * 0.75, seconds * 1.25);
    }

    [Fact]
    public void Refusals_get_the_advice_that_fits_their_text_and_action()
    {
        RefusalAdvice[] advice =
        [
            new("Unauthorized", "Only operators rerun.", JobAction.Requeue),
            new("Unauthorized", "Only operators release.", JobAction.Release),
            new("not rerunnable", "It was -NoRequeue."),
        ];
        JobLookupFailure[] refused =
        [
            new("1", "qrerun refused: Unauthorized Request."),
            new("2", "qrerun refused: job is not rerunnable."),
            new("3", "qrerun refused: something else."),
        ];
        Assert.Equal(
            [
                "qrerun refused: Unauthorized Request. Only operators rerun.",
                "qrerun refused: job is not rerunnable. It was -NoRequeue.",
                "qrerun refused: something else.",
            ],
            RefusalAdvice.Apply(refused, JobAction.Requeue, advice).Select(r => r.Message)
        );
        Assert.EndsWith("Only operators release.", RefusalAdvice.Apply(refused, JobAction.Release, advice)[0].Message);
        Assert.Equal(refused[0], RefusalAdvice.Apply(refused, JobAction.Hold, advice)[0]);
    }

    [Theory]
    [InlineData(JobAction.Hold, JobState.Pending, true)]
    [InlineData(JobAction.Hold, JobState.Held, false)]
    [InlineData(JobAction.Hold, JobState.Running, false)]
    [InlineData(JobAction.Release, JobState.Held, true)]
    [InlineData(JobAction.Release, JobState.Pending, false)]
    [InlineData(JobAction.Requeue, JobState.Running, true)]
    [InlineData(JobAction.Requeue, JobState.Suspended, true)]
    [InlineData(JobAction.Requeue, JobState.Pending, false)]
    [InlineData(JobAction.Requeue, JobState.Completed, false)]
    public void Each_action_applies_to_its_states_only(JobAction action, JobState state, bool applies)
    {
        Assert.Equal(applies, JobControlRule.AppliesTo(action, state));
        var job = new JobInfo { JobId = "9", State = state };
        if (!applies)
            Assert.Contains(state.IsFinished() ? "already finished" : "9", JobControlRule.WhySkipped(action, job));
    }

    [Theory]
    [InlineData(HoldType.User, true)]
    [InlineData(HoldType.Operator, true)] // asked: the scheduler's refusal is translated (RefusalAdvice)
    [InlineData(HoldType.Dependency, false)]
    public void A_release_is_not_asked_of_a_job_only_its_dependencies_hold(HoldType heldBy, bool applies)
    {
        var job = new JobInfo
        {
            JobId = "9",
            State = JobState.Held,
            HeldBy = heldBy,
        };
        Assert.Equal(applies, JobControlRule.AppliesTo(JobAction.Release, job));
        if (!applies)
            Assert.Contains("released by itself when they end", JobControlRule.WhySkipped(JobAction.Release, job));
    }

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
        JobWaiter.NextInterval(
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
            interval = JobWaiter.NextInterval(interval, true, TimeSpan.FromSeconds(0.2), TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(1), interval);
    }
}
