using HpcJobs.Core.Model;
using HpcJobs.Core.Pbs;

namespace HpcJobs.Core.Tests.Pbs;

/// <summary>
/// PBS's job_state letters and Exit_status values, every one: the rules of the PBS Professional Reference Guide
/// (job_state, Exit_status; JOB_EXEC_* from job.h), as the real server showed them (tests/cluster, shared/reference/pbs).
/// </summary>
[Trait("Category", "Unit")]
public sealed class PbsStatesTests
{
    [Theory]
    [InlineData("Q", JobState.Pending)]
    [InlineData("T", JobState.Pending)]
    [InlineData("W", JobState.Pending)]
    [InlineData("M", JobState.Pending)]
    [InlineData("H", JobState.Held)]
    [InlineData("S", JobState.Suspended)]
    [InlineData("U", JobState.Suspended)]
    [InlineData("R", JobState.Running)]
    [InlineData("E", JobState.Running)]
    [InlineData("B", JobState.Running)]
    [InlineData("", JobState.Unknown)]
    [InlineData("Z", JobState.Unknown)]
    [InlineData("q", JobState.Unknown)]
    public void Every_live_letter_has_its_state(string letter, JobState state) =>
        Assert.Equal(state, PbsStates.Live(letter));

    [Theory]
    [InlineData("F", PbsDialect.Pro, true)]
    [InlineData("X", PbsDialect.Pro, true)]
    [InlineData("C", PbsDialect.Pro, false)]
    [InlineData("R", PbsDialect.Pro, false)]
    [InlineData("C", PbsDialect.Torque, true)]
    [InlineData("F", PbsDialect.Torque, false)]
    [InlineData("X", PbsDialect.Torque, false)]
    [InlineData("", PbsDialect.Torque, false)]
    public void Finished_letters_depend_on_the_dialect(string letter, PbsDialect dialect, bool finished) =>
        Assert.Equal(finished, PbsStates.IsFinishedLetter(letter, dialect));

    [Theory]
    [InlineData("Job run at Thu Nov 26 at 10:00 on (vm:ncpus=1) and terminated by pbsuser@vm", null, "pbsuser@vm")]
    [InlineData("terminated by root@host  ", 92, "root@host")]
    [InlineData("terminated by ", null, "an unnamed user")]
    [InlineData("Job run at Thu and finished", 91, "a user or the server (substate 91, terminated)")]
    [InlineData(null, 91, "a user or the server (substate 91, terminated)")]
    [InlineData("Job run at Thu and finished", 92, null)]
    [InlineData(null, null, null)]
    [InlineData("Terminated By x", 90, null)]
    public void Who_deleted_a_job_comes_from_the_comment_or_the_substate(string? comment, int? substate, string? who) =>
        Assert.Equal(who, PbsStates.DeletedBy(comment, substate));

    [Theory]
    // never ran
    [InlineData(
        null,
        false,
        JobState.Cancelled,
        null,
        null,
        "Ended without running (no exit status): deleted, or its dependency failed"
    )]
    [InlineData(null, true, JobState.Cancelled, null, null, "Deleted before it ran")]
    // ran to an exit status
    [InlineData(0, false, JobState.Completed, 0, null, null)]
    [InlineData(1, false, JobState.Failed, 1, null, "NonZeroExitCode")]
    [InlineData(3, false, JobState.Failed, 3, null, "NonZeroExitCode")]
    [InlineData(128, false, JobState.Failed, 128, null, "NonZeroExitCode")]
    [InlineData(129, false, JobState.Failed, 129, 1, "Killed by signal 1 (exit status 129)")]
    [InlineData(137, false, JobState.Failed, 137, 9, "Killed by signal 9 (exit status 137)")]
    [InlineData(192, false, JobState.Failed, 192, 64, "Killed by signal 64 (exit status 192)")]
    [InlineData(193, false, JobState.Failed, 193, null, "NonZeroExitCode")]
    [InlineData(255, false, JobState.Failed, 255, null, "NonZeroExitCode")]
    // killed by PBS: 256 + signal
    [InlineData(256, false, JobState.Failed, 128, 0, "Killed by signal 0")]
    [InlineData(265, false, JobState.Failed, 137, 9, "Killed by signal 9")]
    [InlineData(271, false, JobState.Failed, 143, 15, "Killed by signal 15")]
    [InlineData(265, true, JobState.Cancelled, 137, 9, "Deleted (qdel)")]
    [InlineData(271, true, JobState.Cancelled, 143, 15, "Deleted (qdel)")]
    // deleted while running: what the script returned is kept, but it was a cancel
    [InlineData(0, true, JobState.Cancelled, null, null, "Deleted (qdel)")]
    [InlineData(1, true, JobState.Cancelled, 1, null, "Deleted (qdel)")]
    [InlineData(255, true, JobState.Cancelled, 255, null, "Deleted (qdel)")]
    // PBS's own codes
    [InlineData(-29, false, JobState.TimedOut, null, null, "JOB_EXEC_KILL_WALLTIME: killed for exceeding walltime")]
    [InlineData(-27, false, JobState.Failed, null, null, "JOB_EXEC_KILL_MEM: killed for exceeding mem")]
    [InlineData(-3, true, JobState.Failed, null, null, "JOB_EXEC_RETRY: job execution failed, do retry")]
    [InlineData(-99, false, JobState.Failed, null, null, "JOB_EXEC code -99")]
    public void Success_comes_only_from_the_exit_status(
        int? exitStatus,
        bool deleted,
        JobState state,
        int? exitCode,
        int? signal,
        string? reason
    ) => Assert.Equal((state, exitCode, signal, reason), PbsStates.Finished(exitStatus, deleted));

