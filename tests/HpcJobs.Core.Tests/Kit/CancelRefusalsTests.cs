using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Pbs;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Slurm;

namespace HpcJobs.Core.Tests.Kit;

/// <summary>
/// What a command acting on several jobs said about each (CancelRefusals.Read), with the back ends' own patterns. The
/// lines are the commands' real words: scancel's from tests/HpcJobs.Core.Tests/TestData/slurm (recorded, slurm
/// 22.05) and its "Access/permission denied" refusal as the Hardening tests see it on the cluster; scontrol's and qdel's
/// as the SLURM and OpenPBS live tests see them.
/// </summary>
[Trait("Category", "Unit")]
public sealed class CancelRefusalsTests
{
    [Fact]
    public void A_refused_job_is_that_job_s_failure_and_the_others_of_the_call_count_as_done()
    {
        var refused = CancelRefusals.Read(
            [new ProcessResult(210, "", "scancel: error: Kill job error on job id 115: Access/permission denied\n")],
            SlurmScheduler.ScancelRefusal(),
            _ => false,
            "scancel"
        );
        var failure = Assert.Single(refused);
        Assert.Equal("115", failure.JobId);
        Assert.Equal(HpcErrors.OperationRefused, failure.Error);
        Assert.Equal("scancel refused to cancel job 115: Access/permission denied.", failure.Message);
    }

    [Fact]
    public void Each_refused_job_of_a_scontrol_call_is_named_with_its_own_reason()
    {
        var refused = CancelRefusals.Read(
            [
                new ProcessResult(
                    1,
                    "",
                    "Access/permission denied for job 12\nRequested operation is presently disabled for job 13\n"
                        + "slurm_requeue error: Requested operation is presently disabled\n"
                ),
            ],
            SlurmScheduler.ScontrolRefusal(),
            _ => false,
            "scontrol",
            "requeue"
        );
        Assert.Equal(["12", "13"], refused.Select(r => r.JobId));
        Assert.Contains("refused to requeue job 13: Requested operation is presently disabled", refused[1].Message);
    }

    [Fact]
    public void Harmless_lines_are_no_failure_and_a_call_that_failed_naming_no_job_is_the_whole_call_s_failure()
    {
        Assert.Empty(
            CancelRefusals.Read(
                [
                    new ProcessResult(
                        0,
                        "",
                        "scancel: error: Kill job error on job id 30: Job/step already completing or completed\n"
                    ),
                ],
                SlurmScheduler.ScancelRefusal(),
                line => line.Contains("already completing", StringComparison.Ordinal),
                "scancel"
            )
        );
        var e = Assert.Throws<SchedulerUnavailableException>(() =>
            CancelRefusals.Read(
                [new ProcessResult(1, "", "qdel: cannot connect to server pbs (errno=111)\n")],
                PbsScheduler.QdelRefusal(),
                _ => false,
                "qdel"
            )
        );
        Assert.Equal("qdel failed (exit 1): qdel: cannot connect to server pbs (errno=111)", e.Message);
    }

    [Fact]
    public void Qdel_s_refusals_name_the_job_after_the_reason()
    {
        var refused = CancelRefusals.Read(
            [new ProcessResult(35, "", "qdel: Unauthorized Request  42.pbs\n")],
            PbsScheduler.QdelRefusal(),
            _ => false,
            "qdel"
        );
        Assert.Equal(
            ("42.pbs", "qdel refused to cancel job 42.pbs: Unauthorized Request."),
            (refused[0].JobId, refused[0].Message)
        );
    }

    [Fact]
    public void Every_chunk_s_output_is_read()
    {
        var refused = CancelRefusals.Read(
            [
                new ProcessResult(210, "", "scancel: error: Kill job error on job id 1: Access/permission denied\n"),
                new ProcessResult(0, "", ""),
                new ProcessResult(210, "", "scancel: error: Kill job error on job id 9: Access/permission denied\n"),
            ],
            SlurmScheduler.ScancelRefusal(),
            _ => false,
            "scancel"
        );
        Assert.Equal(["1", "9"], refused.Select(r => r.JobId));
    }
}
