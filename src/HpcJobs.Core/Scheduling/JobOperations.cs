using HpcJobs.Core.Model;

namespace HpcJobs.Core.Scheduling;

public sealed record StopReport(IReadOnlyList<JobInfo> Cancelled, IReadOnlyList<JobInfo> AlreadyFinished, IReadOnlyList<JobLookupFailure> NotFound);

/// <summary>Operations every back end shares: stopping (status first, so finished and unknown jobs are told apart) and waiting.</summary>
public static class JobOperations
{
    /// <summary>One status call, one cancel call for the live jobs, one status call for their new state.</summary>
    public static async Task<StopReport> StopAsync(IScheduler scheduler, IReadOnlyCollection<string> jobIds, CancellationToken ct = default)
    {
        var before = await scheduler.GetStatusAsync(jobIds, ct).ConfigureAwait(false);
        var live = before.Jobs.Where(j => !j.IsFinished).ToList();
        var finished = before.Jobs.Where(j => j.IsFinished).ToList();
        if (live.Count == 0) return new StopReport([], finished, before.NotFound);
        await scheduler.CancelAsync(live, ct).ConfigureAwait(false);
        var after = await scheduler.GetStatusAsync(live.Select(j => j.JobId).ToList(), ct).ConfigureAwait(false);
        var byId = after.Jobs.ToDictionary(j => j.JobId);
        return new StopReport(live.Select(j => byId.GetValueOrDefault(j.JobId, j)).ToList(), finished, before.NotFound);
    }
}
