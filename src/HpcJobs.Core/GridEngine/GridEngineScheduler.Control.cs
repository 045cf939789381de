using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.GridEngine;

/// <summary>What Grid Engine does to jobs besides submitting them: qdel, qhold/qrls and qmod -rj, each refusal that job's alone.</summary>
public sealed partial class GridEngineScheduler
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
    ];
}
