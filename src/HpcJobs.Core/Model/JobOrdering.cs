using HpcJobs.Core.Model;

namespace HpcJobs.Core.Model;

/// <summary>How jobs answering a list of ids are matched to those ids (a dictionary) and ordered (one sort).</summary>
public static class JobOrdering
{
    /// <summary>The jobs in the order their ids (or their array's id) were given; array tasks by task id; unknown last.</summary>
    public static IEnumerable<JobInfo> InInputOrder(IEnumerable<JobInfo> jobs, IReadOnlyCollection<string> ids)
    {
        var position = new Dictionary<string, int>();
        var i = 0;
        foreach (var id in ids)
            position.TryAdd(id, i++);
        return jobs.OrderBy(j =>
                position.GetValueOrDefault(j.JobId, position.GetValueOrDefault(j.ArrayJobId ?? "", int.MaxValue))
            )
            .ThenBy(j => j.ArrayTaskId ?? -1);
    }

    /// <summary>The jobs each id stands for: the job itself, or the tasks of an array id.</summary>
    public static ILookup<string, JobInfo> ByRequestedId(IEnumerable<JobInfo> jobs) =>
        jobs.SelectMany(j =>
                j.ArrayJobId is { } a && a != j.JobId
                    ? new[] { (Key: j.JobId, Job: j), (Key: a, Job: j) }
                    : [(j.JobId, j)]
            )
            .ToLookup(x => x.Key, x => x.Job);
}
