using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.GridEngine;

/// <summary>What Grid Engine can say beyond the status of given ids: job lists, queues and projects, the cell's settings.</summary>
public sealed partial class GridEngineScheduler : IJobLister, ISchedulerCatalog, ISchedulerInspector, IJobAccounting
{
    /// <summary>
    /// One <c>qstat -xml -g d -u USER</c> for the live jobs, then the status of their ids (one qstat -j); finished jobs are
    /// not listed (qacct has no per-user listing that stays cheap on a long accounting file).
    /// </summary>
    public async Task<IReadOnlyList<JobInfo>> ListJobsAsync(
        JobListQuery query,
        CancellationToken cancellationToken = default
    )
    {
        var listing = await ListingAsync(
                ["-u", query.AllUsers ? "*" : query.User ?? Environment.UserName],
                cancellationToken
            )
            .ConfigureAwait(false);
        var ids = listing.Select(l => l.JobId).Distinct().ToList();
        var report = ids.Count == 0 ? null : await GetStatusAsync(ids, cancellationToken).ConfigureAwait(false);
        return await ListedUser
            .SortedAsync(report?.Jobs ?? [], query, _commands.Runner, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Queues (qconf -sql) as partitions, projects (qconf -sprjl) as accounts; Grid Engine has no QoS.</summary>
    public async Task<IReadOnlyList<CatalogEntry>> ListAsync(
        CatalogKind kind,
        CancellationToken cancellationToken = default
    )
    {
        var (option, what) = kind switch
        {
            CatalogKind.Partition => ("-sql", "queue"),
            CatalogKind.Account => ("-sprjl", "project (qsub -P)"),
            _ => (null, ""),
        };
        if (option is null)
            return [];
        var r = await _commands.RunAsync("qconf", [option], cancellationToken).ConfigureAwait(false);
        // "no project list defined" (stderr) when there is none
        return Lines(r.Succeeded ? r.StandardOutput : "")
            .Select(name => new CatalogEntry(name, what))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<SchedulerDescription> InspectAsync(CancellationToken cancellationToken = default)
    {
        var conf = await _commands.RunAsync("qconf", ["-sconf"], cancellationToken).ConfigureAwait(false);
        var reporting = Lines(conf.StandardOutput)
            .FirstOrDefault(l => l.StartsWith("reporting_params", StringComparison.Ordinal));
        var environments = await ParallelEnvironmentsAsync(cancellationToken).ConfigureAwait(false);
        var settings = new List<KeyValuePair<string, string>>
        {
            new("Cell", $"SGE_ROOT={_identity.Root}, SGE_CELL={_identity.Cell}"),
            new(
                "Accounting",
                (
                    reporting?.Contains("accounting=false", StringComparison.Ordinal) == true
                        ? "OFF: finished jobs cannot be known"
                        : "on"
                ) + " (a finished job reads Unknown until qacct has its record: accounting_flush_time)"
            ),
            new(
                "Parallel environments",
                environments.Count == 0
                    ? "none: jobs of more than one slot cannot be placed"
                    : string.Join(", ", environments.Select(e => $"{e.Name} ({e.AllocationRule})"))
            ),
            new("Dependencies", "-hold_jid: after-any only (AfterOk and AfterNotOk are refused)"),
            new("Status path", "qstat -xml -g d -u '*' + qstat -j <ids> -xml; qacct -j <job> once per finished job"),
        };
        settings.AddRange(
            (await ListAsync(CatalogKind.Partition, cancellationToken).ConfigureAwait(false)).Select(
                q => new KeyValuePair<string, string>($"Queue {q.Name}", q.Description)
            )
        );
        return Describe() with { Settings = settings };
    }

    /// <summary>Usage from qacct (cpu, maxvmem, ru_wallclock, slots, h_rt and h_vmem asked): finished jobs only.</summary>
    public async Task<IReadOnlyList<JobUsage>> GetUsageAsync(
        IReadOnlyCollection<string> jobIds,
        CancellationToken cancellationToken = default
    )
    {
        var usage = new List<JobUsage>();
        foreach (
            var group in jobIds.Where(id => Ids.IsValid(id)).Distinct().GroupBy(id => GridEngineJobs.SplitId(id).Number)
        )
        {
            var records = await AccountingAsync(group.Key, cancellationToken).ConfigureAwait(false);
            foreach (var id in group)
            {
                var task = GridEngineJobs.SplitId(id).Task;
                usage.AddRange(
                    records
                        .Where(r => task is null || r.Task == task)
                        .GroupBy(r => r.Task)
                        .Select(g => g.Last())
                        .Select(r =>
                        {
                            var requests = GridEngineJobs.Requests(r["category"]);
                            var slots = int.TryParse(r["slots"], out var s) ? s : (int?)null;
                            var vmem = GridEngineOutput.ParseRequestSize(requests.GetValueOrDefault("h_vmem"));
                            return new JobUsage
                            {
                                JobId = IdOf(r),
                                Elapsed = GridEngineOutput.ParseSeconds(r["ru_wallclock"]),
                                CpuTime = GridEngineOutput.ParseSeconds(r["cpu"]),
                                AllocatedCpus = slots,
                                MaxRss = GridEngineOutput.ParseBytes(r["maxvmem"]) is > 0 and var m ? m : null,
                                WalltimeRequested = GridEngineOutput.ParseLimit(requests.GetValueOrDefault("h_rt")),
                                MemoryRequested = vmem * (slots ?? 1),
                                Note = "memory is maxvmem (virtual), the most Grid Engine's accounting records",
                            };
                        })
                );
            }
        }
        return usage.DistinctBy(u => u.JobId).ToList();
    }
}
