using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Slurm;
using HpcJobs.Core.Tests.Support;

namespace HpcJobs.Core.Tests.Slurm;

/// <summary>
/// The SLURM back end's decisions with scripted replies. Error texts are SLURM 22.05.8's own: "Unable to contact slurm
/// controller (connect failure)" was printed by squeue on the test cluster with slurmctld stopped (2026-11-25); the rest
/// come from TestData/slurm.
/// </summary>
[Trait("Category", "Unit")]
public class SlurmScriptedTests
{
    private const string ControllerDown =
        "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n";
    private static readonly RetryPolicy Fast = new(MaxAttempts: 3, FirstDelaySeconds: 0.01, MaxDelaySeconds: 0.02);

    /// <summary>squeue rows given as '|'-separated fields; columns left out before the last (Name) are empty.</summary>
    private static ProcessResult Squeue(params string[] rows) =>
        new(
            0,
            string.Concat(
                rows.Select(r =>
                {
                    var f = r.Split('|').ToList();
                    while (f.Count < SlurmOutput.SqueueFields.Length)
                        f.Insert(f.Count - 1, "");
                    return string.Join(SlurmOutput.Delimiter, f) + SlurmOutput.Delimiter + "\n";
                })
            ),
            ""
        );

    [Fact]
    public async Task A_controller_that_does_not_answer_is_retried_with_backoff_then_reported_unavailable()
    {
        var runner = new ScriptedProcessRunner().On("squeue", new ProcessResult(1, "", ControllerDown));
        var slurm = new SlurmScheduler(runner, Fast);
        var e = await Assert.ThrowsAsync<SchedulerUnavailableException>(() => slurm.GetStatusAsync(["5"]));
        Assert.Contains("Unable to contact slurm controller", e.Message);
        Assert.Equal(3, runner.Calls.Count);
    }

    [Fact]
    public async Task A_transient_error_then_an_answer_is_a_normal_status()
    {
        var runner = new ScriptedProcessRunner().On(
            "squeue",
            new ProcessResult(1, "", ControllerDown),
            Squeue(
                "5|5|5|N/A|RUNNING|None|2026-11-25T02:00:00|2026-11-25T02:00:01|NONE|/tmp|/tmp/slurm-5.out|/tmp/slurm-5.out|job"
            )
        );
        var job = Assert.Single((await new SlurmScheduler(runner, Fast).GetStatusAsync(["5"])).Jobs);
        Assert.Equal(JobState.Running, job.State);
    }

    [Fact]
    public async Task Status_for_any_number_of_jobs_is_one_squeue_call_with_every_id()
    {
        var ids = Enumerable.Range(100, 500).Select(i => i.ToString()).ToList();
        var rows = ids.Select(i =>
                $"{i}|{i}|{i}|N/A|PENDING|Priority|2026-11-25T02:00:00|N/A|N/A|/tmp|/tmp/slurm-{i}.out|/tmp/slurm-{i}.out|j"
            )
            .ToArray();
        var runner = new ScriptedProcessRunner().On("squeue", Squeue(rows));
        var report = await new SlurmScheduler(runner, Fast).GetStatusAsync(ids);
        Assert.Equal(500, report.Jobs.Count);
        var call = Assert.Single(runner.Calls);
        Assert.Equal(string.Join(',', ids), call.Args[call.Args.ToList().IndexOf("-j") + 1]);
    }

    [Fact]
    public async Task A_lost_sbatch_answer_is_not_resubmitted_when_the_job_landed()
    {
        string? token = null;
        var runner = new ScriptedProcessRunner()
            .On(
                (p, a) =>
                {
                    if (p == "sbatch")
                        token = a.First(x => x.StartsWith("--comment=", StringComparison.Ordinal)).Split(':', 2)[1];
                    return p == "sbatch";
                },
                new ProcessResult(
                    1,
                    "",
                    "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation\n"
                )
            )
            // the controller did take it: the token is on job 77
            .OnCall(
                (p, a) => p == "squeue" && a.Contains("%i|%k"),
                () => new ProcessResult(0, $"12|other\n77|hpcjobs-submit:{token}\n", "")
            );
        var job = await new SlurmScheduler(runner, Fast).SubmitAsync(new JobRequest { Command = ["true"] });
        Assert.Equal("77", job.JobId);
        Assert.Single(runner.Calls, c => c.Program == "sbatch");
    }

