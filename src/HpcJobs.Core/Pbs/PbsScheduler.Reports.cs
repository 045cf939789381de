using System.Globalization;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Pbs;

/// <summary>What PBS can say beyond the status of given ids: job lists, queue names, the server's settings.</summary>
public sealed partial class PbsScheduler : IJobLister, ISchedulerCatalog, ISchedulerInspector
{
    /// <summary>
    /// <c>qselect -u USER</c> (<c>-x</c> when finished jobs are wanted) for the ids, then one status call for all of them:
    /// PBS's qstat cannot combine <c>-u</c> with the full format.
    /// </summary>
    public async Task<IReadOnlyList<JobInfo>> ListJobsAsync(
        JobListQuery query,
        CancellationToken cancellationToken = default
    )
    {
        List<string> args = query.AllUsers ? [] : ["-u", query.User ?? Environment.UserName];
        if (query.WantsFinished && Dialect == PbsDialect.Pro)
            args.Add("-x");
        var r = await _commands.RunAsync("qselect", args, cancellationToken).ConfigureAwait(false);
        if (!r.Succeeded && r.StandardError.Trim().Length > 0)
            throw new SchedulerUnavailableException($"qselect failed (exit {r.ExitCode}): {r.StandardError.Trim()}");
        var ids = r.StandardOutput.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var report = ids.Count == 0 ? null : await GetStatusAsync(ids, cancellationToken).ConfigureAwait(false);
        return await ListedUser
            .SortedAsync(report?.Jobs ?? [], query, _commands.Runner, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The queues with their type, state and limits; PBS has no QoS, and its accounts are free text.</summary>
    public async Task<IReadOnlyList<CatalogEntry>> ListAsync(
        CatalogKind kind,
        CancellationToken cancellationToken = default
    )
    {
        if (kind != CatalogKind.Partition)
            return [];
        var queues = await _commands
            .RunAsync("qstat", Dialect == PbsDialect.Pro ? ["-Q", "-f", "-F", "json"] : ["-Q", "-f"], cancellationToken)
            .ConfigureAwait(false);
        var records =
            Dialect == PbsDialect.Pro
                ? PbsOutput.ParseJson(queues.StandardOutput, "Queue")
                : PbsOutput.ParseFullText(queues.StandardOutput);
        return records
            .Select(q =>
            {
                var limits = q
                    .Attributes.Where(a => a.Key.StartsWith("resources_max.", StringComparison.Ordinal))
                    .Select(a => $"{a.Key["resources_max.".Length..]} ≤ {a.Value}")
                    .ToList();
                return new CatalogEntry(
                    q.Id,
                    $"{q["queue_type"]}, enabled {q["enabled"]}, started {q["started"]}"
                        + (limits.Count > 0 ? "; " + string.Join(", ", limits) : "; no limits")
                );
            })
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<SchedulerDescription> InspectAsync(CancellationToken cancellationToken = default)
    {
        var server = await _server.AttributesAsync(cancellationToken).ConfigureAwait(false);
        var history = server.GetValueOrDefault("job_history_enable", "False");
        var historyOn = history.Equals("True", StringComparison.OrdinalIgnoreCase);
        var duration = server.GetValueOrDefault("job_history_duration", "336:00:00 (default)");
        var settings = new List<KeyValuePair<string, string>>
        {
            new(
                "Server",
                $"{server.GetValueOrDefault("server_host", "?")} ({server.GetValueOrDefault("server_state", "?")})"
            ),
            new(
                "Job history",
                historyOn
                    ? $"on, kept {duration}"
                    : "OFF: finished jobs vanish at once and are reported Unknown, never Completed by guess "
                        + "(qmgr -c 'set server job_history_enable=True')"
            ),
            new("max_array_size", server.GetValueOrDefault("max_array_size", "? (PBS default 10000)")),
            new(
                "Status path",
                Dialect == PbsDialect.Pro
                    ? "qstat -f -F json -x -t <ids>; text qstat -f -x -t when the JSON lists only the first job "
                        + "(openpbs#2672); at most 1 poll/s"
                    : "qstat -f -t <ids>"
            ),
        };
        settings.AddRange(
            (await ListAsync(CatalogKind.Partition, cancellationToken).ConfigureAwait(false)).Select(
                q => new KeyValuePair<string, string>($"Queue {q.Name}", q.Description)
            )
        );
        return Describe() with { Settings = settings };
    }
}

/// <summary>Usage from the job records: resources_used.* (cput, mem, walltime, ncpus) and Resource_List.* as asked.</summary>
public sealed partial class PbsScheduler : IJobAccounting
{
    public async Task<IReadOnlyList<JobUsage>> GetUsageAsync(
        IReadOnlyCollection<string> jobIds,
        CancellationToken cancellationToken = default
    )
    {
        var ids = jobIds.Distinct().ToList();
        var (records, _) = await QueryAsync(ids, cancellationToken).ConfigureAwait(false);
        return ids.SelectMany(id => PbsJobs.Match(records, id))
            .DistinctBy(r => r.Id)
            .Select(r =>
            {
                // the mom samples usage every $min_check_poll..$max_check_poll seconds: a short job may have none
                var mem = UsageUnits.ParseSize(r["resources_used.mem"]);
                var cput = UsageUnits.ParseDuration(r["resources_used.cput"]);
                var sampled = mem is > 0 || cput > TimeSpan.Zero;
                return new JobUsage
                {
                    JobId = r.Id,
                    Elapsed = UsageUnits.ParseDuration(r["resources_used.walltime"]),
                    CpuTime = sampled ? cput : null,
                    AllocatedCpus = PbsOutput.ParseInt(r["resources_used.ncpus"] ?? r["Resource_List.ncpus"]),
                    MaxRss = mem is > 0 ? mem : null,
                    WalltimeRequested = UsageUnits.ParseDuration(r["Resource_List.walltime"]),
                    MemoryRequested = UsageUnits.ParseSize(r["Resource_List.mem"]),
                    Note = sampled
                        ? null
                        : "not sampled: the mom had not measured the job yet (it samples every few seconds)",
                };
            })
            .ToList();
    }
}
