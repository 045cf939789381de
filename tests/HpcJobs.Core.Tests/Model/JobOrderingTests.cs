using HpcJobs.Core.Model;

namespace HpcJobs.Core.Tests.Model;

/// <summary>How the jobs answering a list of ids are matched to those ids and put in their order (JobOrdering).</summary>
[Trait("Category", "Unit")]
public sealed class JobOrderingTests
{
    private static JobInfo Job(string id, string? array = null, int? task = null) =>
        new()
        {
            JobId = id,
            Scheduler = "Slurm",
            ArrayJobId = array,
            ArrayTaskId = task,
        };

    [Fact]
    public void Jobs_come_in_the_order_their_ids_were_given_array_tasks_by_task_and_unknown_last()
    {
        var jobs = new[] { Job("99"), Job("7_10", "7", 10), Job("5"), Job("7_2", "7", 2), Job("3") };
        var ordered = JobOrdering.InInputOrder(jobs, ["5", "7", "3"]).Select(j => j.JobId);
        Assert.Equal(["5", "7_2", "7_10", "3", "99"], ordered);
    }

    [Fact]
    public void An_array_id_stands_for_its_tasks_and_a_task_for_itself()
    {
        var byId = JobOrdering.ByRequestedId([Job("7_1", "7", 1), Job("7_2", "7", 2), Job("8")]);
        Assert.Equal(["7_1", "7_2"], byId["7"].Select(j => j.JobId));
        Assert.Equal(["7_1"], byId["7_1"].Select(j => j.JobId));
        Assert.Equal(["8"], byId["8"].Select(j => j.JobId));
        Assert.Empty(byId["9"]);
    }

    [Fact]
    public void A_pbs_array_whose_parent_row_has_the_array_s_own_id_is_not_counted_twice()
    {
        // qstat -t lists the array itself (123[]) beside its tasks: its ArrayJobId is its own id
        var byId = JobOrdering.ByRequestedId([Job("123[]", "123[]"), Job("123[1]", "123[]", 1)]);
        Assert.Equal(["123[]", "123[1]"], byId["123[]"].Select(j => j.JobId));
    }
}
