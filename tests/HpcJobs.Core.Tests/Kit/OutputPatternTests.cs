using HpcJobs.Core.Kit;

namespace HpcJobs.Core.Tests.Kit;

/// <summary>
/// sbatch's filename patterns as SLURM 22.05 expands them for a batch job. Expected values were read off the test
/// cluster (tests/cluster/start-slurm.sh): <c>sbatch -o 'a-%5j-%n-%t-%s-%N-%J-%b-%3a.out'</c> as job 111 on node vm wrote
/// <c>a-00111-0-0-batch-vm-111-%b-4294967294.out</c>; <c>-o 'b-\%j-%x.out'</c> wrote <c>b-%j-%x.out</c>; array 113 task 12
/// with <c>c-%A-%a-%4a.out</c> wrote <c>c-113-12-0012.out</c>.
/// </summary>
[Trait("Category", "Unit")]
public sealed class OutputPatternTests
{
    [Theory]
    [InlineData("a-%5j-%n-%t-%s-%N-%J-%b-%3a.out", "111", "111", null, "a-00111-0-0-batch-vm-111-%b-4294967294.out")]
    [InlineData(@"b-\%j-%x.out", "112", "112", null, "b-%j-%x.out")]
    [InlineData("c-%A-%a-%4a.out", "114", "113", 12, "c-113-12-0012.out")]
    [InlineData("%%j-%j%", "7", "7", null, "%j-7%")]
    [InlineData("%12j", "7", "7", null, "0000000007")]
    [InlineData("x-%q-%", "7", "7", null, "x-%q-%")]
    [InlineData("plain.out", "7", "7", null, "plain.out")]
    public void Expands_as_slurmstepd_does(string pattern, string jobId, string arrayId, int? task, string expected) =>
        Assert.Equal(expected, OutputPattern.Expand(pattern, jobId, arrayId, task, "wrap", "vm"));

    [Fact]
    public void A_node_not_known_leaves_percent_N_as_it_is() =>
        Assert.Equal("o-%N-7.out", OutputPattern.Expand("o-%N-%j.out", "7", "7", null, "n"));

    [Fact]
    public void Name_and_user_are_not_padded() =>
        Assert.Equal($"job-{Environment.UserName}", OutputPattern.Expand("%5x-%3u", "7", "7", null, "job"));
}
