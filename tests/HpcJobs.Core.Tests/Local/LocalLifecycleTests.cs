using HpcJobs.Core.Contract;
using HpcJobs.Core.Local;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Platform;
using HpcJobs.Core.Tests.Support;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Local;

/// <summary>Hold, release, requeue, begin times and a signal before the walltime on the Local back end (issue 19).</summary>
public sealed class LocalLifecycleTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hpcjobs-lifecycle-").FullName;
    private readonly string _state;
    private readonly string _work;
    private readonly LocalScheduler _local;

    public LocalLifecycleTests()
    {
        _state = Path.Combine(_root, "state");
        _work = Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;
        _local = new LocalScheduler(_state);
    }

    public void Dispose()
    {
        if (LocalDaemons.Pid(_state) is { } pid)
            Native.kill(pid, Native.SIGKILL);
    }

    private JobRequest Cmd(params string[] argv) => new() { Command = argv, WorkingDirectory = _work };

    private async Task<JobInfo> Status(JobInfo job) => (await _local.GetStatusAsync([job.JobId])).Jobs.Single();

    private async Task<JobInfo> Finished(JobInfo job) =>
        (
            await JobWaiter.WaitAsync(_local, [job.JobId], new WaitOptions { Timeout = TimeSpan.FromSeconds(30) })
        ).Finished.Single();

    [Fact]
    public async Task A_held_job_waits_until_released_then_completes()
    {
        var job = await _local.SubmitAsync(Cmd("true") with { Hold = true });
        Assert.Equal((JobState.Held, HoldType.User), (job.State, job.HeldBy));
        await Task.Delay(500);
        Assert.Equal((JobState.Held, "JobHeldUser"), ((await Status(job)).State, (await Status(job)).Reason));
        var released = await JobOperations.ControlAsync(_local, JobAction.Release, [job.JobId]);
        Assert.NotEqual(JobState.Held, Assert.Single(released.Changed).State);
        Assert.Equal(JobState.Completed, (await Finished(job)).State);

        var pending = await _local.SubmitAsync(Cmd("true") with { BeginTime = DateTimeOffset.Now.AddHours(1) });
        var held = await JobOperations.ControlAsync(_local, JobAction.Hold, [pending.JobId]);
        Assert.Equal((JobState.Held, HoldType.User), (held.Changed.Single().State, held.Changed.Single().HeldBy));
    }

    [Fact]
    public async Task A_begin_time_keeps_the_job_pending_with_BeginTime_until_it_comes()
    {
        var begin = DateTimeOffset.Now.AddSeconds(3);
        var job = await _local.SubmitAsync(Cmd("true") with { BeginTime = begin });
        await Poll.Until(async () => (await Status(job)).Reason == "BeginTime", 10, 100);
        Assert.Equal(JobState.Pending, (await Status(job)).State);
        var end = await Finished(job);
        Assert.Equal(JobState.Completed, end.State);
        Assert.True(end.StartTime >= begin, $"started {end.StartTime:O}, begin time {begin:O}");
    }

    [Fact]
    public async Task A_running_job_is_requeued_under_its_id_and_runs_again_and_NoRequeue_is_refused()
    {
        var job = await _local.SubmitAsync(Cmd("sh", "-c", "echo run; [ -e again ] && exit 0; touch again; sleep 60"));
        var never = await _local.SubmitAsync(Cmd("sleep", "60") with { Requeue = false });
        await Poll.Until(
            async () => (await Status(job)).State == JobState.Running && File.Exists(Path.Combine(_work, "again")),
            10,
            100
        );
        await Poll.Until(async () => (await Status(never)).State == JobState.Running, 10, 100);

        var report = await JobOperations.ControlAsync(_local, JobAction.Requeue, [job.JobId, never.JobId]);
        var refused = Assert.Single(report.Refused);
        Assert.Equal((never.JobId, "HpcOperationRefused"), (refused.JobId, refused.ErrorKind.Id));
        var end = await Finished(job);
        Assert.Equal((JobState.Completed, 1), (end.State, end.Restarts));
        await _local.CancelAsync([never]);
    }

    [Fact]
    public async Task A_Requeue_job_whose_daemon_dies_runs_again_instead_of_failing()
    {
        var job = await _local.SubmitAsync(
            Cmd("sh", "-c", "[ -e ran ] && exit 0; touch ran; sleep 60") with
            {
                Requeue = true,
            }
        );
        await Poll.Until(async () => File.Exists(Path.Combine(_work, "ran")), 10, 100);
        var daemon = LocalDaemons.Pid(_state)!.Value;
        Native.kill(daemon, Native.SIGKILL);
        await Poll.Until(() => LocalDaemons.Pid(_state) != daemon && !Directory.Exists($"/proc/{daemon}"));
        var end = await Finished(job);
        Assert.Equal((JobState.Completed, 1), (end.State, end.Restarts));
    }

    [Fact]
    public async Task A_signal_before_the_walltime_lets_the_job_checkpoint()
    {
        var job = await _local.SubmitAsync(
            Cmd("sh", "-c", "trap 'echo saved > checkpoint; exit 0' USR1; sleep 30 & wait") with
            {
                Resources = new ResourceSpec { Walltime = TimeSpan.FromSeconds(4) },
                Signal = JobSignal.Parse("USR1@2"),
            }
        );
        var end = await Finished(job);
        Assert.Equal(JobState.Completed, end.State);
        Assert.Equal("saved", File.ReadAllText(Path.Combine(_work, "checkpoint")).Trim());
        Assert.InRange(end.Elapsed!.Value.TotalSeconds, 1, 3.9);
    }
}
