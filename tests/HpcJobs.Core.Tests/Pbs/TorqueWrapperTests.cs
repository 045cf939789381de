using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Pbs;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Slurm;
using HpcJobs.Core.Tests.Support;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Pbs;

/// <summary>
/// The Torque dialect end to end through SchedMD's PBS-compatibility qsub/qstat/qdel (package slurm-wlm-torque) on the real
/// test cluster. What the wrappers lack (exit_status, -d, -t) is documented in PbsScheduler; arrays are not tried here
/// because the wrapper's qstat reports array tasks by their raw SLURM ids.
/// </summary>
[Collection("slurm-cluster")]
public sealed class TorqueWrapperTests
{
    private readonly string _work = Directory.CreateTempSubdirectory("hpcjobs-torque-test-").FullName;

    private static async Task<PbsScheduler> Wrapper()
    {
        // a PBS configuration naming the wrappers' folder: tests/cluster/start-slurm.sh unpacks them into /opt/slurm-torque
        // (gridengine-client owns /usr/bin/qsub), and the real OpenPBS of this machine (/etc/pbs.conf) stays out of it
        var conf = Path.Combine(Directory.CreateTempSubdirectory("hpcjobs-torque-conf-").FullName, "pbs.conf");
        File.WriteAllText(conf, "PBS_EXEC=/opt/slurm-torque/usr\n");
        var probe = new PbsProbe(
            CliWrapProcessRunner.Instance,
            pbsConfFile: conf,
            slurmBehindWrappers: r => new SlurmScheduler(r)
        );
        var auto = await probe.ProbeAsync(requestedByName: false, default);
        Assert.False(auto.Available); // never auto-detected: SLURM itself is
        var named = await probe.ProbeAsync(requestedByName: true, default);
        Assert.True(named.Available, named.Reason);
        var pbs = Assert.IsType<PbsScheduler>(probe.Create());
        Assert.Equal(PbsDialect.Torque, pbs.Dialect);
        return pbs;
    }

    [SlurmFact]
    public async Task Jobs_submit_poll_and_wait_with_their_exit_codes()
    {
        var pbs = await Wrapper();
        var ok = await pbs.SubmitAsync(
            new JobRequest
            {
                Command = ["sh", "-c", "echo \"$GREETING\""],
                WorkingDirectory = _work,
                Name = "torque ok",
                Environment = new Dictionary<string, string> { ["GREETING"] = "hello" },
                Resources = new ResourceSpec
                {
                    CpusPerTask = 1,
                    Walltime = TimeSpan.FromMinutes(5),
                    Memory = ByteSize.Parse("100MB"),
                },
            }
        );
        var bad = await pbs.SubmitAsync(new JobRequest { Command = ["sh", "-c", "exit 3"], WorkingDirectory = _work });
        Assert.Equal("torque_ok", ok.Name);
        var early = await pbs.GetStatusAsync([ok.JobId, bad.JobId]);
        Assert.All(early.Jobs, j => Assert.Contains(j.NativeState, new[] { "Q", "R", "C" }));
        var done = (
            await JobWaiter.WaitAsync(
                pbs,
                [ok.JobId, bad.JobId],
                new WaitOptions { Timeout = TimeSpan.FromSeconds(120) }
            )
        ).Finished.ToDictionary(j => j.JobId);
        Assert.Equal(
            (JobState.Completed, 0, "C"),
            (done[ok.JobId].State, done[ok.JobId].ExitCode!.Value, done[ok.JobId].NativeState)
        );
        Assert.Equal((JobState.Failed, 3), (done[bad.JobId].State, done[bad.JobId].ExitCode!.Value));
        Assert.Equal("hello\n", File.ReadAllText(Path.Combine(_work, $"torque_ok.o{ok.JobId}"))); // PBS naming: NAME.oSEQ
    }

    [SlurmFact]
    public async Task Status_of_many_jobs_is_one_qstat()
    {
        var pbs = await Wrapper();
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
            ids.Add(
                (await pbs.SubmitAsync(new JobRequest { Command = ["sleep", "60"], WorkingDirectory = _work })).JobId
            );
        try
        {
            var before = pbs.SchedulerCalls;
            var report = await pbs.GetStatusAsync(ids);
            Assert.Equal(10, report.Jobs.Count);
            Assert.Equal(1, pbs.SchedulerCalls - before);
        }
        finally
        {
            await JobOperations.StopAsync(pbs, ids);
        }
    }

    [SlurmFact]
    public async Task Running_and_queued_jobs_are_deleted_and_end_cancelled()
    {
        var pbs = await Wrapper();
        var running = await pbs.SubmitAsync(new JobRequest { Command = ["sleep", "300"], WorkingDirectory = _work });
        var waiting = await pbs.SubmitAsync(
            new JobRequest
            {
                Command = ["true"],
                WorkingDirectory = _work,
                Dependencies = [new JobDependency(running.JobId, DependencyKind.AfterOk)],
            }
        );
        await Poll.Until(async () => (await pbs.GetStatusAsync([running.JobId])).Jobs[0].State == JobState.Running);
        var report = await JobOperations.StopAsync(pbs, [running.JobId, waiting.JobId, "99999995"]);
        Assert.Equal("99999995", Assert.Single(report.NotFound).JobId);
        var done = (
            await JobWaiter.WaitAsync(
                pbs,
                [running.JobId, waiting.JobId],
                new WaitOptions { Timeout = TimeSpan.FromSeconds(60) }
            )
        ).Finished;
        Assert.All(done, j => Assert.Equal(JobState.Cancelled, j.State));
        Assert.Equal(2, done.Count);
    }

    [SlurmFact]
    public async Task A_dependency_on_an_unknown_job_is_refused()
    {
        var pbs = await Wrapper();
        var e = await Assert.ThrowsAsync<InvalidJobRequestException>(() =>
            pbs.SubmitAsync(
                new JobRequest
                {
                    Command = ["true"],
                    Dependencies = [new JobDependency("99999994", DependencyKind.AfterOk)],
                }
            )
        );
        Assert.Equal("HpcDependencyNotFound", e.ErrorId);
    }
}
