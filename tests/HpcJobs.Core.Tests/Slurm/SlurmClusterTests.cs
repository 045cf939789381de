using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Slurm;
using HpcJobs.Core.Tests.Support;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Slurm;

/// <summary>The SLURM back end against the real single-node cluster started by tests/cluster/start-slurm.sh.</summary>
[Collection("slurm-cluster")]
public sealed partial class SlurmClusterTests : IDisposable
{
    private readonly SlurmScheduler _slurm = new();
    private readonly string _work = Directory.CreateTempSubdirectory("hpcjobs-slurm-test-").FullName;
    private readonly List<string> _submitted = [];

    public void Dispose()
    {
        if (_submitted.Count > 0 && SlurmCluster.IsUp)
            SlurmCluster.RunAsync("scancel", [.. _submitted]).GetAwaiter().GetResult();
    }

    private async Task<JobInfo> Submit(JobRequest request)
    {
        var job = await _slurm.SubmitAsync(request with { WorkingDirectory = request.WorkingDirectory ?? _work });
        _submitted.Add(job.JobId);
        return job;
    }

    private JobRequest Cmd(params string[] argv) => new() { Command = argv, WorkingDirectory = _work };

    private async Task<List<JobInfo>> WaitAll(params JobInfo[] jobs)
    {
        var r = await JobWaiter.WaitAsync(
            _slurm,
            jobs.Select(j => j.JobId).ToList(),
            new WaitOptions { Timeout = TimeSpan.FromSeconds(120) }
        );
        Assert.False(
            r.TimedOut,
            "jobs did not finish: " + string.Join(", ", r.Unfinished.Select(j => $"{j.JobId} {j.State} {j.Reason}"))
        );
        return r.Finished.ToList();
    }

    [SlurmFact]
    public async Task Every_resource_field_lands_in_the_controller()
    {
        var spec = new ResourceSpec
        {
            Nodes = 1,
            TasksPerNode = 1,
            CpusPerTask = 2,
            Memory = ByteSize.Parse("300MB"),
            Walltime = TimeSpan.FromMinutes(7),
            Partition = "debug",
            Qos = "normal",
            Account = "root",
            Constraint = "hpcjobs",
        };
        var job = await Submit(
            Cmd("sleep", "30") with
            {
                Name = "resources check",
                Resources = spec,
                OutputPath = "res-%j.out",
                ErrorPath = "res-%j.err",
            }
        );
        var rec = await SlurmCluster.ShowJob(job.JobId);
        Assert.Equal("resources check", rec["JobName"]);
        Assert.Equal("1", rec["NumNodes"].Split('-')[0]);
        Assert.Equal("1", rec["NumTasks"]);
        Assert.Equal("2", rec["CPUs/Task"]);
        Assert.Equal("300M", rec["MinMemoryNode"]);
        Assert.Equal("00:07:00", rec["TimeLimit"]);
        Assert.Equal("debug", rec["Partition"]);
        Assert.Equal("normal", rec["QOS"]);
        Assert.Equal("root", rec["Account"]);
        Assert.Equal("hpcjobs", rec["Features"]);
        Assert.Equal(_work, rec["WorkDir"]);
        Assert.Equal(Path.Combine(_work, $"res-{job.JobId}.out"), rec["StdOut"]);
        Assert.Equal(Path.Combine(_work, $"res-{job.JobId}.err"), rec["StdErr"]);
        var status = Assert.Single((await _slurm.GetStatusAsync([job.JobId])).Jobs);
        Assert.Equal(Path.Combine(_work, $"res-{job.JobId}.out"), status.StdOutPath);
    }

