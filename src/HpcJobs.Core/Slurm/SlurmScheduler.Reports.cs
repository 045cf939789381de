using System.Globalization;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

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
        return await ListedUser
            .SortedAsync(jobs.Select(At), query, _commands.Runner, cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<CatalogEntry>> ListAsync(
        CatalogKind kind,
        CancellationToken cancellationToken = default
    ) =>
        kind switch
        {
            CatalogKind.Partition => (await PartitionKindsAsync(cancellationToken).ConfigureAwait(false))
                .GroupBy(k => k.Partition)
                .Select(g => new CatalogEntry(
                    g.Key,
                    $"{g.First().Availability}, timelimit {g.First().TimeLimit}; "
                        + string.Join("; ", g.Select(k => $"{k.Nodes}: {k.Kind}"))
                ))
                .OrderBy(e => e.Name, StringComparer.Ordinal)
                .ToList(),
            CatalogKind.Qos => await QosAsync(cancellationToken).ConfigureAwait(false),
            _ => await AccountsAsync(cancellationToken).ConfigureAwait(false),
        };

    public async Task<SchedulerDescription> InspectAsync(CancellationToken cancellationToken = default)
    {
        var config = await _controller.ConfigAsync(cancellationToken).ConfigureAwait(false);
        var sacct = await _commands
            .RunAsync("sacct", ["-n", "-X", "-S", "now", "-o", "JobID"], cancellationToken)
            .ConfigureAwait(false);
        var accounting = sacct.Succeeded;
        _controller.AccountingAnswers(accounting);
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
        settings.AddRange(
            (await PartitionKindsAsync(cancellationToken).ConfigureAwait(false)).Select(k => new KeyValuePair<
                string,
                string
            >($"Partition {k.Partition} ({k.Nodes})", k.Describe()))
        );
        if (accounting)
        {
            settings.AddRange((await QosAsync(cancellationToken).ConfigureAwait(false)).Select(Setting("QoS")));
            settings.AddRange(
                (await AccountsAsync(cancellationToken).ConfigureAwait(false)).Select(Setting("Account"))
            );
        }
        return Describe() with { Version = config.GetValueOrDefault("SLURM_VERSION"), Settings = settings };
    }

    /// <summary>The lines of a '|'-separated listing (sinfo -o, sacctmgr -P) that have <paramref name="fields"/> fields.</summary>
    private static IEnumerable<string[]> Rows(ProcessResult listing, int fields) =>
        listing.StandardOutput.Split('\n').Select(l => l.Trim().Split('|')).Where(f => f.Length == fields);

    private static Func<CatalogEntry, KeyValuePair<string, string>> Setting(string what) =>
        e => new($"{what} {e.Name}", e.Description);

    /// <summary>One entry per partition and kind of node in it: nodes differ in CPUs, memory, GPUs and features.</summary>
    private async Task<List<PartitionNodes>> PartitionKindsAsync(CancellationToken ct)
    {
        var sinfo = await _commands
            .RunAsync("sinfo", ["-h", "-o", "%R|%N|%l|%D|%c|%m|%G|%f|%a"], ct)
            .ConfigureAwait(false);
        return Rows(sinfo, 9)
            .Select(f => new PartitionNodes(
                f[0],
                f[1],
                f[2],
                f[8],
                $"{f[3]} nodes, {f[4]} CPUs/node, {f[5]} MB/node"
                    + (f[6] is "(null)" or "" ? "" : $", GRES {f[6]}")
                    + (f[7] is "(null)" or "" ? "" : $", features {f[7]}")
            ))
            .ToList();
    }

    /// <summary>A partition's nodes of one kind (sinfo %N), and what they have: how many, CPUs, memory, GRES, features.</summary>
    private sealed record PartitionNodes(
        string Partition,
        string Nodes,
        string TimeLimit,
        string Availability,
        string Kind
    )
    {
        public string Describe() => $"timelimit {TimeLimit}, {Kind}, {Availability}";
    }

    /// <summary>The QoS with their priority and per-job and per-user limits (none without accounting).</summary>
    private async Task<List<CatalogEntry>> QosAsync(CancellationToken ct)
    {
        var qos = await _commands
            .RunAsync(
                "sacctmgr",
                ["-nP", "show", "qos", "format=name,priority,maxtresperjob,maxwall,maxjobspu,maxsubmitpu"],
                ct
            )
            .ConfigureAwait(false);
        return Rows(qos, 6)
            .Select(f =>
            {
                var limits = new[]
                {
                    f[2].Length > 0 ? $"per job {f[2]}" : "",
                    f[3].Length > 0 ? $"walltime {f[3]}" : "",
                    f[4].Length > 0 ? $"{f[4]} running jobs per user" : "",
                    f[5].Length > 0 ? $"{f[5]} submitted jobs per user" : "",
                }
                    .Where(s => s.Length > 0)
                    .ToList();
                return new CatalogEntry(
                    f[0],
                    $"priority {f[1]}; " + (limits.Count > 0 ? string.Join(", ", limits) : "no limits")
                );
            })
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The accounts the user has an association with (may submit to), with its partition and QoS.</summary>
    private async Task<List<CatalogEntry>> AccountsAsync(CancellationToken ct)
    {
        var user = await UserNameAsync(ct).ConfigureAwait(false);
        var assoc = await _commands
            .RunAsync("sacctmgr", ["-nP", "show", "assoc", $"user={user}", "format=account,partition,qos"], ct)
            .ConfigureAwait(false);
        return Rows(assoc, 3)
            .Where(f => f[0].Length > 0)
            .GroupBy(f => f[0]) // an association per partition gives the account a line each
            .Select(g => new CatalogEntry(
                g.Key,
                $"{user} may submit here"
                    + string.Join(
                        ";",
                        g.Select(f =>
                            (f[1].Length > 0 ? $" (partition {f[1]})" : "")
                            + (f[2].Length > 0 ? $" with QoS {f[2]}" : "")
                        )
                    )
            ))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
    }

    private string? _userName;

    /// <summary>The login name the commands run as: yours here, the one ssh logged in as on a cluster over SSH.</summary>
    private async Task<string> UserNameAsync(CancellationToken ct)
    {
        if (_userName is not null)
            return _userName;
        if (_commands.Location is null)
            return _userName = Environment.UserName;
        var r = await _commands.RunAsync("id", ["-un"], ct).ConfigureAwait(false);
        return _userName = r.Succeeded ? r.StandardOutput.Trim() : Environment.UserName;
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