    [Fact]
    public async Task A_lost_sbatch_answer_is_retried_when_the_job_did_not_land()
    {
        var runner = new ScriptedProcessRunner()
            .On(
                "sbatch",
                new ProcessResult(
                    1,
                    "",
                    "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation\n"
                ),
                new ProcessResult(0, "78\n", "")
            )
            .On((p, a) => p == "squeue" && a.Contains("%i|%k"), new ProcessResult(0, "12|other\n", ""));
        var job = await new SlurmScheduler(runner, Fast).SubmitAsync(new JobRequest { Command = ["true"] });
        Assert.Equal("78", job.JobId);
        Assert.Equal(2, runner.Calls.Count(c => c.Program == "sbatch"));
    }

    [Fact]
    public async Task Sbatch_errors_reach_the_user_verbatim_and_are_not_retried()
    {
        var err = Fixture.Load("slurm/err_sbatch_bad_partition.txt");
        var runner = new ScriptedProcessRunner().On("sbatch", ScriptedProcessRunner.From(err));
        var e = await Assert.ThrowsAsync<SubmitFailedException>(() =>
            new SlurmScheduler(runner, Fast).SubmitAsync(new JobRequest { Command = ["true"] })
        );
        Assert.Contains("Invalid partition name specified", e.Message);
        Assert.Single(runner.Calls);
    }

    [Fact]
    public void The_plan_renders_every_field_and_quotes_the_command_in_the_script()
    {
        var request = new JobRequest
        {
            Command = ["printf", "%s\n", "it's $(x)"],
            Name = "my job",
            WorkingDirectory = "/tmp",
            Resources = new ResourceSpec
            {
                Nodes = 2,
                TasksPerNode = 4,
                CpusPerTask = 8,
                GpusPerNode = 1,
                Memory = ByteSize.Parse("1.5GB"),
                Walltime = Walltime.Parse("1-02:03:04"),
                Partition = "p",
                Qos = "q",
                Account = "a",
                Constraint = "c&d",
            },
            Array = ArrayRange.Parse("0-9%2"),
            OutputPath = "o-%A_%a.txt",
            ErrorPath = "e.txt",
            Dependencies =
            [
                new("1", DependencyKind.AfterOk),
                new("2_3", DependencyKind.AfterOk),
                new("4", DependencyKind.AfterNotOk),
            ],
        };
        var plan = new SlurmScheduler(new ScriptedProcessRunner(), Fast).Plan(request);
        Assert.Equal("sbatch", plan.Program);
        var expected = new[]
        {
            "--parsable",
            "--job-name=my job",
            "--nodes=2",
            "--ntasks-per-node=4",
            "--cpus-per-task=8",
            "--gres=gpu:1",
            "--mem=1536M",
            "--time=1-02:04:00",
            "--partition=p",
            "--qos=q",
            "--account=a",
            "--constraint=c&d",
            "--chdir=/tmp",
            "--output=o-%A_%a.txt",
            "--error=e.txt",
            "--array=0-9%2",
            "--dependency=afterok:1:2_3,afternotok:4",
        };
        Assert.Equal(expected, plan.Arguments.Take(expected.Length));
        Assert.StartsWith("--comment=hpcjobs-submit:", plan.Arguments[^1]);
        Assert.Equal(
            "#!/bin/sh\n# generated by HpcJobs: runs the command below verbatim\nexec 'printf' '%s\n' 'it'\\''s $(x)'\n",
            plan.Script
        );
    }
}
