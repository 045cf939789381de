using HpcJobs.Core.Model;

namespace HpcJobs.Core.Tests.Model;

[Trait("Category", "Unit")]
public class ArrayRangeTests
{
    [Theory]
    [InlineData("0-3", new[] { 0, 1, 2, 3 }, null, "0-3")]
    [InlineData("1,3,5-7", new[] { 1, 3, 5, 6, 7 }, null, "1,3,5-7")]
    [InlineData("0-9%2", new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 2, "0-9%2")]
    [InlineData("0-6:3", new[] { 0, 3, 6 }, null, "0-6:3")]
    [InlineData("7", new[] { 7 }, null, "7")]
    public void Ranges_expand_to_sorted_indices(string text, int[] indices, int? throttle, string canonical)
    {
        var range = ArrayRange.Parse(text);
        Assert.Equal(indices, range.Indices);
        Assert.Equal(throttle, range.Throttle);
        Assert.Equal(canonical, range.ToString());
    }

    [Theory]
    [InlineData("5-1")]
    [InlineData("a-b")]
    [InlineData("0-9%0")]
    [InlineData("")]
    [InlineData("0-2000000")]
    [InlineData("1,,2")]
    public void Bad_ranges_are_refused(string text)
    {
        var e = Assert.Throws<InvalidJobRequestException>(() => ArrayRange.Parse(text));
        Assert.Equal("HpcInvalidArrayRange", e.ErrorId);
    }
}
