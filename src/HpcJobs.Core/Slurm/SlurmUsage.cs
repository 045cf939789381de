using System.Globalization;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;

namespace HpcJobs.Core.Slurm;

/// <summary>
/// What a job used, as seff computes it from sacct: elapsed, CPU time, allocated CPUs, walltime and memory asked from the
/// job's (allocation's) own row; MaxRSS, the largest of its steps' (the allocation row carries none).
/// </summary>
internal static class SlurmUsage
{
    /// <summary>One usage per job or array task in <paramref name="rows"/> (steps grouped under it); pending ranges have none.</summary>
    public static List<JobUsage> From(IEnumerable<SacctUsageRow> rows)
    {
        var usages = new List<JobUsage>();
        foreach (var job in rows.GroupBy(r => r.JobId.Split('.')[0]))
        {
            var main = job.FirstOrDefault(r => r.JobId == job.Key);
            if (main is null || main.JobId.Contains('['))
                continue; // a pending range has no usage yet
            var rss = job.Where(r => r != main)
                .Select(r => UsageUnits.ParseSize(r.MaxRss, 1024))
                .Where(v => v is > 0)
                .Max();
            var cpus = int.TryParse(main.AllocCpus, CultureInfo.InvariantCulture, out var c) ? c : (int?)null;
            var nodes = int.TryParse(main.NNodes, CultureInfo.InvariantCulture, out var n) ? n : 1;
            var reqMem = UsageUnits.ParseSize(main.ReqMem, 1024 * 1024);
            // before 21.08 ReqMem ended in n (per node) or c (per CPU); since, it is the job's total
            if (reqMem is not null && main.ReqMem.EndsWith('n'))
                reqMem *= nodes;
            else if (reqMem is not null && main.ReqMem.EndsWith('c'))
                reqMem *= cpus ?? 1;
            usages.Add(
                new JobUsage
                {
                    JobId = job.Key,
                    Elapsed = long.TryParse(main.ElapsedRaw, CultureInfo.InvariantCulture, out var e)
                        ? TimeSpan.FromSeconds(e)
                        : null,
                    CpuTime = UsageUnits.ParseDuration(main.TotalCpu),
                    AllocatedCpus = cpus,
                    MaxRss = rss,
                    WalltimeRequested = UsageUnits.ParseDuration(main.Timelimit),
                    MemoryRequested = reqMem,
                    Note = Notes(rss is null, main.State.StartsWith("RUNNING", StringComparison.Ordinal), nodes),
                }
            );
        }
        return usages;
    }

    private static string? Notes(bool noRss, bool running, int nodes)
    {
        var notes = new List<string>();
        if (noRss)
            notes.Add(
                running
                    ? "MaxRSS not sampled yet: the first accounting sample (JobAcctGatherFrequency) has not been taken, "
                        + "or the job has no step yet"
                    : "MaxRSS not sampled: the job ended before the first accounting sample (JobAcctGatherFrequency) or "
                        + "had no step"
            );
        if (nodes > 1)
            notes.Add(
                $"{nodes} nodes: CPU time and CPUs are summed over all of them; MaxRSS is the largest one task used on "
                    + "any node, against the memory requested for all nodes together"
            );
        return notes.Count == 0 ? null : string.Join("; ", notes);
    }
}
