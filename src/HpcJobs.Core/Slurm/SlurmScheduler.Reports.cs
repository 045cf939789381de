using System.Globalization;
using HpcJobs.Core.Model;
using HpcJobs.Core.Scheduling;

namespace HpcJobs.Core.Slurm;

/// <summary>What SLURM can say beyond the status of given ids: job lists, names for completion, its settings.</summary>
public sealed partial class SlurmScheduler : IJobLister, ISchedulerCatalog, ISchedulerInspector
{
    /// <summary>
    /// squeue for what the controller holds (<c>--me</c>, <c>-u USER</c>, or everyone), one call; with a Since, one sacct
    /// call for jobs that ended after it (and are older than MinJobAge).
    /// </summary>
    public async Task<IReadOnlyList<JobInfo>> ListJobsAsync(
        JobListQuery query,
        CancellationToken cancellationToken = default
    )
    {
        List<string> args = ["-h", "-O", SlurmOutput.SqueueFormat()];
        args.AddRange(
            query.User is null ? ["--me"]
            : query.AllUsers ? []
            : ["-u", query.User]
        );
        if (query.WantsFinished)
            args.AddRange(["-t", "all"]);
        var squeue = await _commands.RunAsync("squeue", args, cancellationToken).ConfigureAwait(false);
        if (!squeue.Succeeded)
            throw new SchedulerUnavailableException($"squeue failed: {squeue.StandardError.Trim()}");
        var rows = SlurmOutput.ParseSqueue(squeue.StandardOutput);
        var index = new SqueueIndex(rows);
        var jobs = rows.Select(r => r.IsArray ? r.ArrayJobId : r.RawId)
            .Distinct()
            .SelectMany(id => SlurmJobs.FromSqueue(index, id))
            .DistinctBy(j => j.JobId)
            .ToList();
        foreach (var j in jobs.Where(j => !j.IsFinished))
            _memory.SawLive(j.JobId);

        if (query.Since is { } since && !_controller.AccountingDisabled)
        {
            List<string> sacctArgs =
            [
                "-P",
                "-n",
                "-X",
                $"--delimiter={SlurmOutput.Delimiter}",
                "-S",
                since.LocalDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
                "-o",
                string.Join(',', SlurmOutput.SacctFields),
            ];
            sacctArgs.AddRange(
                query.User is null ? []
                : query.AllUsers ? ["--allusers"]
                : ["-u", query.User]
            );
            var sacct = await _commands.RunAsync("sacct", sacctArgs, cancellationToken).ConfigureAwait(false);
            if (!_controller.SaysAccountingIsOff(sacct) && sacct.Succeeded)
            {
                var accounting = SlurmOutput.ParseSacct(sacct.StandardOutput);
                var have = jobs.Select(j => j.JobId).ToHashSet();
                jobs.AddRange(
                    accounting
                        .Select(r => r.JobId.Split('_')[0])
                        .Distinct()
                        .SelectMany(id => SlurmJobs.FromSacct(accounting, id))
                        .Where(j => have.Add(j.JobId))
                );
            }
        }
        return jobs.Select(At)
            .Where(query.Matches)
            .OrderBy(j => j.SubmitTime)
            .ThenBy(j => j.ArrayTaskId ?? -1)
            .ToList();
    }

