using System.Globalization;
using System.Text.RegularExpressions;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Pbs;

/// <summary>What PBS does to jobs besides submitting them: qdel, qhold/qrls/qrerun and qalter, each refusal that job's alone.</summary>
public sealed partial class PbsScheduler
{
    // "qdel: Job has finished" is no failure (the job ended between our status check and the qdel); "qdel: Unauthorized
    // Request  62.vm" (exit 159) refuses that job alone
    public Task<IReadOnlyList<JobLookupFailure>> CancelAsync(
        IReadOnlyCollection<JobInfo> jobs,
        CancellationToken cancellationToken = default
    ) =>
        CancelRefusals.CancelAsync(
            _commands,
            _memory,
            "qdel",
            jobs,
            QdelRefusal(),
            line =>
                line.Contains("Job has finished", StringComparison.Ordinal)
                || line.Contains("Unknown Job Id", StringComparison.Ordinal),
            cancellationToken
        );

    /// <summary>PBS Pro/OpenPBS and Torque job ids: a number, an array part, a server name (123, 123[], 123[4].srv, 123-4).</summary>
    // the id must look like one: "qdel: cannot connect to server pbs (errno=111)" names no job
    [GeneratedRegex(@"^qdel: (?<why>.+?)\s+(?<id>\d+(\[\d*\]|-\d+)?(\.\S+)?)$")]
    internal static partial Regex QdelRefusal();

    /// <summary>
    /// <c>qhold</c>, <c>qrls</c> or <c>qrerun</c> with the ids. Each names a job it refuses ("qrerun: Unauthorized Request
    /// 12.server": qrerun is for operators and managers; "qrerun: job is not rerunnable 12.server": qsub -r n).
    /// </summary>
    public async Task<IReadOnlyList<JobLookupFailure>> ControlAsync(
        JobAction action,
        IReadOnlyCollection<JobInfo> jobs,
        CancellationToken cancellationToken = default
    )
    {
        var program = action switch
        {
            JobAction.Hold => "qhold",
            JobAction.Release => "qrls",
            _ => "qrerun",
        };
        // the subjobs of a held array are released through the array, once
        var targets =
            action == JobAction.Release
                ? jobs.Select(j =>
                        j.Reason?.StartsWith(ArrayHeld, StringComparison.Ordinal) == true && j.ArrayJobId is { } a
                            ? j with
                            {
                                JobId = a,
                                ArrayTaskId = null,
                            }
                            : j
                    )
                    .DistinctBy(j => j.JobId)
                    .ToList()
                : jobs;
        var refused = await CancelRefusals
            .ActAsync(
                _commands,
                program,
                targets,
                chunk => chunk,
                PbsCommandRefusal(),
                _ => false,
                action.ToString().ToLowerInvariant(),
                cancellationToken
            )
            .ConfigureAwait(false);
        return RefusalAdvice.Apply(refused, action, PbsAdvice);
    }

    public IReadOnlyList<(string Program, IReadOnlyList<string> Arguments)> PlanChange(
        IReadOnlyList<string> jobIds,
        JobChanges changes
    )
    {
        Ids.CheckDependencies(new JobRequest { Command = ["true"], Dependencies = changes.Dependencies ?? [] });
        var plan = new List<(string, IReadOnlyList<string>)>();
        if (QalterOptions(changes) is { Count: > 0 } options)
            plan.Add(("qalter", [.. options, .. jobIds]));
        // qalter cannot move a job to another queue: qmove does
        if (changes.Partition is { } queue)
            plan.Add(("qmove", [queue, .. jobIds]));
        return plan;
    }

    /// <summary>qalter's options for the changes, the same forms qsub takes; PBS's priority runs the other way from nice.</summary>
    private List<string> QalterOptions(JobChanges c)
    {
        if (c.Qos is not null)
            throw new InvalidResourceSpecException(
                nameof(ResourceSpec.Qos),
                c.Qos,
                "PBS has no quality-of-service setting; use a queue (-Partition) instead"
            );
        var args = new List<string>();
        if (c.Walltime is { } w)
            args.AddRange(["-l", $"walltime={Walltime.ToPbs(w)}"]);
        if (c.Name is { } name)
            args.AddRange(["-N", PbsSubmission.SafeName(name).Name]);
        if (c.Account is { } account)
            args.AddRange(["-A", account]);
        if (c.Nice is { } nice)
            args.AddRange(["-p", Math.Clamp(-nice, -1024, 1023).ToString(CultureInfo.InvariantCulture)]);
        if (c.BeginTime is { } begin)
            args.AddRange(["-a", SubmissionRules.QsubTime(begin)]);
        if (c.Dependencies is { Count: > 0 } deps)
            args.AddRange(["-W", "depend=" + PbsSubmission.Dependencies(deps, Dialect)]);
        return args;
    }

    public async Task<IReadOnlyList<JobLookupFailure>> ChangeAsync(
        IReadOnlyCollection<JobInfo> jobs,
        JobChanges changes,
        CancellationToken cancellationToken = default
    )
    {
        if (changes.Dependencies is { Count: 0 })
            throw new InvalidJobRequestException(
                "PBS cannot take a job's dependencies away (qalter -W depend adds to them): stop the job and submit it "
                    + "again without -DependsOn.",
                HpcErrors.InvalidDependency
            );
        var options = QalterOptions(changes);
        if (changes.Dependencies is { } deps)
            await CheckDependenciesAsync(new JobRequest { Command = ["true"], Dependencies = deps }, cancellationToken)
                .ConfigureAwait(false);
        var refused = new List<JobLookupFailure>();
        if (options.Count > 0)
            refused.AddRange(
                await CancelRefusals
                    .ActAsync(
                        _commands,
                        "qalter",
                        jobs,
                        chunk => [.. options, .. chunk],
                        PbsCommandRefusal(),
                        _ => false,
                        "change",
                        cancellationToken
                    )
                    .ConfigureAwait(false)
            );
        if (changes.Partition is { } queue)
        {
            var left = jobs.Where(j => refused.All(r => r.JobId != j.JobId)).ToList();
            refused.AddRange(
                await CancelRefusals
                    .ActAsync(
                        _commands,
                        "qmove",
                        left,
                        chunk => [queue, .. chunk],
                        PbsCommandRefusal(),
                        _ => false,
                        "move",
                        cancellationToken
                    )
                    .ConfigureAwait(false)
            );
        }
        return RefusalAdvice.Apply(refused, JobAction.Change, PbsAdvice);
    }

    private static readonly RefusalAdvice[] PbsAdvice =
    [
        new(
            "Unauthorized Request",
            "PBS lets only its operators and managers rerun jobs (qrerun): ask them, or stop the job (Stop-HpcJob) and "
                + "submit it again.",
            JobAction.Requeue
        ),
        new(
            "Unauthorized Request",
            "An operator or the system holds it (Hold_Types o or s); only a PBS operator or manager can release that hold.",
            JobAction.Release
        ),
        new("not rerunnable", "It was submitted with -NoRequeue (qsub -r n)."),
        new(
            "Request invalid for state of job",
            "PBS changes most of what a job asked for only while it waits: once running, only an operator can.",
            JobAction.Change
        ),
        new("Unknown queue", "Get-HpcScheduler -Detailed and Tab after -Partition list the queues.", JobAction.Change),
    ];

    [GeneratedRegex(@"^q(?:hold|rls|rerun|alter|move): (?<why>.+?)\s+(?<id>\d+(\[\d*\]|-\d+)?(\.\S+)?)$")]
    private static partial Regex PbsCommandRefusal();
}
