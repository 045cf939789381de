namespace HpcJobs.Tests;

/// <summary>List values in the format views wrap between words (issue 31: first impressions at 80 columns).</summary>
public class FormatTextTests
{
    [Fact]
    public void Wraps_between_words_and_indents_what_follows()
    {
        var text = "Arrays, ArrayThrottle, Dependencies, Walltime, FinishedJobHistory, ListJobs, ReadOutput";
        var lines = FormatText.Wrap(text, 30).Split('\n');
        Assert.Equal(
            ["Arrays, ArrayThrottle,", "  Dependencies, Walltime,", "  FinishedJobHistory,", "  ListJobs, ReadOutput"],
            lines
        );
        Assert.All(lines.Skip(1), l => Assert.StartsWith("  ", l));
    }

    [Fact]
    public void Keeps_each_line_of_its_own_and_a_word_longer_than_the_width_whole()
    {
        Assert.Equal("a: 1\nb: 2", FormatText.Wrap("a: 1\nb: 2", 30));
        Assert.Equal(
            "x\n  /a/very/long/path/that/does/not/fit",
            FormatText.Wrap("x /a/very/long/path/that/does/not/fit", 10)
        );
        Assert.Equal("", FormatText.Wrap(null));
    }
}
