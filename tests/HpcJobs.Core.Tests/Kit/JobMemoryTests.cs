using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Tests.Kit;

/// <summary>The one rule for jobs a scheduler no longer reports (JobMemory.Vanished), as every back end applies it.</summary>
public class JobMemoryTests
{
    private static readonly VanishedWords Words = new("cancelled here", "CANCELLED", "left lately", null);

    private static JobInfo Bare(string id) => new() { JobId = id, Scheduler = "Test" };

    [Theory]
    [InlineData("12_3", "12")] // SLURM: a task of an array this session cancelled
    [InlineData("12[3].server", "12[].server")] // PBS: a subjob of one (the drift this rule fixed)
    public void A_task_of_an_array_this_session_cancelled_reads_cancelled(string task, string array)
    {
        var memory = new JobMemory();
        memory.Cancelled(array);
        var job = memory.Vanished(task, array, TimeSpan.FromMinutes(5), Words, Bare);
        Assert.Equal((JobState.Cancelled, "CANCELLED", "cancelled here"), (job!.State, job.NativeState, job.Reason));
        Assert.Equal(task, job.JobId);
    }

    [Fact]
    public void A_job_seen_alive_within_the_window_is_unknown_with_a_reason_and_after_it_not_found()
    {
        var memory = new JobMemory();
        memory.SawLive("7");
        Assert.Equal(
            (JobState.Unknown, "left lately"),
            (memory.Vanished("7", null, TimeSpan.FromMinutes(5), Words, Bare)!.State, Words.Forgotten)
        );
        Assert.Null(memory.Vanished("7", null, TimeSpan.Zero, Words, Bare));
        Assert.Null(memory.Vanished("8", null, TimeSpan.MaxValue, Words, Bare)); // never seen: not found
    }

    [Fact]
    public void Without_any_history_every_vanished_job_is_unknown_saying_so()
    {
        var job = new JobMemory().Vanished("9", null, TimeSpan.Zero, Words with { NoHistory = "no history" }, Bare);
        Assert.Equal((JobState.Unknown, "no history"), (job!.State, job.Reason));
    }

    [Fact]
    public void Without_a_limit_the_window_lasts_the_session()
    {
        Assert.Equal(TimeSpan.MaxValue, JobMemory.ForgetWindow(null, TimeSpan.FromSeconds(30)));
        Assert.Equal(
            TimeSpan.FromSeconds(330),
            JobMemory.ForgetWindow(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(30))
        );
    }
}
