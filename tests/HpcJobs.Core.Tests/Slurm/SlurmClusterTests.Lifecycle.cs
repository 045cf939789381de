using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Tests.Support;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Slurm;

/// <summary>
/// Hold, release, requeue, preemption, begin times, signals and mail on the real cluster (issue 19). The cluster has a
/// "high" partition whose jobs preempt those of "low" (PreemptMode=REQUEUE) and "lowcancel" (CANCEL): start-slurm.sh.
/// </summary>
public sealed partial class SlurmClusterTests
{
    private async Task<JobInfo> Status(JobInfo job) => (await _slurm.GetStatusAsync([job.JobId])).Jobs.Single();

    private async Task<JobInfo> Until(JobInfo job, Func<JobInfo, bool> condition, int seconds = 60)
    {
        JobInfo now = job;
        await Poll.Until(async () => condition(now = await Status(job)), seconds, 250);
        return now;
    }

    [SlurmFact]
    public async Task A_held_job_waits_until_released_then_completes()
    {
        var job = await Submit(Cmd("true") with { Hold = true });
        Assert.Equal((JobState.Held, HoldType.User), (job.State, job.HeldBy));
        var held = await Status(job);
        Assert.Equal((JobState.Held, "JobHeldUser", HoldType.User), (held.State, held.Reason, held.HeldBy));

        var skipped = await JobOperations.ControlAsync(_slurm, JobAction.Hold, [job.JobId]);
        Assert.Contains("already held", Assert.Single(skipped.Skipped).Why);
        var released = await JobOperations.ControlAsync(_slurm, JobAction.Release, [job.JobId]);
        Assert.NotEqual(JobState.Held, Assert.Single(released.Changed).State);
        Assert.Equal(JobState.Completed, (await WaitAll(job)).Single().State);

        // a pending job held by root is an operator's hold (JobHeldAdmin), as scontrol hold makes it
        var second = await Submit(Cmd("true") with { BeginTime = DateTimeOffset.Now.AddMinutes(30) });
        var report = await JobOperations.ControlAsync(_slurm, JobAction.Hold, [second.JobId]);
        Assert.Equal(HoldType.Operator, Assert.Single(report.Changed).HeldBy);
    }

    [SlurmFact]
    public async Task A_future_begin_time_stays_pending_with_BeginTime_and_mail_options_reach_the_controller()
    {
        var begin = DateTimeOffset.Now.AddHours(2);
        var job = await Submit(
            Cmd("true") with
            {
                BeginTime = begin,
                MailUser = ["me@example.org"],
                MailType = MailEvents.Begin | MailEvents.Fail,
                Requeue = false,
                Exclusive = true,
            }
        );
        var pending = await Until(job, j => j.Reason == "BeginTime", 15);
        Assert.Equal(JobState.Pending, pending.State);
        var rec = await SlurmCluster.ShowJob(job.JobId);
        Assert.Equal(begin.ToLocalTime().ToString("yyyy-MM-ddTHH:mm:ss"), rec["StartTime"]);
        Assert.Equal("me@example.org", rec["MailUser"]);
        Assert.Equal("BEGIN,FAIL", rec["MailType"].Trim());
        Assert.Equal("0", rec["Requeue"]);
        Assert.Equal("NO", rec["OverSubscribe"]); // --exclusive
    }

    [SlurmFact]
    public async Task A_running_job_is_requeued_under_its_id_and_one_that_may_not_be_is_refused()
    {
        var job = await Submit(Cmd("sleep", "60") with { Requeue = true });
        var never = await Submit(Cmd("sleep", "60") with { Requeue = false });
        await Until(job, j => j.State == JobState.Running);
        await Until(never, j => j.State == JobState.Running);

        var report = await JobOperations.ControlAsync(_slurm, JobAction.Requeue, [job.JobId, never.JobId]);
        var requeued = Assert.Single(report.Changed);
        Assert.Equal((job.JobId, JobState.Pending, 1), (requeued.JobId, requeued.State, requeued.Restarts));
        var refused = Assert.Single(report.Refused);
        Assert.Equal((never.JobId, "HpcOperationRefused"), (refused.JobId, refused.ErrorKind.Id));
        Assert.Contains("--no-requeue", refused.Message);
        // SLURM holds a requeued job back for a while (Reason BeginTime): it is not finished meanwhile
        Assert.Equal((JobState.Pending, "BeginTime"), ((await Status(job)).State, (await Status(job)).Reason));
    }

    [SlurmFact]
    public async Task A_preempted_job_that_may_be_requeued_runs_again_and_Wait_returns_once_at_its_real_end()
    {
        // two low jobs on the node's two CPUs; a high job needs both: it preempts them
        var again = await Submit(
            Cmd("sh", "-c", "echo run $SLURM_RESTART_COUNT; sleep 20") with
            {
                Resources = new ResourceSpec { Partition = "low" },
                Name = "preempt-requeue",
            }
        );
        var cancelled = await Submit(
            Cmd("sleep", "120") with
            {
                Resources = new ResourceSpec { Partition = "lowcancel" },
                Name = "preempt-cancel",
            }
        );
        await Until(again, j => j.State == JobState.Running);
        await Until(cancelled, j => j.State == JobState.Running);
        var high = await Submit(
            Cmd("sleep", "5") with
            {
                Resources = new ResourceSpec { Partition = "high", CpusPerTask = 2 },
            }
        );

        var gone = await Until(cancelled, j => j.IsFinished, 60);
        Assert.Equal((JobState.Cancelled, "PREEMPTED", "Preempted"), (gone.State, gone.NativeState, gone.Reason));

        var waited = await JobWaiter.WaitAsync(
            _slurm,
            [again.JobId],
            new WaitOptions { Timeout = TimeSpan.FromMinutes(5) }
        );
        Assert.False(waited.TimedOut);
        var end = Assert.Single(waited.Finished);
        Assert.Equal((JobState.Completed, 1), (end.State, end.Restarts));
        var highEnd = (await Status(high)).EndTime;
        Assert.True(
            end.StartTime > highEnd,
            $"the job's run ended {end.EndTime}, its rerun started {end.StartTime}, the high job ended {highEnd}"
        );
        Assert.Equal("run 1", File.ReadAllText(Path.Combine(_work, $"slurm-{again.JobId}.out")).Trim());
    }

    [SlurmFact]
    public async Task A_signal_before_the_walltime_lets_the_job_checkpoint()
    {
        // SLURM's walltime is whole minutes and its signal may come up to a minute early: USR1@50 in a 1-minute job
        var job = await Submit(
            Cmd("bash", "-c", "trap 'echo saved > checkpoint; exit 0' USR1; sleep 300 & wait") with
            {
                Resources = new ResourceSpec { Walltime = TimeSpan.FromMinutes(1) },
                Signal = JobSignal.Parse("USR1@50"),
            }
        );
        var end = (await WaitAll(job)).Single();
        Assert.Equal(JobState.Completed, end.State);
        Assert.Equal("saved", File.ReadAllText(Path.Combine(_work, "checkpoint")).Trim());
        Assert.True(end.Elapsed < TimeSpan.FromSeconds(58), $"ran {end.Elapsed}: ended by the walltime, not the trap");
    }
}