    [SlurmFact]
    public async Task Impossible_requests_are_rejected_with_slurms_own_message_and_nothing_is_left_pending()
    {
        var before = (await SlurmCluster.RunAsync("squeue", "-h", "-t", "PENDING,RUNNING", "-o", "%i")).StandardOutput;
        (ResourceSpec Spec, string Message)[] cases =
        [
            (new ResourceSpec { Memory = ByteSize.Parse("100GB") }, "Requested node configuration is not available"),
            (new ResourceSpec { Partition = "nosuchpartition" }, "Invalid partition name specified"),
            // the cluster has GPUs (partition gpu), the default partition none
            (new ResourceSpec { GpusPerNode = 1 }, "Requested node configuration is not available"),
            (new ResourceSpec { CpusPerTask = 64 }, "More processors requested than permitted"),
        ];
        foreach (var (spec, message) in cases)
        {
            var e = await Assert.ThrowsAsync<SubmitFailedException>(() =>
                _slurm.SubmitAsync(Cmd("true") with { Resources = spec })
            );
            Assert.Contains(message, e.Message);
            Assert.Equal("HpcSubmitFailed", e.ErrorId);
        }
        var after = (await SlurmCluster.RunAsync("squeue", "-h", "-t", "PENDING,RUNNING", "-o", "%i")).StandardOutput;
        Assert.Equal(before, after);
    }

    [SlurmFact]
    public async Task Exit_codes_and_signals_are_reported()
    {
        var ok = await Submit(Cmd("true"));
        var three = await Submit(Cmd("sh", "-c", "exit 3"));
        var killed = await Submit(Cmd("sh", "-c", "kill -9 $$"));
        var done = (await WaitAll(ok, three, killed)).ToDictionary(j => j.JobId);
        Assert.Equal((JobState.Completed, 0), (done[ok.JobId].State, done[ok.JobId].ExitCode));
        Assert.Equal(
            (JobState.Failed, 3, (int?)null),
            (done[three.JobId].State, done[three.JobId].ExitCode, done[three.JobId].Signal)
        );
        Assert.Equal("NonZeroExitCode", done[three.JobId].Reason);
        Assert.Equal((JobState.Failed, 9), (done[killed.JobId].State, done[killed.JobId].Signal));
    }

    [SlurmFact]
    public async Task Dependency_chains_follow_success_and_failure()
    {
        var fails = await Submit(Cmd("sh", "-c", "sleep 2; exit 1"));
        var afterOk = await Submit(
            Cmd("true") with
            {
                Dependencies = [new JobDependency(fails.JobId, DependencyKind.AfterOk)],
            }
        );
        var afterNotOk = await Submit(
            Cmd("true") with
            {
                Dependencies = [new JobDependency(fails.JobId, DependencyKind.AfterNotOk)],
            }
        );
        var afterAny = await Submit(
            Cmd("true") with
            {
                Dependencies = [new JobDependency(afterOk.JobId, DependencyKind.AfterAny)],
            }
        );
        var pending = Assert.Single((await _slurm.GetStatusAsync([afterOk.JobId])).Jobs);
        Assert.Equal((JobState.Pending, "Dependency"), (pending.State, pending.Reason));
        var done = (await WaitAll(fails, afterOk, afterNotOk, afterAny)).ToDictionary(j => j.JobId);
        Assert.Equal(JobState.Failed, done[fails.JobId].State);
        Assert.Equal(
            (JobState.Cancelled, "DependencyNeverSatisfied"),
            (done[afterOk.JobId].State, done[afterOk.JobId].Reason)
        );
        Assert.Null(done[afterOk.JobId].ExitCode);
        Assert.Equal(JobState.Completed, done[afterNotOk.JobId].State);
        Assert.Equal(JobState.Completed, done[afterAny.JobId].State);
    }

    [SlurmFact]
    public async Task A_dependency_on_a_job_slurm_does_not_know_is_refused_before_submitting()
    {
        var before = (await SlurmCluster.RunAsync("squeue", "-h", "-t", "all", "-o", "%i")).StandardOutput;
        var e = await Assert.ThrowsAsync<InvalidJobRequestException>(() =>
            _slurm.SubmitAsync(
                Cmd("true") with
                {
                    Dependencies = [new JobDependency("99999999", DependencyKind.AfterOk)],
                }
            )
        );
        Assert.Equal("HpcDependencyNotFound", e.ErrorId);
        Assert.Equal(before, (await SlurmCluster.RunAsync("squeue", "-h", "-t", "all", "-o", "%i")).StandardOutput);
    }