    public async Task<IReadOnlyList<string>> ListNamesAsync(
        CatalogKind kind,
        CancellationToken cancellationToken = default
    )
    {
        var (program, args) = kind switch
        {
            CatalogKind.Partition => ("sinfo", new[] { "-h", "-o", "%R" }),
            CatalogKind.Qos => ("sacctmgr", new[] { "-nP", "show", "qos", "format=name" }),
            _ => ("sacctmgr", new[] { "-nP", "show", "assoc", $"user={Environment.UserName}", "format=account" }),
        };
        var r = await _commands.RunAsync(program, args, cancellationToken).ConfigureAwait(false);
        return r.Succeeded
            ? r
                .StandardOutput.Split('\n')
                .Select(l => l.Trim())
                .Where(l => l.Length > 0)
                .Distinct()
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];
    }

    public async Task<SchedulerDescription> InspectAsync(CancellationToken cancellationToken = default)
    {
        var config = await _controller.ConfigAsync(cancellationToken).ConfigureAwait(false);
        var sacct = await _commands
            .RunAsync("sacct", ["-n", "-X", "-S", "now", "-o", "JobID"], cancellationToken)
            .ConfigureAwait(false);
        var accounting = sacct.Succeeded;
        _controller.AccountingAnswers(accounting);
        var partitions = await _commands
            .RunAsync("sinfo", ["-h", "-o", "%R|%l|%D|%c|%m|%a"], cancellationToken)
            .ConfigureAwait(false);
        var settings = new List<KeyValuePair<string, string>>
        {
            new("Version", config.GetValueOrDefault("SLURM_VERSION", "?")),
            new(
                "Accounting",
                accounting
                    ? $"yes (sacct answers; {config.GetValueOrDefault("AccountingStorageType")})"
                    : $"NO: {sacct.StandardError.Trim()} — jobs older than MinJobAge become Unknown, never Completed by guess"
            ),
            new("MinJobAge", $"{config.GetValueOrDefault("MinJobAge", "?")} (finished jobs stay in squeue this long)"),
            new(
                "MaxArraySize",
                $"{config.GetValueOrDefault("MaxArraySize", "?")} (larger -ArrayRange indices are refused)"
            ),
            new(
                "JobAcctGatherFrequency",
                $"{config.GetValueOrDefault("JobAcctGatherFrequency", "?")}"
                    + " (MaxRSS is sampled this often: shorter jobs may show none)"
            ),
            new(
                "Status path",
                "squeue -t all -j <ids> (1 call per 100,000 characters of ids)"
                    + (
                        accounting
                            ? "; sacct for jobs older than MinJobAge; scontrol for exact exit codes"
                            : "; scontrol for exact exit codes"
                    )
            ),
        };
        foreach (var line in partitions.StandardOutput.Split('\n').Where(l => l.Contains('|')))
        {
            var f = line.Split('|');
            settings.Add(
                new($"Partition {f[0]}", $"timelimit {f[1]}, {f[2]} nodes, {f[3]} CPUs/node, {f[4]} MB/node, {f[5]}")
            );
        }
        return Describe() with { Version = config.GetValueOrDefault("SLURM_VERSION"), Settings = settings };
    }
}

/// <summary>Usage from sacct: the job's own row (elapsed, TotalCPU, AllocCPUS, Timelimit, ReqMem), MaxRSS from its steps.</summary>
public sealed partial class SlurmScheduler : IJobAccounting
{
    public async Task<IReadOnlyList<JobUsage>> GetUsageAsync(
        IReadOnlyCollection<string> jobIds,
        CancellationToken cancellationToken = default
    )
    {
        var ids = jobIds.Distinct().ToList();
        var rows = new List<SacctUsageRow>();
        var fields = string.Join(',', SlurmOutput.SacctUsageFields);
        foreach (var r in await SacctAsync(ids, fields, cancellationToken).ConfigureAwait(false))
        {
            if (_controller.SaysAccountingIsOff(r))
                throw new HpcErrorException(
                    HpcErrors.AccountingUnavailable,
                    "SLURM accounting is disabled on this cluster (sacct: \"Slurm accounting storage is disabled\"), "
                        + "so CPU time and memory use are not recorded."
                );
            if (!r.Succeeded)
                throw new SchedulerUnavailableException($"sacct failed: {r.StandardError.Trim()}");
            rows.AddRange(SlurmOutput.ParseSacctUsage(r.StandardOutput));
        }
        var usages = SlurmUsage.From(rows);
        return ids.SelectMany(id =>
                usages.Where(u => u.JobId == id || u.JobId.StartsWith(id + "_", StringComparison.Ordinal))
            )
            .DistinctBy(u => u.JobId)
            .ToList();
    }
}
