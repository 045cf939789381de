using HpcJobs.Core.Local;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Tests.Local;

/// <summary>How the Local daemon names a job's end, from its wait status alone (no process needed).</summary>
[Trait("Category", "Unit")]
public sealed class JobEndTests
{
    [Fact]
    public void Exit_0_is_Completed_with_no_reason()
    {
        Assert.Equal(new JobEnd.Outcome(JobState.Completed, "COMPLETED", null, 0, null), JobEnd.From(0, null, null));
    }

    [Fact]
    public void A_nonzero_exit_is_Failed_with_that_code()
    {
        Assert.Equal(
            new JobEnd.Outcome(JobState.Failed, "FAILED", "NonZeroExitCode", 3, null),
            JobEnd.From(3, null, null)
        );
    }

    [Fact]
    public void A_signal_is_Failed_with_128_plus_the_signal_as_the_shell_reports_it()
    {
        Assert.Equal(
            new JobEnd.Outcome(JobState.Failed, "FAILED", "Killed by signal 9", 137, 9),
            JobEnd.From(0, 9, null)
        );
    }

    [Fact]
    public void A_job_the_daemon_was_ending_keeps_why_it_was_ended_and_its_real_status()
    {
        var walltime = (JobState.TimedOut, "TIMEOUT", "TimeLimit");
        Assert.Equal(
            new JobEnd.Outcome(JobState.TimedOut, "TIMEOUT", "TimeLimit", 143, 15),
            JobEnd.From(0, 15, walltime)
        );
        // a job that caught SIGTERM and exited by itself is still the cancel it was asked for
        var cancel = (JobState.Cancelled, "CANCELLED", "Cancelled by user");
        Assert.Equal(
            new JobEnd.Outcome(JobState.Cancelled, "CANCELLED", "Cancelled by user", 0, null),
            JobEnd.From(0, null, cancel)
        );
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("12_3", true)]
    [InlineData("", false)]
    [InlineData("1_", false)]
    [InlineData("_1", false)]
    [InlineData("1_2_3", false)]
    [InlineData("a", false)]
    [InlineData("../1", false)]
    public void Local_job_ids_are_N_or_N_T(string id, bool valid)
    {
        Assert.Equal(valid, LocalJobId.IsValid(id));
    }

    [Fact]
    public void Local_ids_order_by_job_then_task_with_the_parent_first()
    {
        string[] ids = ["10", "9_2", "9", "9_10", "9_1"];
        Assert.Equal(["9", "9_1", "9_2", "9_10", "10"], ids.OrderBy(LocalJobId.Order).ToArray());
        Assert.False(LocalJobId.IsValid(new string('1', 40)));
        Assert.True(LocalJobId.IsValid(new string('1', 39)));
    }
}
