using System.Text.RegularExpressions;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Kit;

/// <summary>
/// Reads what a command acting on jobs (scancel, qdel, scontrol hold/release/requeue, qhold, qrls, qrerun) said about
/// each job: the refusals (another user's job, an operator-only operation) become per-job failures, and the other jobs
/// of the same call count as done. Only output that names no job is the whole call's failure: a refusal of one job never
/// hides that the others were acted on.
/// </summary>
public static class CancelRefusals
{
    /// <summary>
    /// The cancel every cluster back end makes: the jobs are remembered as cancelled by us (so a job that vanishes
    /// afterwards reads Cancelled), <paramref name="program"/> runs over the ids in as few calls as the argument limit
    /// allows, and its output is read by <see cref="Read"/>.
    /// </summary>
    public static async Task<IReadOnlyList<JobLookupFailure>> CancelAsync(
        SchedulerCommands commands,
        JobMemory memory,
        string program,
        IReadOnlyCollection<JobInfo> jobs,
        Regex perJobLine,
        Func<string, bool> harmless,
        CancellationToken ct
    )
    {
        if (jobs.Count == 0)
            return [];
        foreach (var j in jobs)
            memory.Cancelled(j.JobId);
        return await ActAsync(commands, program, jobs, chunk => chunk, perJobLine, harmless, "cancel", ct)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="program"/> over the jobs' ids in as few calls as the argument limit allows (the arguments of
    /// each call from <paramref name="arguments"/>), and reads its output with <see cref="Read"/>.
    /// </summary>
    public static async Task<IReadOnlyList<JobLookupFailure>> ActAsync(
        SchedulerCommands commands,
        string program,
        IReadOnlyCollection<JobInfo> jobs,
        Func<IReadOnlyList<string>, IReadOnlyList<string>> arguments,
        Regex perJobLine,
        Func<string, bool> harmless,
        string what,
        CancellationToken ct
    )
    {
        if (jobs.Count == 0)
            return [];
        var results = await commands
            .RunChunkedAsync(program, jobs.Select(j => j.JobId).Distinct().ToList(), arguments, ct)
            .ConfigureAwait(false);
        return Read(results, perJobLine, harmless, program, what);
    }

    /// <param name="results">The cancel command's results (one per chunk of ids).</param>
    /// <param name="perJobLine">Matches one line about one job: groups <c>id</c> and <c>why</c>.</param>
    /// <param name="harmless">Lines that are no failure (the job ended meanwhile, is already gone).</param>
    /// <param name="program">The command's name, for messages.</param>
    /// <param name="what">What it was asked to do (cancel, hold…), for messages.</param>
    public static IReadOnlyList<JobLookupFailure> Read(
        IEnumerable<ProcessResult> results,
        Regex perJobLine,
        Func<string, bool> harmless,
        string program,
        string what = "cancel"
    )
    {
        var refused = new List<JobLookupFailure>();
        foreach (var r in results)
        {
            var refusedBefore = refused.Count;
            var unexplained = new List<string>();
            foreach (var line in r.StandardError.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
            {
                if (harmless(line))
                    continue;
                if (perJobLine.Match(line) is { Success: true } m)
                    refused.Add(
                        new JobLookupFailure(
                            m.Groups["id"].Value,
                            $"{program} refused to {what} job {m.Groups["id"].Value}: {m.Groups["why"].Value.Trim()}.",
                            HpcErrors.OperationRefused
                        )
                    );
                else
                    unexplained.Add(line);
            }
            // a call that named refused jobs may end with a line about the whole call ("slurm_suspend error: ...")
            if (!r.Succeeded && unexplained.Count > 0 && refused.Count == refusedBefore)
                throw new SchedulerUnavailableException(
                    $"{program} failed (exit {r.ExitCode}): {string.Join(' ', unexplained)}"
                );
        }
        return refused;
    }
}
