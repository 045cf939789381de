using HpcJobs.Core.Model;

namespace HpcJobs.Core.Contract;

/// <summary>A back end that can change submitted jobs (Set-HpcJob).</summary>
public interface IJobChanger
{
    /// <summary>The exact commands <see cref="ChangeAsync"/> runs for these ids (for -WhatIf), each as program and argv.</summary>
    IReadOnlyList<(string Program, IReadOnlyList<string> Arguments)> PlanChange(
        IReadOnlyList<string> jobIds,
        JobChanges changes
    );

    /// <summary>
    /// Applies <paramref name="changes"/> to jobs that have not ended, in one call per chunk (and per command the
    /// scheduler needs). Returns the jobs the scheduler refused, each with its reason and what to do.
    /// </summary>
    Task<IReadOnlyList<JobLookupFailure>> ChangeAsync(
        IReadOnlyCollection<JobInfo> jobs,
        JobChanges changes,
        CancellationToken cancellationToken = default
    );
}

/// <summary>
/// What Set-HpcJob changes of submitted jobs (scontrol update, qalter): each field null is left as it is. Values are
/// checked as at submission (names, partitions, walltimes, times, dependency ids), before anything reaches the scheduler.
/// </summary>
public sealed record JobChanges
{
    public TimeSpan? Walltime { get; init; }
    public string? Partition { get; init; }
    public string? Qos { get; init; }
    public string? Account { get; init; }
    public string? Name { get; init; }

    /// <summary>SLURM's nice (-10000 to 10000; higher runs later; below 0 only for operators); PBS priority is its negation.</summary>
    public int? Nice { get; init; }
    public DateTimeOffset? BeginTime { get; init; }

    /// <summary>The job's dependencies, all of them, replacing the ones it has.</summary>
    public IReadOnlyList<JobDependency>? Dependencies { get; init; }

    public bool IsEmpty =>
        Walltime is null
        && Partition is null
        && Qos is null
        && Account is null
        && Name is null
        && Nice is null
        && BeginTime is null
        && Dependencies is null;

    public const int MaxNice = 10_000;

    /// <summary>
    /// Checks every value as Submit-HpcJob would, for <paramref name="target"/>. Throws
    /// <see cref="InvalidJobRequestException"/>.
    /// </summary>
    public JobChanges Validate(SchedulerKind target)
    {
        if (IsEmpty)
            throw new InvalidJobRequestException(
                "Nothing to change: give -Walltime, -Partition, -Qos, -Account, -Name, -Nice, -BeginTime or -DependsOn.",
                HpcErrors.InvalidJobRequest
            );
        if (Nice is < -MaxNice or > MaxNice)
            throw new InvalidJobRequestException(
                $"-Nice {Nice} is out of range: give one from -{MaxNice} to {MaxNice} (higher runs later).",
                HpcErrors.InvalidJobRequest
            );
        // the names, sizes and times a submission would check, through the same rules
        _ = new ResourceSpec
        {
            Walltime = Walltime,
            Partition = Partition,
            Qos = Qos,
            Account = Account,
        };
        new JobRequest
        {
            Command = ["true"],
            Name = Name,
            BeginTime = BeginTime,
            Dependencies = Dependencies ?? [],
        }.Validate(target);
        return this;
    }
}
