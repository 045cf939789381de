using HpcJobs.Core.GridEngine;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Tests.Support;

namespace HpcJobs.Core.Tests.GridEngine;

/// <summary>The Grid Engine back end against recorded answers (TestData/sge, provenance in its README).</summary>
public sealed class GridEngineScriptedTests
{
    /// <summary>qstat -xml with no job in the cell (Son of Grid Engine 8.1.9).</summary>
    private const string NoJobs = """
        <?xml version='1.0'?>
        <job_info  xmlns:xsd="http://arc.liv.ac.uk/repos/darcs/sge/source/dist/util/resources/schemas/qstat/qstat.xsd">
          <queue_info>
          </queue_info>
          <job_info>
          </job_info>
        </job_info>
        """;

    private static ProcessResult Ok(string stdout) => new(0, stdout, "");

    /// <summary>A cell where job 1 has left the queue and qacct holds one record of a job 1, named okjob, exit 0.</summary>
    private static GridEngineScheduler CellWithAnEndedJobOne() =>
        new(
            new GridEngineIdentity("SGE", "8.1.9", "/var/lib/gridengine", "default"),
            new ScriptedProcessRunner()
                .On("qsub", Ok("1\n"))
                .On("qstat", Ok(NoJobs))
                .On(
                    "qacct",
                    Ok(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "sge", "qacct_ok.txt")))
                )
        );

    [Fact]
    public async Task The_record_of_an_older_job_of_the_same_number_is_not_taken_for_this_ones_end()
    {
        // job numbers come round again (they wrap, and a cell set up anew starts at 1): qacct -j 1 holds the old job's
        var ge = CellWithAnEndedJobOne();
        var job = await ge.SubmitAsync(new JobRequest { Command = ["true"], Name = "mine" });
        var left = Assert.Single((await ge.GetStatusAsync([job.JobId])).Jobs);
        // out of the queue, with no record of its own yet: the accounting lag, not the old job's end
        Assert.Equal(JobState.Unknown, left.State);
        Assert.Contains("accounting record", left.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_record_of_this_job_gives_its_end()
    {
        var ge = CellWithAnEndedJobOne();
        var job = await ge.SubmitAsync(new JobRequest { Command = ["true"], Name = "okjob" });
        var ended = Assert.Single((await ge.GetStatusAsync([job.JobId])).Jobs);
        Assert.Equal((JobState.Completed, 0), (ended.State, ended.ExitCode));
    }
}
