using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Tests.Support;

namespace HpcJobs.Core.Tests.Pbs;

/// <summary>Hold, release, rerun, begin times and mail on the real OpenPBS server (issue 19).</summary>
public sealed partial class OpenPbsServerTests
{
    private async Task<JobInfo> Until(JobInfo job, Func<JobInfo, bool> condition, int seconds = 60)
    {
        JobInfo now = job;
        await Poll.Until(
            async () => condition(now = (await _pbs.GetStatusAsync([job.JobId])).Jobs.Single()),
            seconds,
            500
        );
        return now;
    }

    [PbsFact]
    public async Task A_held_job_waits_until_released_then_completes_and_a_dependency_hold_says_so()
    {
        var job = await _pbs.SubmitAsync(Cmd("sleep", "2") with { Hold = true });
        var held = await Until(job, j => j.State == JobState.Held);
        Assert.Equal(HoldType.User, held.HeldBy);
        var dependent = await _pbs.SubmitAsync(
            Cmd("true") with
            {
                Dependencies = [new JobDependency(job.JobId, DependencyKind.AfterOk)],
            }
        );
        Assert.Equal(HoldType.Dependency, (await Until(dependent, j => j.State == JobState.Held)).HeldBy);

        var released = await JobOperations.ControlAsync(_pbs, JobAction.Release, [job.JobId]);
        Assert.NotEqual(JobState.Held, Assert.Single(released.Changed).State);
        Assert.All(await WaitAll(job, dependent), j => Assert.Equal(JobState.Completed, j.State));
    }

    [PbsFact]
    public async Task A_running_job_is_rerun_by_an_operator_and_refused_to_a_user_with_why()
    {
        var job = await _pbs.SubmitAsync(Cmd("sh", "-c", "sleep 4; echo done") with { Requeue = true });
        await Until(job, j => j.State == JobState.Running && j.Restarts == 0);
        var report = await JobOperations.ControlAsync(_pbs, JobAction.Requeue, [job.JobId]);
        Assert.Empty(report.Refused);
        var end = (await WaitAll(job)).Single();
        Assert.Equal((JobState.Completed, 1), (end.State, end.Restarts));

        var user = PbsServer.Scheduler(asUser: PbsServer.TestUser);
        File.SetUnixFileMode(_work, (UnixFileMode)0x1FF);
        var users = await user.SubmitAsync(Cmd("sleep", "60"));
        try
        {
            await Poll.Until(
                async () => (await user.GetStatusAsync([users.JobId])).Jobs.Single().State == JobState.Running,
                60,
                500
            );
            var refused = Assert.Single(
                (await JobOperations.ControlAsync(user, JobAction.Requeue, [users.JobId])).Refused
            );
            Assert.Equal("HpcOperationRefused", refused.ErrorKind.Id);
            Assert.Contains("operators and managers", refused.Message);
        }
        finally
        {
            await user.CancelAsync([users]);
        }
    }

    [PbsFact]
    public async Task A_future_begin_time_waits_with_BeginTime_and_mail_and_rerun_options_reach_the_server()
    {
        var job = await _pbs.SubmitAsync(
            Cmd("true") with
            {
                BeginTime = DateTimeOffset.Now.AddHours(2),
                MailUser = ["me@example.org"],
                MailType = MailEvents.End | MailEvents.Fail,
                Requeue = false,
                Exclusive = true,
            }
        );
        try
        {
            var waiting = await Until(job, j => j.NativeState == "W", 15);
            Assert.Equal(JobState.Pending, waiting.State);
            Assert.StartsWith("BeginTime: ", waiting.Reason);
            var attributes = await PbsServer.Attributes(job.JobId);
            Assert.Equal("me@example.org", attributes["Mail_Users"]);
            Assert.Equal("ea", attributes["Mail_Points"]);
            Assert.Equal("False", attributes["Rerunable"]);
            Assert.Equal("excl", attributes["Resource_List.place"]);
        }
        finally
        {
            await _pbs.CancelAsync([job]);
        }
    }
}
