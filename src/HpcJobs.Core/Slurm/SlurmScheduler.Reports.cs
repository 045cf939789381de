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
            _ => (
                "sacctmgr",
                new[]
                {
                    "-nP",
                    "show",
                    "assoc",
                    $"user={await UserNameAsync(cancellationToken).ConfigureAwait(false)}",
                    "format=account",
                }
            ),
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
        // one line per partition and kind of node in it: nodes differ in CPUs, memory, GPUs and features
        var partitions = await _commands
            .RunAsync("sinfo", ["-h", "-o", "%R|%N|%l|%D|%c|%m|%G|%f|%a"], cancellationToken)
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
            if (f.Length < 9)
                continue;
            settings.Add(
                new(
                    $"Partition {f[0]} ({f[1]})",
                    $"timelimit {f[2]}, {f[3]} nodes, {f[4]} CPUs/node, {f[5]} MB/node"
                        + (f[6] is "(null)" or "" ? "" : $", GRES {f[6]}")
                        + (f[7] is "(null)" or "" ? "" : $", features {f[7]}")
                        + $", {f[8]}"
                )
            );
        }
        if (accounting)
            settings.AddRange(await QosAndAccountsAsync(cancellationToken).ConfigureAwait(false));
        return Describe() with { Version = config.GetValueOrDefault("SLURM_VERSION"), Settings = settings };
    }

    /// <summary>The QoS with their per-job and per-user limits, and the accounts (with QoS) you may submit to.</summary>
    private async Task<List<KeyValuePair<string, string>>> QosAndAccountsAsync(CancellationToken ct)
    {
        var settings = new List<KeyValuePair<string, string>>();
        var qos = await _commands
            .RunAsync(
                "sacctmgr",
                ["-nP", "show", "qos", "format=name,priority,maxtresperjob,maxwall,maxjobspu,maxsubmitpu"],
                ct
            )
            .ConfigureAwait(false);
        foreach (var f in qos.StandardOutput.Split('\n').Select(l => l.Split('|')).Where(f => f.Length == 6))
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
            settings.Add(
                new($"QoS {f[0]}", $"priority {f[1]}; " + (limits.Count > 0 ? string.Join(", ", limits) : "no limits"))
            );
        }
        var user = await UserNameAsync(ct).ConfigureAwait(false);
        var assoc = await _commands
            .RunAsync("sacctmgr", ["-nP", "show", "assoc", $"user={user}", "format=account,partition,qos"], ct)
            .ConfigureAwait(false);
        foreach (var f in assoc.StandardOutput.Split('\n').Select(l => l.Split('|')).Where(f => f.Length == 3))
            settings.Add(
                new(
                    $"Account {f[0]}",
                    $"{user} may submit here"
                        + (f[1].Length > 0 ? $" (partition {f[1]})" : "")
                        + (f[2].Length > 0 ? $" with QoS {f[2]}" : "")
                )
            );
        return settings;
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
