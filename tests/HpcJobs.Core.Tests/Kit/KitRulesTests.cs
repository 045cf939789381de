using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Tests.Support;

namespace HpcJobs.Core.Tests.Kit;

/// <summary>The rules the back ends share, each at its edges: the dependency truth table, the script check, a submitted job, command timeouts, id chunks, backoff, refusal advice, which jobs an action applies to.</summary>
[Trait("Category", "Unit")]
public sealed class KitRulesTests
{
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
}
