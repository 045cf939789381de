using HpcJobs.Core.Kit;

namespace HpcJobs.Core.Tests.Kit;

/// <summary>The formats sacct (22.05, on the test cluster) and OpenPBS's qstat print for usage.</summary>
[Trait("Category", "Unit")]
public class UsageUnitsTests
{
    [Theory]
    [InlineData("00:00.123", 0.123)]
    [InlineData("00:05.987", 5.987)]
    [InlineData("01:02:03", 3723)]
    [InlineData("1-00:00:01", 86401)]
    [InlineData("00:05:00", 300)]
    public void Durations_are_read_as_sacct_and_qstat_print_them(string text, double seconds) =>
        Assert.Equal(seconds, UsageUnits.ParseDuration(text)!.Value.TotalSeconds, 3);

    [Theory]
    [InlineData("UNLIMITED")]
    [InlineData("Partition_Limit")]
    [InlineData("")]
    [InlineData(null)]
    public void Unlimited_and_empty_durations_are_unknown(string? text) => Assert.Null(UsageUnits.ParseDuration(text));

    [Theory]
    [InlineData("219804K", 1, 219804L * 1024)]
    [InlineData("1.5G", 1, 1610612736L)]
    [InlineData("1000M", 1, 1000L * 1024 * 1024)]
    [InlineData("1000Mn", 1, 1000L * 1024 * 1024)]
    [InlineData("512Mc", 1, 512L * 1024 * 1024)]
    [InlineData("219804kb", 1, 219804L * 1024)]
    [InlineData("100mb", 1, 100L * 1024 * 1024)]
    [InlineData("0", 1024, 0)]
    [InlineData("2048", 1024, 2048L * 1024)]
    public void Sizes_are_read_with_binary_units(string text, long bareUnit, long bytes) =>
        Assert.Equal(bytes, UsageUnits.ParseSize(text, bareUnit));

    [Fact]
    public void An_empty_MaxRSS_is_unknown_not_zero() => Assert.Null(UsageUnits.ParseSize(""));
}
