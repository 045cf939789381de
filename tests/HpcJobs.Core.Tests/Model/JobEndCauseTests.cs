using HpcJobs.Core.Model;
using HpcJobs.Core.Pbs;
using HpcJobs.Core.Slurm;

namespace HpcJobs.Core.Tests.Model;

/// <summary>Why a job ended, as a value (issue 30): the rule every back end shares, and what each scheduler adds.</summary>
public class JobEndCauseTests
{
    [Theory]
    [InlineData(JobState.Running, null, null, JobEndCause.None)]
    [InlineData(JobState.Pending, null, null, JobEndCause.None)]
    [InlineData(JobState.Completed, 0, null, JobEndCause.Completed)]
    [InlineData(JobState.Failed, 3, null, JobEndCause.ExitCode)]
    [InlineData(JobState.Failed, 137, 9, JobEndCause.Signal)]
    [InlineData(JobState.TimedOut, null, null, JobEndCause.Walltime)]
    [InlineData(JobState.Cancelled, null, null, JobEndCause.Cancelled)]
    [InlineData(JobState.Failed, null, null, JobEndCause.Unknown)]
    public void The_state_exit_code_and_signal_give_the_cause(
        JobState state,
        int? exit,
        int? signal,
        JobEndCause cause
    ) => Assert.Equal(cause, JobEndCauses.Of(state, exit, signal));

    [Fact]
    public void What_the_back_end_knows_comes_first_but_never_for_a_job_still_alive()
    {
        Assert.Equal(JobEndCause.OutOfMemory, JobEndCauses.Of(JobState.Failed, 0, null, JobEndCause.OutOfMemory));
        Assert.Equal(JobEndCause.None, JobEndCauses.Of(JobState.Running, null, null, JobEndCause.OutOfMemory));
    }

    [Theory]
    [InlineData("OUT_OF_MEMORY", JobEndCause.OutOfMemory)]
    [InlineData("NODE_FAIL", JobEndCause.NodeFailure)]
    [InlineData("BOOT_FAIL", JobEndCause.LaunchFailure)]
    [InlineData("PREEMPTED", JobEndCause.Preempted)]
    [InlineData("TIMEOUT", JobEndCause.Walltime)]
    [InlineData("DEADLINE", JobEndCause.Walltime)]
    [InlineData("FAILED", null)]
    [InlineData("CANCELLED by 1000", null)]
    public void Slurm_s_state_word_names_what_only_it_knows(string native, JobEndCause? cause)
    {
        Assert.Equal(cause, SlurmStates.EndCause(native));
        var job = new JobInfo
        {
            JobId = "1",
            State = SlurmStates.Map(native, null),
            NativeState = native,
        };
        if (cause is { } c)
            Assert.Equal(c, job.WithEndCause(SlurmStates.EndCause(native)).EndCause);
    }

    [Fact]
    public void Slurm_names_who_cancelled_by_uid()
    {
        Assert.Equal("uid 1000", SlurmStates.CancelledBy("CANCELLED by 1000"));
        Assert.Null(SlurmStates.CancelledBy("CANCELLED"));
        Assert.Null(SlurmStates.CancelledBy("FAILED"));
    }

    [Theory]
    [InlineData(-27, JobEndCause.OutOfMemory)]
    [InlineData(-26, JobEndCause.OutOfMemory)]
    [InlineData(-29, JobEndCause.Walltime)]
    [InlineData(-28, JobEndCause.CpuLimit)]
    [InlineData(-1, JobEndCause.LaunchFailure)]
    [InlineData(-10, JobEndCause.LaunchFailure)]
    [InlineData(0, null)]
    [InlineData(3, null)]
    [InlineData(265, null)]
    public void Pbs_s_exit_status_names_its_own_kills_and_failures(int exitStatus, JobEndCause? cause)
    {
        Assert.Equal(cause, PbsStates.EndCause(exitStatus));
        var (state, exit, signal, _) = PbsStates.Finished(exitStatus, deleted: false);
        var expected =
            cause
            ?? exitStatus switch
            {
                0 => JobEndCause.Completed,
                3 => JobEndCause.ExitCode,
                _ => JobEndCause.Signal,
            };
        Assert.Equal(expected, JobEndCauses.Of(state, exit, signal, cause));
    }
}
