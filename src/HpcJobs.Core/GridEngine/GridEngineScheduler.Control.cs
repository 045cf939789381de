using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.GridEngine;

/// <summary>
/// What Grid Engine does to jobs besides submitting them: qdel, qhold/qrls, qmod -rj and qalter, each refusal that job's
/// alone.
/// </summary>
public sealed partial class GridEngineScheduler : IJobChanger
{
    /// <summary>qdel, qhold, qrls and qmod say what they did and what they refused on stdout, one line per job.</summary>
    [GeneratedRegex(
        @"^(?:\S+\ -\ (?<why>you\ do\ not\ have\ the\ necessary\ privileges\ to\ \w+)\ the\ job\ ""(?<id>[\d.]+)""
            | denied:\ (?<why>""\S+""\ must\ be\ at\ least\ owner\ of\ job)\ (?<id>[\d.]+).*
            | The\ job(?:-array\ task)?\ (?<id>[\d.]+)\ is\ running\ in\ queue\ \S+\ where\ jobs\ are\ (?<why>not\ rerunable)\.?
            )$",
        RegexOptions.IgnorePatternWhitespace
    )]
    private static partial Regex Refusal();

    private static bool Done(string line) =>
        line.Contains("for deletion", StringComparison.Ordinal)
        || line.Contains("has deleted", StringComparison.Ordinal)
        || line.Contains("already in deletion", StringComparison.Ordinal)
        || line.Contains("modified hold", StringComparison.Ordinal)
        || line.Contains("does not exist", StringComparison.Ordinal)
        || line.Contains("invalid queue or job", StringComparison.Ordinal)
        || line.Contains("rescheduled", StringComparison.Ordinal)
        || line.StartsWith("modified ", StringComparison.Ordinal)
        || line.Contains("sets scheduling priority", StringComparison.Ordinal)
        || line.StartsWith("blocking jobs:", StringComparison.Ordinal)
        || line.StartsWith("exited jobs:", StringComparison.Ordinal)
        || line.Contains("rerun", StringComparison.Ordinal)
            && !line.Contains("not rerunable", StringComparison.Ordinal);

    private async Task<IReadOnlyList<JobLookupFailure>> ActAsync(
        string program,
        IReadOnlyList<string> options,
        IReadOnlyCollection<JobInfo> jobs,
        string what,
        CancellationToken ct
    )
    {
        if (jobs.Count == 0)
            return [];
        var results = await _commands
            .RunChunkedAsync(
                program,
                jobs.Select(j => j.JobId).Distinct().ToList(),
                chunk => [.. options, .. chunk],
                ct
            )
            .ConfigureAwait(false);
        return CancelRefusals.Read(
            results.Select(r => r with { StandardError = r.StandardOutput + "\n" + r.StandardError }),
            Refusal(),
            Done,
            program,
            what
        );
    }

    public Task<IReadOnlyList<JobLookupFailure>> CancelAsync(
        IReadOnlyCollection<JobInfo> jobs,
        CancellationToken cancellationToken = default
    )
    {
        foreach (var j in jobs)
            _memory.Cancelled(j.JobId);
        return ActAsync("qdel", [], jobs, "cancel", cancellationToken);
    }

    /// <summary>qhold, qrls, or qmod -rj (requeue a running job: it must be rerunnable, -r y or the queue's rerun).</summary>
    public async Task<IReadOnlyList<JobLookupFailure>> ControlAsync(
        JobAction action,
        IReadOnlyCollection<JobInfo> jobs,
        CancellationToken cancellationToken = default
    )
    {
        var (program, options) = action switch
        {
            JobAction.Hold => ("qhold", (IReadOnlyList<string>)[]),
            JobAction.Release => ("qrls", []),
            JobAction.Requeue => ("qmod", ["-rj"]),
            _ => throw new InvalidJobRequestException(
                $"Grid Engine cannot {action.ToString().ToLowerInvariant()} jobs through HpcJobs.",
                HpcErrors.OperationRefused
            ),
        };
        var refused = await ActAsync(program, options, jobs, action.ToString().ToLowerInvariant(), cancellationToken)
            .ConfigureAwait(false);
        return RefusalAdvice.Apply(refused, action, Advice);
    }

    /// <summary>
    /// qalter, once per group of jobs that end up with the same hard resource list: <c>qalter -l</c> replaces the whole
    /// list (Son of Grid Engine 8.1.9 has no <c>-mods</c>), so a new walltime is written with each job's other hard
    /// resources (h_vmem, ...) read from <c>qstat -j</c>, never dropping them.
    /// </summary>
    public IReadOnlyList<(string Program, IReadOnlyList<string> Arguments)> PlanChange(
        IReadOnlyList<string> jobIds,
        JobChanges changes
    ) =>
        ChangePlanAsync(jobIds, changes, CancellationToken.None)
            .GetAwaiter()
            .GetResult()
            .Select(c => ("qalter", (IReadOnlyList<string>)[.. c.Options, .. c.Numbers]))
            .ToList();

    public async Task<IReadOnlyList<JobLookupFailure>> ChangeAsync(
        IReadOnlyCollection<JobInfo> jobs,
        JobChanges changes,
        CancellationToken cancellationToken = default
    )
    {
        if (changes.Dependencies is { Count: > 0 } deps)
            await CheckDependenciesAsync(new JobRequest { Command = ["true"], Dependencies = deps }, cancellationToken)
                .ConfigureAwait(false);
        var refused = new List<JobLookupFailure>();
        foreach (
            var (options, numbers) in await ChangePlanAsync(
                    jobs.Select(j => j.JobId).ToList(),
                    changes,
                    cancellationToken
                )
                .ConfigureAwait(false)
        )
        {
            var r = await _commands
                .RunAsync("qalter", [.. options, .. numbers], cancellationToken)
                .ConfigureAwait(false);
            var output = r.StandardOutput + "\n" + r.StandardError;
            // a value the cell does not have (a queue, a project) is refused for the whole call, with no job named
            if (RejectedCall().Match(output) is { Success: true } rejected)
                refused.AddRange(
                    numbers.Select(id => new JobLookupFailure(
                        id,
                        $"qalter refused to change job {id}: {rejected.Groups["why"].Value.Trim()}.",
                        HpcErrors.OperationRefused
                    ))
                );
            else
                refused.AddRange(
                    CancelRefusals.Read([r with { StandardError = output }], Refusal(), Done, "qalter", "change")
                );
        }
        return RefusalAdvice.Apply(refused, JobAction.Change, Advice);
    }

    /// <summary>qalter's calls for the changes: its options, and the job numbers each call changes.</summary>
    private async Task<List<(IReadOnlyList<string> Options, IReadOnlyList<string> Numbers)>> ChangePlanAsync(
        IReadOnlyList<string> jobIds,
        JobChanges changes,
        CancellationToken ct
    )
    {
        Ids.CheckDependencies(new JobRequest { Command = ["true"], Dependencies = changes.Dependencies ?? [] });
        if (changes.Qos is not null)
            throw new InvalidResourceSpecException(
                nameof(ResourceSpec.Qos),
                changes.Qos,
                "Grid Engine has no quality-of-service setting; use a queue (-Partition) or a project (-Account)"
            );
        if (changes.Dependencies is { Count: 0 })
            throw new InvalidJobRequestException(
                "-DependsOn with no job: give the jobs to wait for (Grid Engine replaces the whole -hold_jid list).",
                HpcErrors.InvalidDependency
            );
        var options = new List<string>();
        if (changes.Name is { } name)
            options.AddRange(["-N", SubmissionRules.SafeName(name, "Grid Engine").Name]);
        if (changes.Partition is { } queue)
            options.AddRange(["-q", queue]);
        if (changes.Account is { } project)
            options.AddRange(["-P", project]);
        if (changes.Nice is { } nice)
            options.AddRange(["-p", Math.Clamp(-nice, -1023, 1024).ToString(CultureInfo.InvariantCulture)]);
        if (changes.BeginTime is { } begin)
            options.AddRange(["-a", SubmissionRules.QsubTime(begin)]);
        if (changes.Dependencies is { } deps)
            options.AddRange(["-hold_jid", GridEngineSubmission.HoldJid(deps)]);
        // qalter changes a whole job: an array task's id names its job
        var numbers = jobIds.Select(id => GridEngineJobs.SplitId(id).Number).Distinct().ToList();
        if (changes.Walltime is not { } walltime)
            return [(options, numbers)];
        var details = await DetailsAsync(numbers, ct).ConfigureAwait(false);
        return numbers
            .GroupBy(n => HardListWith(details.GetValueOrDefault(n), "h_rt", Walltime.ToPbs(walltime)))
            .Select(g => ((IReadOnlyList<string>)[.. options, "-l", g.Key], (IReadOnlyList<string>)g.ToList()))
            .ToList();
    }

    /// <summary>A job's hard resource list (qstat -j) with <paramref name="name"/> set to <paramref name="value"/>.</summary>
    private static string HardListWith(GridEngineDetail? detail, string name, string value) =>
        string.Join(
            ',',
            (detail?.HardResources ?? new Dictionary<string, string>())
                .Where(kv => kv.Key != name)
                .Select(kv => $"{kv.Key}={kv.Value}")
                .Append($"{name}={value}")
        );

    [GeneratedRegex(@"^Job was rejected because (?<why>.+)$", RegexOptions.Multiline)]
    private static partial Regex RejectedCall();

    private static readonly RefusalAdvice[] Advice =
    [
        new(
            "not rerunable",
            "Grid Engine requeues only rerunnable jobs: submit with -Requeue (qsub -r y), or ask for a queue whose rerun "
                + "is TRUE.",
            JobAction.Requeue
        ),
        new("necessary privileges", "It is another user's job: only its owner or a Grid Engine manager can."),
        new("must be at least owner", "It is another user's job: only its owner or a Grid Engine operator can."),
        new("unknown queue", "Get-HpcScheduler -Detailed and Tab after -Partition list the queues.", JobAction.Change),
    ];
}
