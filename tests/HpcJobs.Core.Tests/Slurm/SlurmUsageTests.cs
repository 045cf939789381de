using HpcJobs.Core.Slurm;

namespace HpcJobs.Core.Tests.Slurm;

/// <summary>
/// Usage from sacct, read by named columns (issue 15): the allocation's row gives elapsed, CPU time, CPUs, walltime and
/// memory asked; MaxRSS is the largest of its steps'. Recorded output: TestData/slurm-live/sacct_usage.txt.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SlurmUsageTests
{
    private static string Recorded() =>
        string.Join(
            '\n',
            File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "slurm-live", "sacct_usage.txt"))
                .Where(l => !l.StartsWith('#'))
        );

    [Fact]
    public void A_job_and_array_tasks_read_from_their_allocation_and_steps()
    {
        var usages = SlurmUsage.From(SlurmOutput.ParseSacctUsage(Recorded())).ToDictionary(u => u.JobId);
        Assert.Equal(["2066", "2067_1", "2067_2"], usages.Keys.Order());
        var burn = usages["2066"];
        Assert.Equal(
            (
                TimeSpan.FromSeconds(2),
                TimeSpan.FromSeconds(2.082),
                2,
                115064L * 1024,
                TimeSpan.FromMinutes(5),
                300L << 20
            ),
            (burn.Elapsed, burn.CpuTime, burn.AllocatedCpus, burn.MaxRss, burn.WalltimeRequested, burn.MemoryRequested)
        );
        Assert.Null(burn.Note);
        Assert.Equal(
            (3304L * 1024, 1L << 30, 1),
            (usages["2067_1"].MaxRss, usages["2067_1"].MemoryRequested, usages["2067_1"].AllocatedCpus)
        );
        Assert.Equal(3212L * 1024, usages["2067_2"].MaxRss);
    }

    [Fact]
    public void Memory_asked_per_node_or_per_cpu_before_2108_is_made_the_job_s_total()
    {
        const char d = SlurmOutput.Delimiter;
        var text = string.Join(
            '\n',
            $"7{d}COMPLETED{d}60{d}01:00:00{d}4{d}01:00:00{d}2Gn{d}{d}3",
            $"8{d}COMPLETED{d}60{d}00:30{d}4{d}UNLIMITED{d}512Mc{d}{d}1",
            $"9_[3-5]{d}PENDING{d}0{d}00:00:00{d}0{d}00:10:00{d}1G{d}{d}1",
            $"10.batch{d}COMPLETED{d}1{d}00:01{d}1{d}{d}{d}10K{d}1"
        );
        var usages = SlurmUsage.From(SlurmOutput.ParseSacctUsage(text)).ToDictionary(u => u.JobId);
        Assert.Equal(["7", "8"], usages.Keys.Order()); // a pending range and a step without its job have no usage
        Assert.Equal(
            (6L << 30, TimeSpan.FromHours(1), TimeSpan.FromHours(1)),
            (usages["7"].MemoryRequested, usages["7"].CpuTime, usages["7"].WalltimeRequested)
        );
        Assert.Equal((2L << 30, (TimeSpan?)null), (usages["8"].MemoryRequested, usages["8"].WalltimeRequested));
        Assert.Null(usages["7"].MaxRss);
        Assert.StartsWith("MaxRSS not sampled", usages["7"].Note);
        Assert.Equal(TimeSpan.FromMinutes(1), usages["8"].Elapsed);
    }

    [Fact]
    public void A_running_job_without_a_sample_is_told_it_has_none_yet_not_that_it_ended()
    {
        const char d = SlurmOutput.Delimiter;
        var text = string.Join(
            '\n',
            $"11{d}RUNNING{d}3{d}00:00:00{d}1{d}00:10:00{d}1G{d}{d}1",
            $"12{d}COMPLETED{d}3{d}00:00:01{d}1{d}00:10:00{d}1G{d}{d}1"
        );
        var usages = SlurmUsage.From(SlurmOutput.ParseSacctUsage(text)).ToDictionary(u => u.JobId);
        Assert.StartsWith("MaxRSS not sampled yet", usages["11"].Note);
        Assert.DoesNotContain("ended", usages["11"].Note);
        Assert.Contains("the job ended before the first accounting sample", usages["12"].Note);
    }
}
