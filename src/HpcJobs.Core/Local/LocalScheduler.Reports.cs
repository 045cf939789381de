using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Local;

/// <summary>What the Local store can say beyond the status of given ids: the user's jobs and its own settings.</summary>
public sealed partial class LocalScheduler : IJobLister, ISchedulerInspector
{
    /// <summary>
    /// The store's active markers for unfinished jobs (no history scan); every record when finished jobs are wanted. The
    /// store is the user's own, so another user's jobs are never there.
    /// </summary>
    public async Task<IReadOnlyList<JobInfo>> ListJobsAsync(
        JobListQuery query,
        CancellationToken cancellationToken = default
    )
    {
        if (query.User is { } user && !query.AllUsers && user != Environment.UserName)
            return await ListedUser.CheckedAsync([], query, _runner, cancellationToken).ConfigureAwait(false);
        var ids = (query.WantsFinished ? _store.AllUnitIds() : _store.ActiveUnitIds()).ToList();
        var report = await GetStatusAsync(ids, cancellationToken).ConfigureAwait(false);
        return report.Jobs.Where(query.Matches).OrderBy(j => j.SubmitTime).ThenBy(j => j.ArrayTaskId ?? -1).ToList();
    }

    public Task<SchedulerDescription> InspectAsync(CancellationToken cancellationToken = default)
    {
        var settings = new List<KeyValuePair<string, string>>
        {
            new(
                "CPU slots",
                LocalSettings.ConfiguredCpus() is { } n
                    ? $"{n} (${LocalSettings.CpusVariable})"
                    : $"{Environment.ProcessorCount} (this machine's CPUs)"
            ),
            new("Memory", $"{ByteSize.ToDisplay(MachineMemory)} (larger requests are refused; memory is not enforced)"),
            new("State folder", _store.Root),
            new("Jobs on record", $"{_store.RecordCount}, {_store.ActiveUnitIds().Count()} pending or running"),
            new("Status path", "the state folder's records; no external command"),
        };
        return Task.FromResult(Describe() with { Settings = settings });
    }
}

/// <summary>Usage from the supervisor's wait4 rusage: exact CPU time and peak memory of every job, when it ends.</summary>
public sealed partial class LocalScheduler : IJobAccounting
{
    public Task<IReadOnlyList<JobUsage>> GetUsageAsync(
        IReadOnlyCollection<string> jobIds,
        CancellationToken cancellationToken = default
    )
    {
        var usages = new List<JobUsage>();
        var seen = new HashSet<string>();
        foreach (var id in jobIds.Distinct())
        foreach (var unitId in UnitIdsOrNone(id).Where(seen.Add))
            if (LoadOrNull(unitId) is { } unit)
                usages.Add(
                    new JobUsage
                    {
                        JobId = unit.Id,
                        Elapsed = unit.StartTime is { } start ? (unit.EndTime ?? DateTimeOffset.Now) - start : null,
                        CpuTime = unit.CpuTime,
                        AllocatedCpus = unit.Cpus,
                        MaxRss = unit.MaxRssBytes,
                        WalltimeRequested = unit.Resources?.Walltime,
                        MemoryRequested = unit.Resources?.Memory,
                        Note =
                            !unit.IsFinished ? "running: CPU time and memory are known when the job ends (wait4)"
                            : unit.StartTime is null ? "the job never ran"
                            : unit.MaxRssBytes is null
                                ? "peak memory not measured: below what wait4 can tell here, and the job ended before the first 1 s sample"
                            : null,
                    }
                );
        return Task.FromResult<IReadOnlyList<JobUsage>>(usages);
    }

    // an unreadable record is that job's error, already reported by the status call: the other jobs are measured
    private List<string> UnitIdsOrNone(string id)
    {
        try
        {
            return UnitIdsFor(id) ?? [];
        }
        catch (LocalStateException)
        {
            return [];
        }
    }

    private LocalJobRecord? LoadOrNull(string unitId)
    {
        try
        {
            return _store.LoadUnit(unitId);
        }
        catch (LocalStateException)
        {
            return null;
        }
    }
}
