using HpcJobs.Core.Model;
using HpcJobs.Core.Tests.Support;

namespace HpcJobs.Core.Tests.Model;

/// <summary>Sizes, array ranges and walltimes at their edges (issue 22: what the mutation run showed no test held).</summary>
[Trait("Category", "Unit")]
public sealed class ModelRulesTests
{
    [Theory]
    [InlineData(1, "1B")]
    [InlineData(1023, "1023B")]
    [InlineData(1024, "1KB")]
    [InlineData(1536, "1.5KB")]
    [InlineData(1L << 20, "1MB")]
    [InlineData(5L << 30, "5GB")]
    [InlineData((1L << 40) + (1L << 39), "1.5TB")]
    [InlineData(1L << 50, "1PB")]
    [InlineData(1L << 60, "1024PB")]
    [InlineData(1234567, "1.18MB")]
    public void Sizes_display_in_the_largest_binary_unit(long bytes, string shown) =>
        Assert.Equal(shown, ByteSize.ToDisplay(bytes));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1L << 20, 1)]
    [InlineData((1L << 20) + 1, 2)]
    [InlineData(3L << 30, 3072)]
    public void Schedulers_get_whole_mebibytes_rounded_up(long bytes, long mib) =>
        Assert.Equal(mib, ByteSize.WholeMiB(bytes));

    [Theory]
    [InlineData("1MB", 1L << 20)]
    [InlineData("1PB", 1L << 50)]
    [InlineData("1048576", 1L << 20)]
    [InlineData("1b", null)]
    [InlineData("1048575", null)]
    [InlineData("1048575B", null)]
    [InlineData("1025TB", null)]
    [InlineData("99999999999999999999PB", null)]
    public void Sizes_are_between_1MB_and_1PB(string text, long? bytes)
    {
        if (bytes is { } b)
            Assert.Equal(b, ByteSize.Parse(text));
        else
            Assert.Throws<InvalidResourceSpecException>(() => ByteSize.Parse(text));
    }

    [Fact]
    public void Size_bounds_are_inclusive_and_name_the_field()
    {
        Assert.Equal(ByteSize.Minimum, ByteSize.Validate(ByteSize.Minimum));
        Assert.Equal(ByteSize.Maximum, ByteSize.Validate(ByteSize.Maximum));
        Assert.EndsWith(
            "must be at least 1MB",
            Assert.Throws<InvalidResourceSpecException>(() => ByteSize.Validate(ByteSize.Minimum - 1)).Message
        );
        var e = Assert.Throws<InvalidResourceSpecException>(() =>
            ByteSize.Validate(ByteSize.Maximum + 1, "MemPerCpu", "x")
        );
        Assert.Equal(("MemPerCpu", "MemPerCpu 'x' is not valid: must be at most 1PB"), (e.Field, e.Message));
        Assert.Throws<InvalidResourceSpecException>(() => ByteSize.Parse(null));
    }

    [Theory]
    [InlineData("0-3", "0,1,2,3", null)]
    [InlineData("1-7:3", "1,4,7", null)]
    [InlineData("1-7:3%1", "1,4,7", 1)]
    [InlineData("5,1,3-4", "1,3,4,5", null)]
    [InlineData("2", "2", null)]
    [InlineData(" 0-1%2 ", "0,1", 2)]
    public void Array_ranges_expand_as_sbatch_takes_them(string text, string indices, int? throttle)
    {
        var a = ArrayRange.Parse(text);
        Assert.Equal((indices, throttle), (string.Join(',', a.Indices), a.Throttle));
        Assert.Equal(a.Indices.Count, a.Count);
    }

    [Theory]
    [InlineData("1-3%0", "the throttle after % must be a whole number of at least 1")]
    [InlineData("1-3%x", "the throttle after % must be a whole number of at least 1")]
    [InlineData("%2", "no indices")]
    [InlineData("", "no indices")]
    [InlineData("a-b", "'a-b' is not N, N-M or N-M:STEP")]
    [InlineData("1-3:0", "the step must be at least 1")]
    [InlineData("5-1", "'5-1' ends before it starts")]
    [InlineData("0-1000000", "more than 1000000 tasks")]
    [InlineData("99999999999", "index too large")]
    [InlineData("1-99999999999", "index too large")]
    public void Bad_array_ranges_say_what_is_wrong_with_examples(string text, string why)
    {
        var e = Assert.Throws<InvalidJobRequestException>(() => ArrayRange.Parse(text));
        Assert.Equal($"ArrayRange '{text}' is not valid: {why}. Examples: 0-99, 1,3,5-7, 0-99:2, 0-99%10.", e.Message);
    }

    [Fact]
    public void Array_ranges_hold_up_to_the_task_limit()
    {
        Assert.Equal(ArrayRange.MaxTasks, ArrayRange.Parse($"0-{ArrayRange.MaxTasks - 1}").Count);
        Assert.Equal(500_000, ArrayRange.Parse("0-999999:2").Count);
        Assert.Equal(2, ArrayRange.Parse("1-2:1").Count);
        Assert.Equal(1, ArrayRange.Parse("3-3:2").Count);
        Assert.Throws<InvalidJobRequestException>(() => ArrayRange.Parse("0-499999,500000-1000000"));
    }

    [Theory]
    [InlineData("90m", 5400)]
    [InlineData("1h 30m", 5400)]
    [InlineData("2 h", 7200)]
    [InlineData("1d", 86400)]
    [InlineData("45s", 45)]
    [InlineData("01:02:03", 3723)]
    [InlineData("02:03", 123)]
    [InlineData("1-02", 93600)]
    [InlineData("1-02:03", 93780)]
    [InlineData("1-02:03:04", 93784)]
    [InlineData("0:0:59", 59)]
    [InlineData("365d", 31536000)]
    public void Walltimes_read_in_sbatch_and_unit_forms(string text, long seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Walltime.Parse(text));

    [Theory]
    [InlineData("00:60")]
    [InlineData("1:00:60")]
    [InlineData("1:60:00")]
    [InlineData("366d")]
    [InlineData("365d 1s")]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("90")]
    public void Bad_walltimes_are_refused(string text) =>
        Assert.Equal("Walltime", Assert.Throws<InvalidResourceSpecException>(() => Walltime.Parse(text)).Field);

    [Fact]
    public void Walltime_bounds_and_renderings()
    {
        Assert.Equal(Walltime.Maximum, Walltime.Validate(Walltime.Maximum));
        Assert.EndsWith(
            "must be at most 365 days",
            Assert
                .Throws<InvalidResourceSpecException>(() =>
                    Walltime.Validate(Walltime.Maximum + TimeSpan.FromSeconds(1))
                )
                .Message
        );
        Assert.EndsWith(
            "must be longer than zero",
            Assert.Throws<InvalidResourceSpecException>(() => Walltime.Validate(TimeSpan.Zero)).Message
        );
        Assert.EndsWith(
            "must be whole seconds",
            Assert
                .Throws<InvalidResourceSpecException>(() => Walltime.Validate(TimeSpan.FromMilliseconds(1500)))
                .Message
        );
        Assert.Equal(
            ("1-02:03:04", "26:03:04"),
            (Walltime.ToSlurm(new TimeSpan(1, 2, 3, 4)), Walltime.ToPbs(new TimeSpan(1, 2, 3, 4)))
        );
        Assert.Equal(
            ("00:05:00", "00:05:00"),
            (Walltime.ToSlurm(TimeSpan.FromMinutes(5)), Walltime.ToPbs(TimeSpan.FromMinutes(5)))
        );
    }
}
