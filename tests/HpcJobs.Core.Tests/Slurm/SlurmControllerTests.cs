using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Slurm;
using HpcJobs.Core.Tests.Support;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Slurm;

/// <summary>
/// What happens when the controller forgets jobs, has no accounting, or restarts. These tests change the running test
/// cluster's configuration (tests/cluster/reconfigure-slurm.sh) and always put it back.
/// </summary>
[Collection("slurm-cluster")]
public sealed class SlurmControllerTests
{
    private readonly string _work = Directory.CreateTempSubdirectory("hpcjobs-slurmctl-test-").FullName;

    private JobRequest Cmd(params string[] argv) => new() { Command = argv, WorkingDirectory = _work };

    [SlurmFact]
    public async Task A_job_older_than_MinJobAge_is_still_reported_correctly_from_accounting()
    {
        var slurm = new SlurmScheduler();
        await SlurmCluster.Reconfigure("min-job-age", "2");
        try
        {
            var ok = await slurm.SubmitAsync(Cmd("true"));
            var bad = await slurm.SubmitAsync(Cmd("sh", "-c", "exit 5"));
            await JobWaiter.WaitAsync(
                slurm,
                [ok.JobId, bad.JobId],
                new WaitOptions { Timeout = TimeSpan.FromSeconds(60) }
            );
            // purged from the controller: squeue no longer knows them
            await Poll.Until(
                async () =>
                    (
                        await SlurmCluster.RunAsync(
                            "squeue",
                            "-h",
                            "-t",
                            "all",
                            "-j",
                            $"{ok.JobId},{bad.JobId}",
                            "-o",
                            "%i"
                        )
                    ).StandardOutput.Trim() == "",
                60
            );
            var fresh = new SlurmScheduler(); // a new session, with no memory of these jobs
            var report = await fresh.GetStatusAsync([ok.JobId, bad.JobId]);
            var byId = report.Jobs.ToDictionary(j => j.JobId);
            Assert.Equal((JobState.Completed, 0), (byId[ok.JobId].State, byId[ok.JobId].ExitCode));
            Assert.Equal((JobState.Failed, 5), (byId[bad.JobId].State, byId[bad.JobId].ExitCode));
            // a dependency on a forgotten job: SLURM would ignore it, so HpcJobs decides
            var never = await Assert.ThrowsAsync<InvalidJobRequestException>(() =>
                fresh.SubmitAsync(
                    Cmd("true") with
                    {
                        Dependencies = [new JobDependency(bad.JobId, DependencyKind.AfterOk)],
                    }
                )
            );
            Assert.Equal("HpcDependencyNeverSatisfied", never.ErrorId);
            var met = await fresh.SubmitAsync(
                Cmd("true") with
                {
                    Dependencies = [new JobDependency(ok.JobId, DependencyKind.AfterOk)],
                }
            );
            Assert.Equal(
                JobState.Completed,
                (await JobWaiter.WaitAsync(fresh, [met.JobId], new WaitOptions { Timeout = TimeSpan.FromSeconds(60) }))
                    .Finished.Single()
                    .State
            );
        }
        finally
        {
            await SlurmCluster.Reconfigure("min-job-age", "300");
        }
    }

    [SlurmFact]
    public async Task Without_accounting_finished_jobs_come_from_scontrol_and_forgotten_ones_are_unknown()
    {
        await SlurmCluster.Reconfigure("accounting", "off");
        try
        {
            var slurm = new SlurmScheduler();
            var bad = await slurm.SubmitAsync(Cmd("sh", "-c", "exit 6"));
            var done = (
                await JobWaiter.WaitAsync(slurm, [bad.JobId], new WaitOptions { Timeout = TimeSpan.FromSeconds(60) })
            ).Finished.Single();
            Assert.Equal((JobState.Failed, 6), (done.State, done.ExitCode));
            // a job the controller no longer holds, with nowhere else to look: Unknown, never Completed by guess
            var report = await slurm.GetStatusAsync(["99999997"]);
            var unknown = Assert.Single(report.Jobs);
            Assert.Equal(JobState.Unknown, unknown.State);
            Assert.Contains("accounting is disabled", unknown.Reason);
            Assert.Contains("accounting disabled", slurm.Describe().Detail);
        }
        finally
        {
            await SlurmCluster.Reconfigure("accounting", "on");
        }
    }

    [SlurmFact]
    public async Task Wait_survives_a_controller_restart()
    {
        // few retries per call, so that the outage reaches the waiter instead of being absorbed by one call's retries
        var slurm = new SlurmScheduler(retry: new RetryPolicy(MaxAttempts: 2, FirstDelaySeconds: 0.2));
        var job = await slurm.SubmitAsync(Cmd("sh", "-c", "sleep 6; exit 0"));
        // (squeue itself blocks ~18 s retrying a dead controller, so a short outage is mostly absorbed there)
        var waiting = JobWaiter.WaitAsync(
            slurm,
            [job.JobId],
            new WaitOptions { Timeout = TimeSpan.FromSeconds(120), MaxPollInterval = TimeSpan.FromSeconds(1) }
        );
        await Task.Delay(1000);
        var pid = File.ReadAllText("/run/slurm/slurmctld.pid").Trim();
        await SlurmCluster.RunAsync("kill", "-TERM", pid);
        await Poll.Until(
            async () => !(await SlurmCluster.RunAsync("scontrol", "ping")).StandardOutput.Contains("is UP"),
            20
        );
        await Task.Delay(4000);
        await SlurmCluster.RunAsync("slurmctld");
        var result = await waiting;
        Assert.False(result.TimedOut);
        Assert.Equal(JobState.Completed, result.Finished.Single().State);
    }
}