    [SlurmFact]
    public async Task Arrays_honour_the_throttle_report_per_task_and_cancel_per_task()
    {
        var array = await Submit(
            Cmd(
                "sh",
                "-c",
                "echo task $SLURM_ARRAY_TASK_ID; sleep 2; [ $SLURM_ARRAY_TASK_ID = 2 ] && exit 7; exit 0"
            ) with
            {
                Array = ArrayRange.Parse("0-4%2"),
            }
        );
        var status = (await _slurm.GetStatusAsync([array.JobId])).Jobs;
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, status.Select(j => j.ArrayTaskId!.Value));
        Assert.True(status.Count(j => j.State == JobState.Running) <= 2);
        var stop = await JobOperations.StopAsync(_slurm, [$"{array.JobId}_4"]);
        Assert.Equal($"{array.JobId}_4", Assert.Single(stop.Cancelled).JobId);
        var done = await WaitAll(array);
        Assert.Equal(
            new[] { JobState.Completed, JobState.Completed, JobState.Failed, JobState.Completed, JobState.Cancelled },
            done.Select(j => j.State)
        );
        Assert.Equal(7, done[2].ExitCode);
        Assert.Equal($"task 3\n", File.ReadAllText(done[3].StdOutPath!));
        var ordered = done.Take(4).OrderBy(j => j.StartTime).ToList();
        Assert.True(
            ordered[2].StartTime >= ordered.Take(2).Min(j => j.EndTime),
            "throttle %2 let a third task start early"
        );
    }

    [SlurmFact]
    public async Task Pending_and_running_jobs_are_cancelled_and_unknown_ids_are_not_found()
    {
        var running = await Submit(Cmd("sleep", "300"));
        var pending = await Submit(
            Cmd("true") with
            {
                Dependencies = [new JobDependency(running.JobId, DependencyKind.AfterOk)],
            }
        );
        await Poll.Until(async () => (await _slurm.GetStatusAsync([running.JobId])).Jobs[0].State == JobState.Running);
        var report = await JobOperations.StopAsync(_slurm, [running.JobId, pending.JobId, "99999998"]);
        Assert.Equal(2, report.Cancelled.Count);
        Assert.Equal("99999998", Assert.Single(report.NotFound).JobId);
        var done = await WaitAll(running, pending);
        Assert.All(done, j => Assert.Equal(JobState.Cancelled, j.State));
        Assert.Equal(15, done[0].Signal);
    }

    [SlurmFact]
    public async Task Names_and_arguments_arrive_verbatim_and_run_nothing_extra()
    {
        string[] args = ["a b", "$(touch pwned)", "q'uo\"te", "semi;colon", "new\nline", "ünïcødé ☃", "*", "`id`"];
        var job = await Submit(Cmd(["printf", "[%s]\\n", .. args]) with { Name = "name; $(touch pwned2) 'q' ü" });
        var done = Assert.Single(await WaitAll(job));
        Assert.Equal(JobState.Completed, done.State);
        Assert.Equal(string.Concat(args.Select(a => $"[{a}]\n")), File.ReadAllText(done.StdOutPath!));
        Assert.Equal("name; $(touch pwned2) 'q' ü", done.Name);
        Assert.False(File.Exists(Path.Combine(_work, "pwned")));
        Assert.False(File.Exists(Path.Combine(_work, "pwned2")));
    }

    [SlurmFact]
    public async Task Environment_reaches_the_job_and_script_arguments_are_passed()
    {
        var script = Path.Combine(_work, "job.sh");
        File.WriteAllText(script, "#!/bin/sh\necho \"$GREETING|$1|$2\"\n");
        var job = await Submit(
            new JobRequest
            {
                ScriptPath = script,
                ScriptArguments = ["one arg", "two"],
                Environment = new Dictionary<string, string> { ["GREETING"] = "hello, world; $HOME" },
            }
        );
        var done = Assert.Single(await WaitAll(job));
        Assert.Equal("hello, world; $HOME|one arg|two\n", File.ReadAllText(done.StdOutPath!));
    }

    [SlurmFact]
    public async Task Status_of_many_jobs_costs_a_fixed_number_of_scheduler_calls()
    {
        var jobs = new List<JobInfo>();
        for (var i = 0; i < 40; i++)
            jobs.Add(await Submit(Cmd("sh", "-c", i % 2 == 0 ? "true" : "exit 2")));
        await WaitAll([.. jobs]);
        var before = _slurm.SchedulerCalls;
        var report = await _slurm.GetStatusAsync(jobs.Select(j => j.JobId).ToList());
        Assert.Equal(40, report.Jobs.Count);
        Assert.InRange(_slurm.SchedulerCalls - before, 1, 3);
        Assert.All(report.Jobs.Where(j => j.State == JobState.Failed), j => Assert.Equal(2, j.ExitCode));
    }

    [SlurmFact]
    public async Task A_job_submitted_outside_hpcjobs_can_be_followed()
    {
        var r = await SlurmCluster.RunAsync(
            "sbatch",
            "--parsable",
            "-J",
            "outside",
            "--chdir",
            _work,
            "--wrap",
            "exit 4"
        );
        var id = r.StandardOutput.Trim();
        _submitted.Add(id);
        var done = (
            await JobWaiter.WaitAsync(_slurm, [id], new WaitOptions { Timeout = TimeSpan.FromSeconds(60) })
        ).Finished.Single();
        Assert.Equal(("outside", JobState.Failed, 4), (done.Name, done.State, done.ExitCode));
        Assert.Equal(Path.Combine(_work, $"slurm-{id}.out"), done.StdOutPath);
    }

    [SlurmFact]
    public async Task Status_of_25000_ids_is_split_under_the_kernels_argument_limit()
    {
        var real = await Submit(Cmd("true"));
        var ids = Enumerable.Range(900000, 25000).Select(i => i.ToString()).Append(real.JobId).ToList();
        var before = _slurm.SchedulerCalls;
        var report = await _slurm.GetStatusAsync(ids);
        Assert.Equal(real.JobId, Assert.Single(report.Jobs).JobId);
        Assert.Equal(25000, report.NotFound.Count);
        // two squeue chunks, two sacct chunks for the ids the controller does not hold: ceil(N / chunk) each, never per id
        Assert.InRange(_slurm.SchedulerCalls - before, 2, 5);
    }

    [SlurmFact]
    public async Task A_refused_cancel_is_that_jobs_error_and_the_others_are_cancelled()
    {
        var roots = await Submit(Cmd("sleep", "60"));
        var theirs = (
            await SlurmCluster.RunAsync(
                "runuser",
                "-u",
                PbsServer.TestUser,
                "--",
                "sbatch",
                "--parsable",
                "--chdir=/tmp",
                "--output=/dev/null",
                "--wrap=sleep 60"
            )
        ).StandardOutput.Trim();
        _submitted.Add(theirs);
        var asUser = new SlurmScheduler(
            new AsUserRunner(
                Processes.CliWrapProcessRunner.Instance,
                PbsServer.TestUser,
                new HashSet<string> { "scancel" },
                p => p
            )
        );
        var report = await JobOperations.StopAsync(asUser, [roots.JobId, theirs]);
        Assert.Equal(theirs, Assert.Single(report.Cancelled).JobId);
        var refused = Assert.Single(report.Refused);
        Assert.Equal((roots.JobId, "HpcOperationRefused"), (refused.JobId, refused.ErrorKind.Id));
        Assert.Contains("permission denied", refused.Message);
        Assert.False((await _slurm.GetStatusAsync([roots.JobId])).Jobs.Single().IsFinished);
    }
}
