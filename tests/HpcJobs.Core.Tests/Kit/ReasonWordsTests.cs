using HpcJobs.Core.Kit;

namespace HpcJobs.Core.Tests.Kit;

/// <summary>Pending reasons in plain words (issue 30): what the code means and what the user can do.</summary>
public class ReasonWordsTests
{
    [Theory]
    [InlineData("Priority", "higher priority")]
    [InlineData("Resources", "EstimatedStart")]
    [InlineData("QOSMaxJobsPerUserLimit", "your QoS allows")]
    [InlineData("AssocGrpCPULimit", "account")]
    [InlineData("ReqNodeNotAvail, UnavailableNodes:n1", "down, drained or reserved")]
    [InlineData("PartitionTimeLimit", "Set-HpcJob -Walltime")]
    [InlineData("JobHeldUser", "Resume-HpcJob")]
    [InlineData("launch failed requeued held", "slurmd log")]
    public void The_common_codes_are_explained_with_what_to_do(string reason, string words) =>
        Assert.Contains(words, ReasonWords.Explain(reason));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("SomethingNew")]
    public void A_code_without_words_has_none(string? reason) => Assert.Null(ReasonWords.Explain(reason));
}
