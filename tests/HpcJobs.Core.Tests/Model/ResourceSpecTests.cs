using HpcJobs.Core.Model;

namespace HpcJobs.Core.Tests.Model;

[Trait("Category", "Unit")]
public class ResourceSpecTests
{
    [Theory]
    [InlineData("512MB", 512L * 1024 * 1024)]
    [InlineData("4GB", 4L * 1024 * 1024 * 1024)]
    [InlineData("4G", 4L * 1024 * 1024 * 1024)]
    [InlineData("1.5TB", 1536L * 1024 * 1024 * 1024)]
    [InlineData("2048k", 2L * 1024 * 1024)]
    [InlineData("4294967296", 4L * 1024 * 1024 * 1024)]
    [InlineData("8GiB", 8L * 1024 * 1024 * 1024)]
    public void Memory_sizes_parse_in_binary_units(string text, long bytes) =>
        Assert.Equal(bytes, ByteSize.Parse(text));

    [Theory]
    [InlineData("4096", "did you mean 4096MB")]
    [InlineData("lots", "expected a size")]
    [InlineData("0MB", "at least 1MB")]
    [InlineData("5PB", "at most 1PB")]
    [InlineData("-1GB", "expected a size")]
    public void Bad_memory_sizes_name_the_field_and_value(string text, string why)
    {
        var e = Assert.Throws<InvalidResourceSpecException>(() => ByteSize.Parse(text));
        Assert.Equal("Memory", e.Field);
        Assert.Contains(text, e.Message);
        Assert.Contains(why, e.Message);
        Assert.Equal("HpcInvalidResourceSpec", e.ErrorId);
    }

    [Theory]
    [InlineData("01:30:00", 5400)]
    [InlineData("90m", 5400)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    [InlineData("1h30m", 5400)]
    [InlineData("2-12:00:00", 216000)]
    [InlineData("1-00", 86400)]
    [InlineData("30:00", 1800)]
    [InlineData("1.02:00:00", 93600)]
    [InlineData("45s", 45)]
    public void Walltimes_parse_in_every_common_form(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Walltime.Parse(text));

    [Theory]
    [InlineData("90", "ambiguous")]
    [InlineData("00:00:00", "longer than zero")]
    [InlineData("0h", "longer than zero")]
    [InlineData("400d", "at most 365 days")]
    [InlineData("10:75:00", "below 60")]
    [InlineData("soon", "expected")]
    public void Bad_walltimes_are_refused(string text, string why)
    {
        var e = Assert.Throws<InvalidResourceSpecException>(() => Walltime.Parse(text));
        Assert.Equal("Walltime", e.Field);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void Walltime_renders_for_slurm_and_pbs_without_decimal_days()
    {
        var t = TimeSpan.FromHours(50) + TimeSpan.FromMinutes(5);
        Assert.Equal("2-02:05:00", Walltime.ToSlurm(t));
        Assert.Equal("50:05:00", Walltime.ToPbs(t));
        Assert.Equal("00:05:00", Walltime.ToSlurm(TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Counts_below_one_are_refused_with_the_field_name()
    {
        Assert.Equal("Nodes", Assert.Throws<InvalidResourceSpecException>(() => new ResourceSpec { Nodes = 0 }).Field);
        Assert.Equal(
            "CpusPerTask",
            Assert.Throws<InvalidResourceSpecException>(() => new ResourceSpec { CpusPerTask = -2 }).Field
        );
        Assert.Equal(
            "TasksPerNode",
            Assert.Throws<InvalidResourceSpecException>(() => new ResourceSpec { TasksPerNode = 20_000 }).Field
        );
        Assert.Equal(
            "GpusPerNode",
            Assert.Throws<InvalidResourceSpecException>(() => new ResourceSpec { GpusPerNode = -1 }).Field
        );
    }

    [Theory]
    [InlineData("debug queue")]
    [InlineData("gpu\n")]
    [InlineData("")]
    [InlineData("a\tb")]
    public void Names_with_whitespace_or_control_characters_are_refused(string name)
    {
        var e = Assert.Throws<InvalidResourceSpecException>(() => new ResourceSpec { Partition = name });
        Assert.Equal("Partition", e.Field);
    }

    [Fact]
    public void A_spec_is_immutable_and_copies_validate_too()
    {
        var spec = new ResourceSpec
        {
            Nodes = 2,
            CpusPerTask = 4,
            Memory = ByteSize.Parse("4GB"),
            Walltime = TimeSpan.FromHours(1),
            Partition = "debug",
        };
        Assert.Equal(8, spec.TotalCpus);
        Assert.Throws<InvalidResourceSpecException>(() => spec with { Nodes = 0 });
        Assert.Equal(2, spec.Nodes);
        Assert.Contains("Memory=4GB", spec.ToString());
    }
}
