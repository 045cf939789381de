using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;

namespace HpcJobs.Core.Tests.Operations;

/// <summary>
/// The figures users run Measure-HpcJob for, as seff defines them: CPU efficiency is CPU time over elapsed time times the
/// allocated CPUs; memory use is the peak over what was asked for the whole job. Issue 22: a CPU efficiency computed
/// without the CPU count passed every test before these.
/// </summary>
[Trait("Category", "Unit")]
public sealed class EfficiencyTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    private static JobInfo Job(
        int? cpus = null,
        TimeSpan? ran = null,
        JobState state = JobState.Completed,
        int? nodes = null,
        long? memory = null
    ) =>
        new()
        {
            JobId = "7",
            Scheduler = "Slurm",
            State = state,
            StartTime = ran is null ? null : Start,
            EndTime = ran is null ? null : Start + ran,
            Resources = new ResourceSpec
            {
                CpusPerTask = cpus,
                Nodes = nodes,
                Memory = memory,
            },
        };

    [Theory]
    [InlineData(1, 100, 100.0)]
    [InlineData(2, 100, 50.0)]
    [InlineData(4, 100, 25.0)]
    [InlineData(4, 400, 100.0)]
    [InlineData(3, 100, 33.3)]
    public void Cpu_efficiency_is_cpu_time_over_elapsed_times_the_allocated_cpus(
        int cpus,
        int cpuSeconds,
        double percent
    )
    {
        var usage = new JobUsage
        {
            JobId = "7",
            Elapsed = TimeSpan.FromSeconds(100),
            CpuTime = TimeSpan.FromSeconds(cpuSeconds),
            AllocatedCpus = cpus,
        };
        var e = JobEfficiency.From(Job(), usage);
        Assert.Equal(percent, e.CpuEfficiencyPercent);
        Assert.Equal(cpus, e.Cpus);
    }

    [Fact]
    public void The_cpus_the_scheduler_allocated_win_over_the_cpus_asked()
    {
        // SLURM may give a whole core's threads, or more CPUs for memory: AllocCPUS is what the job held
        var e = JobEfficiency.From(
            Job(cpus: 1, ran: TimeSpan.FromSeconds(50)),
            new JobUsage
            {
                JobId = "7",
                Elapsed = TimeSpan.FromSeconds(100),
                CpuTime = TimeSpan.FromSeconds(100),
                AllocatedCpus = 4,
            }
        );
        Assert.Equal((4, 25.0), (e.Cpus, e.CpuEfficiencyPercent));
        Assert.Equal(TimeSpan.FromSeconds(100), e.Elapsed); // accounting's elapsed, not the status's start/end
    }

    [Fact]
    public void The_walltime_and_note_accounting_gives_win_over_the_job_s_own()
    {
        var job = Job(state: JobState.Running, ran: TimeSpan.FromMinutes(1)) with
        {
            Resources = new ResourceSpec { Walltime = TimeSpan.FromMinutes(5) },
        };
        var e = JobEfficiency.From(
            job,
            new JobUsage
            {
                JobId = "7",
                Elapsed = TimeSpan.FromMinutes(1),
                WalltimeRequested = TimeSpan.FromMinutes(10),
                Note = "sampled 1 s ago",
            }
        );
        Assert.Equal(
            (TimeSpan.FromMinutes(10), 10.0, "sampled 1 s ago"),
            (e.WalltimeRequested, e.WalltimeUsedPercent, e.Note)
        );
        Assert.Equal(TimeSpan.FromMinutes(5), JobEfficiency.From(job, new JobUsage { JobId = "7" }).WalltimeRequested);
        Assert.Equal("1 / 2 / 3.5", new Spread(1, 2, 3.5, 3).ToString());
    }

    [Fact]
    public void Without_accounting_the_job_s_own_cpus_and_times_are_used()
    {
        var e = JobEfficiency.From(
            Job(cpus: 2, ran: TimeSpan.FromSeconds(60)),
            new JobUsage { JobId = "7", CpuTime = TimeSpan.FromSeconds(30) }
        );
        Assert.Equal((2, TimeSpan.FromSeconds(60), 25.0), (e.Cpus, e.Elapsed, e.CpuEfficiencyPercent));
    }

    [Fact]
    public void Memory_asked_per_node_counts_every_node_and_walltime_use_is_a_percentage()
    {
        var e = JobEfficiency.From(
            Job(nodes: 2, memory: 1L << 30) with
            {
                Resources = new ResourceSpec
                {
                    Nodes = 2,
                    Memory = 1L << 30,
                    Walltime = TimeSpan.FromMinutes(10),
                },
            },
            new JobUsage
            {
                JobId = "7",
                Elapsed = TimeSpan.FromMinutes(4),
                MaxRss = 1L << 29,
                CpuTime = TimeSpan.Zero,
                AllocatedCpus = 2,
            }
        );
        Assert.Equal(2L << 30, e.MemoryRequested);
        Assert.Equal(25.0, e.MemoryUsedPercent);
        Assert.Equal(40.0, e.WalltimeUsedPercent);
        Assert.Equal(0.0, e.CpuEfficiencyPercent);
    }

    [Fact]
    public void Accounting_memory_asked_wins_and_nothing_asked_gives_no_percentage()
    {
        var e = JobEfficiency.From(
            Job(memory: 1L << 30),
            new JobUsage
            {
                JobId = "7",
                MemoryRequested = 4L << 30,
                MaxRss = 1L << 30,
            }
        );
        Assert.Equal((4L << 30, 25.0), (e.MemoryRequested, e.MemoryUsedPercent));
        var none = JobEfficiency.From(
            Job(),
            new JobUsage
            {
                JobId = "7",
                MaxRss = 5,
                Elapsed = TimeSpan.Zero,
                CpuTime = TimeSpan.Zero,
                AllocatedCpus = 1,
            }
        );
        Assert.Null(none.MemoryUsedPercent);
        Assert.Null(none.CpuEfficiencyPercent); // zero elapsed: no figure, never a division by zero
        Assert.Null(none.WalltimeUsedPercent);
    }

    [Theory]
    [InlineData(JobState.Pending, "pending: the job has not started")]
    [InlineData(JobState.Held, "held: the job has not started")]
    public void A_job_that_has_not_started_says_so(JobState state, string note) =>
        Assert.StartsWith(note, JobEfficiency.From(Job(state: state), null).Note);

    [Fact]
    public void A_requeued_job_waiting_to_run_again_says_so_not_that_it_never_started()
    {
        var note = JobEfficiency.From(Job(state: JobState.Pending) with { Restarts = 2 }, null).Note;
        Assert.StartsWith("pending: requeued 2 times, waiting to run again", note);
        Assert.DoesNotContain("has not started", note);
    }

    [Fact]
    public void A_summary_counts_unsampled_memory_only_for_jobs_that_ran()
    {
        var ran = JobEfficiency.From(
            Job(ran: TimeSpan.FromSeconds(5)),
            new JobUsage { JobId = "7", Elapsed = TimeSpan.FromSeconds(5) }
        );
        var pending = JobEfficiency.From(Job(state: JobState.Pending), null);
        var neverRan = JobEfficiency.From(Job(state: JobState.Cancelled), new JobUsage { JobId = "8" });
        Assert.Equal(1, JobEfficiencySummary.Of([ran, pending, neverRan]).MaxRssNotSampled);
    }

    [Fact]
    public void Notes_say_what_is_missing_and_why()
    {
        Assert.Equal(
            "the job never ran",
            JobEfficiency.From(Job(state: JobState.Cancelled), new JobUsage { JobId = "7" }).Note
        );
        Assert.Equal("no accounting record (yet)", JobEfficiency.From(Job(ran: TimeSpan.FromSeconds(1)), null).Note);
        Assert.Equal(
            "running: figures so far",
            JobEfficiency
                .From(Job(state: JobState.Running, ran: TimeSpan.FromSeconds(1)), new JobUsage { JobId = "7" })
                .Note
        );
        Assert.Equal(
            "lag",
            JobEfficiency.From(Job(ran: TimeSpan.FromSeconds(1)), new JobUsage { JobId = "7", Note = "lag" }).Note
        );
        Assert.Null(JobEfficiency.From(Job(ran: TimeSpan.FromSeconds(1)), new JobUsage { JobId = "7" }).Note);
    }

    [Fact]
    public void A_summary_over_array_tasks_adds_cpu_hours_and_takes_the_median()
    {
        JobEfficiency Task(int seconds, int cpus, int cpuSeconds, long? rss) =>
            JobEfficiency.From(
                Job(),
                new JobUsage
                {
                    JobId = "7",
                    Elapsed = TimeSpan.FromSeconds(seconds),
                    CpuTime = TimeSpan.FromSeconds(cpuSeconds),
                    AllocatedCpus = cpus,
                    MaxRss = rss,
                }
            ) with
            {
                State = cpuSeconds == 0 ? JobState.Failed : JobState.Completed,
            };
        var s = JobEfficiencySummary.Of([
            Task(3600, 4, 3600, 100),
            Task(3600, 2, 7200, null),
            Task(1800, 1, 0, 300),
            Task(7200, 1, 3600, 200),
        ]);
        Assert.Equal(4, s.Jobs);
        Assert.Equal((3, 1), (s.States[JobState.Completed], s.States[JobState.Failed]));
        Assert.Equal(4.0, s.CpuHoursUsed); // 1 + 2 + 0 + 1
        Assert.Equal(8.5, s.CpuHoursAllocated); // 4 + 2 + 0.5 + 2
        Assert.Equal(new Spread(0, 37.5, 100, 4), s.CpuEfficiencyPercent); // 25, 100, 0, 50
        Assert.Equal(new Spread(100, 200, 300, 3), s.MaxRssBytes);
        Assert.Equal(1, s.MaxRssNotSampled);
        Assert.Equal(new Spread(1800, 3600, 7200, 4), s.ElapsedSeconds);
        Assert.Null(Spread.Of([null, null]));
        Assert.Equal(new Spread(5, 5, 5, 1), Spread.Of([5.0]));
    }

    [Fact]
    public void A_requeued_job_is_measured_by_its_last_run_and_says_so()
    {
        var job = Job(ran: TimeSpan.FromSeconds(10), state: JobState.Completed) with { Restarts = 2 };
        var note = JobEfficiency.From(job, new JobUsage { JobId = "7", CpuTime = TimeSpan.FromSeconds(1) }).Note;
        Assert.Equal("the last of 3 runs (the job was requeued 2 times; earlier runs are not counted)", note);
        var once = JobEfficiency.From(job with { Restarts = 1 }, new JobUsage { JobId = "7", Note = "sampled" }).Note;
        Assert.Equal("sampled; the last of 2 runs (the job was requeued 1 time; earlier runs are not counted)", once);
        Assert.Null(JobEfficiency.From(job with { Restarts = 0 }, new JobUsage { JobId = "7" }).Note);
    }
}
