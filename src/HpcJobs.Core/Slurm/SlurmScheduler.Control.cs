using System.Globalization;
using System.Text.RegularExpressions;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Slurm;

/// <summary>
/// What SLURM does to jobs besides submitting them: scancel, scontrol hold/release/requeue/update, each refusal that
/// job's alone.
/// </summary>
public sealed partial class SlurmScheduler
{
    // scancel exits 0 for unknown and finished ids; "scancel: error: Kill job error on job id 115: Access/permission
    // denied" (exit 210) refuses that job alone, the others are cancelled
    public Task<IReadOnlyList<JobLookupFailure>> CancelAsync(
        IReadOnlyCollection<JobInfo> jobs,
        CancellationToken cancellationToken = default
    ) =>
        CancelRefusals.CancelAsync(
            _commands,
            _memory,
            "scancel",
            jobs,
            ScancelRefusal(),
            _ => false,
            cancellationToken
        );

    [GeneratedRegex(@"Kill job error on job id (?<id>\S+): (?<why>.+)$")]
    internal static partial Regex ScancelRefusal();

    /// <summary>
    /// <c>scontrol hold|release|requeue ID,ID…</c>. scontrol goes on past a refused job and names it ("Access/permission
    /// denied for job 12", "Invalid user id for job 12": an operator's hold; "Requested operation is presently disabled for
    /// job 12": a job that may not be requeued).
    /// </summary>
    public async Task<IReadOnlyList<JobLookupFailure>> ControlAsync(
        JobAction action,
        IReadOnlyCollection<JobInfo> jobs,
        CancellationToken cancellationToken = default
    )
    {
        var verb = action.ToString().ToLowerInvariant();
        var refused = await CancelRefusals
            .ActAsync(
                _commands,
                "scontrol",
                jobs,
                chunk => [verb, string.Join(',', chunk)],
                ScontrolRefusal(),
                _ => false,
                verb,
                cancellationToken
            )
            .ConfigureAwait(false);
        return RefusalAdvice.Apply(refused, action, ScontrolAdvice);
    }

    public IReadOnlyList<(string Program, IReadOnlyList<string> Arguments)> PlanChange(
        IReadOnlyList<string> jobIds,
        JobChanges changes
    )
    {
        Ids.CheckDependencies(new JobRequest { Command = ["true"], Dependencies = changes.Dependencies ?? [] });
        return [("scontrol", UpdateArguments(jobIds, changes))];
    }

    /// <summary>scontrol update for every job at once: JobId takes a comma-separated list.</summary>
    private static List<string> UpdateArguments(IReadOnlyList<string> ids, JobChanges c)
    {
        var args = new List<string> { "update", $"JobId={string.Join(',', ids)}" };
        if (c.Walltime is { } w)
            args.Add($"TimeLimit={Walltime.ToSlurm(SlurmSubmission.RoundUpToMinute(w))}");
        if (c.Partition is { } partition)
            args.Add($"Partition={partition}");
        if (c.Qos is { } qos)
            args.Add($"QOS={qos}");
        if (c.Account is { } account)
            args.Add($"Account={account}");
        if (c.Name is { } name)
            args.Add($"JobName={name}");
        if (c.Nice is { } nice)
            args.Add($"Nice={nice.ToString(CultureInfo.InvariantCulture)}");
        if (c.BeginTime is { } begin)
            args.Add($"StartTime={begin.ToLocalTime():yyyy-MM-ddTHH:mm:ss}");
        if (c.Dependencies is { } deps)
            args.Add($"Dependency={(deps.Count == 0 ? "" : SlurmSubmission.Dependencies(deps))}");
        return args;
    }

    public async Task<IReadOnlyList<JobLookupFailure>> ChangeAsync(
        IReadOnlyCollection<JobInfo> jobs,
        JobChanges changes,
        CancellationToken cancellationToken = default
    )
    {
        PlanChange([], changes);
        if (changes.Dependencies is { Count: > 0 } deps)
            await CheckDependenciesAsync(new JobRequest { Command = ["true"], Dependencies = deps }, cancellationToken)
                .ConfigureAwait(false);
        var refused = await CancelRefusals
            .ActAsync(
                _commands,
                "scontrol",
                jobs,
                chunk => UpdateArguments(chunk, changes),
                ScontrolRefusal(),
                _ => false,
                "change",
                cancellationToken
            )
            .ConfigureAwait(false);
        return RefusalAdvice.Apply(refused, JobAction.Change, ScontrolAdvice);
    }

    private static readonly RefusalAdvice[] ScontrolAdvice =
    [
        new(
            "presently disabled",
            "SLURM requeues only jobs that may be requeued: this one was submitted with --no-requeue (-NoRequeue), or "
                + "the cluster sets JobRequeue=0.",
            JobAction.Requeue
        ),
        new(
            "Invalid user id",
            "An operator or administrator holds it (JobHeldAdmin): ask them to release it.",
            JobAction.Release
        ),
        new(
            "Access/permission denied",
            "SLURM lets only an operator raise a running job's time limit, give a negative -Nice, or change what "
                + "a job of someone else asked for: ask your administrators, or stop the job and submit it again.",
            JobAction.Change
        ),
        new(
            "Invalid partition name",
            "Get-HpcScheduler -Detailed and Tab after -Partition list the partitions.",
            JobAction.Change
        ),
        new(
            "Invalid qos specification",
            "The QoS does not exist, or the job's account may not use it (sacctmgr show assoc).",
            JobAction.Change
        ),
        new(
            "Job is no longer pending execution",
            "It has started: SLURM changes a running job's time limit (shorter only, for users) and little else.",
            JobAction.Change
        ),
    ];

    [GeneratedRegex(@"^(?<why>.+) for job (?<id>\S+)$")]
    internal static partial Regex ScontrolRefusal();
}
