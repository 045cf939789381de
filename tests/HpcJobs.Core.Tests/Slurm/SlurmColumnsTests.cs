using HpcJobs.Core.Model;
using HpcJobs.Core.Slurm;
using HpcJobs.Core.Tests.Support;

namespace HpcJobs.Core.Tests.Slurm;

/// <summary>squeue and sacct are asked for named columns and read by name, whatever order or extra columns come back.</summary>
[Trait("Category", "Unit")]
public sealed class SlurmColumnsTests
{
    [Fact]
    public void Squeue_is_asked_for_named_columns_and_read_by_name()
    {
        Assert.Equal(
            "JobArrayID:|,JobID:|,ArrayJobID:|,ArrayTaskID:|,State:|,Reason:|,SubmitTime:|,StartTime:|,EndTime:|,WorkDir:|,STDOUT:|,STDERR:|,RestartCnt:|,Partition:|,NodeList:|,Name:|",
            SlurmOutput.SqueueFormat('|')
        );
        var row = SlurmOutput
            .ParseSqueue(
                "41_2|44|41|2|RUNNING|None|2026-11-29T10:00:00|2026-11-29T10:00:01|2026-11-29T11:00:01|/w|/w/o.out|/w/e.err|1|gpu|n[1-2]|my|name|",
                '|'
            )
            .Single();
        Assert.Equal(
            new SqueueRow(
                "41_2",
                "44",
                "41",
                "2",
                "RUNNING",
                "None",
                "2026-11-29T10:00:00",
                "2026-11-29T10:00:01",
                "2026-11-29T11:00:01",
                "/w",
                "/w/o.out",
                "/w/e.err",
                "1",
                "gpu",
                "n[1-2]",
                "my|name"
            ),
            row
        );
        var plain = SlurmOutput.ParseSqueue(" 7 | 7 |0||PENDING|Priority|a|b|c|d|e|f|0|debug||g|", '|').Single();
        Assert.Equal(("7", "7", "N/A", false), (plain.ShownId, plain.RawId, plain.ArrayTasks, plain.IsArray));
        Assert.Throws<SchedulerOutputException>(() => SlurmOutput.ParseSqueue("1|2|3", '|'));
    }

    [Fact]
    public void Sacct_is_read_by_name()
    {
        var row = SlurmOutput.ParseSacct("41_2|44|job|FAILED|3:0|None|s|b|e|multi|n[1-3]|/w", '|').Single();
        Assert.Equal(
            new SacctRow("41_2", "44", "job", "FAILED", "3:0", "None", "s", "b", "e", "multi", "n[1-3]", "/w"),
            row
        );
        var renamed = SlurmOutput.ParseSacct("x|y", '|', ["WorkDir", "JobID"]).Single();
        Assert.Equal(("y", "x", ""), (renamed.JobId, renamed.WorkDir, renamed.State));
    }
}