    [Theory]
    [InlineData(-1, "JOB_EXEC_FAIL1: job exec failed, before files, no retry")]
    [InlineData(-2, "JOB_EXEC_FAIL2: job exec failed, after files, no retry")]
    [InlineData(-3, "JOB_EXEC_RETRY: job execution failed, do retry")]
    [InlineData(-4, "JOB_EXEC_INITABT: job aborted on MoM initialization")]
    [InlineData(-5, "JOB_EXEC_INITRST: job aborted on MoM init, checkpoint, no migrate")]
    [InlineData(-6, "JOB_EXEC_INITRMG: job aborted on MoM init, checkpoint, ok migrate")]
    [InlineData(-7, "JOB_EXEC_BADRESRT: job restart failed")]
    [InlineData(-10, "JOB_EXEC_FAILUID: invalid uid/gid for job")]
    [InlineData(-11, "JOB_EXEC_RERUN: job rerun")]
    [InlineData(-12, "JOB_EXEC_CHKP: job was checkpointed and killed")]
    [InlineData(-13, "JOB_EXEC_FAIL_PASSWORD: job failed due to a bad password")]
    [InlineData(-15, "JOB_EXEC_QUERST: requeue job for restart from checkpoint")]
    [InlineData(-16, "JOB_EXEC_FAILHOOK_RERUN: a hook failed, job requeued")]
    [InlineData(-17, "JOB_EXEC_FAILHOOK_DELETE: a hook failed, job deleted")]
    [InlineData(-18, "JOB_EXEC_HOOK_RERUN: a hook requested the job be rerun")]
    [InlineData(-19, "JOB_EXEC_HOOK_DELETE: a hook requested the job be deleted")]
    [InlineData(-20, "JOB_EXEC_RERUN_MS_FAIL: mother superior connection lost, job requeued")]
    [InlineData(-24, "JOB_EXEC_KILL_NCPUS_BURST: killed for exceeding ncpus (burst)")]
    [InlineData(-25, "JOB_EXEC_KILL_NCPUS_SUM: killed for exceeding ncpus (sum)")]
    [InlineData(-26, "JOB_EXEC_KILL_VMEM: killed for exceeding vmem")]
    [InlineData(-27, "JOB_EXEC_KILL_MEM: killed for exceeding mem")]
    [InlineData(-28, "JOB_EXEC_KILL_CPUT: killed for exceeding cput")]
    [InlineData(-29, "JOB_EXEC_KILL_WALLTIME: killed for exceeding walltime")]
    [InlineData(-8, "JOB_EXEC code -8")]
    [InlineData(1, "JOB_EXEC code 1")]
    public void Every_job_exec_code_is_named(int code, string name) => Assert.Equal(name, PbsStates.JobExecName(code));

    [Theory]
    [InlineData("Thu Jun 19 10:36:47 2025", 2025, 6, 19, 10, 36, 47)]
    [InlineData("Thu Jun  5 10:36:47 2025", 2025, 6, 5, 10, 36, 47)]
    [InlineData("  Thu   Jun 5 10:36:47   2025 ", 2025, 6, 5, 10, 36, 47)]
    public void Ctime_text_reads_as_local_time(string text, int y, int mo, int d, int h, int mi, int s) =>
        Assert.Equal(
            new DateTimeOffset(new DateTime(y, mo, d, h, mi, s, DateTimeKind.Local)),
            PbsStates.ParseTime(text)
        );

    [Fact]
    public void Epoch_seconds_read_as_the_instant_they_name_and_anything_else_is_no_time()
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1750329407), PbsStates.ParseTime("1750329407"));
        Assert.Null(PbsStates.ParseTime(null));
        Assert.Null(PbsStates.ParseTime(""));
        Assert.Null(PbsStates.ParseTime("   "));
        Assert.Null(PbsStates.ParseTime("yesterday"));
        Assert.Null(PbsStates.ParseTime("Thu Jun 19 10:36 2025"));
    }

    [Theory]
    [InlineData("u", false, HoldType.User)]
    [InlineData("o", false, HoldType.Operator)]
    [InlineData("uo", false, HoldType.Operator)]
    [InlineData("s", true, HoldType.Dependency)]
    [InlineData("s", false, HoldType.System)]
    [InlineData("us", true, HoldType.Dependency)]
    [InlineData("n", false, null)]
    public void Who_holds_a_job_comes_from_Hold_Types(string holdTypes, bool depends, HoldType? heldBy)
    {
        Assert.Equal(heldBy, PbsStates.HeldBy(JobState.Held, holdTypes, depends));
        Assert.Null(PbsStates.HeldBy(JobState.Pending, holdTypes, depends));
        Assert.Null(PbsStates.HeldBy(JobState.Held, null, depends));
    }
}
