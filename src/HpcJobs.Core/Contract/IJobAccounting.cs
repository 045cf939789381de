using System.Text.RegularExpressions;

namespace HpcJobs.Core.Contract;

/// <summary>A back end that reports what jobs used (for Measure-HpcJob).</summary>
public interface IJobAccounting
{
    /// <summary>Usage of every id (array ids expanded); a fixed number of scheduler calls.</summary>
    Task<IReadOnlyList<JobUsage>> GetUsageAsync(
        IReadOnlyCollection<string> jobIds,
        CancellationToken cancellationToken = default
    );
}

/// <summary>What a job used, as accounting (sacct, qstat's resources_used, rusage) reports it.</summary>
public sealed record JobUsage
{
    public required string JobId { get; init; }
    public TimeSpan? Elapsed { get; init; }
    public TimeSpan? CpuTime { get; init; }
    public int? AllocatedCpus { get; init; }

    /// <summary>Largest resident set of any task or step, in bytes; null when it was not sampled.</summary>
    public long? MaxRss { get; init; }

    public TimeSpan? WalltimeRequested { get; init; }

    /// <summary>Memory asked for the whole job, in bytes.</summary>
    public long? MemoryRequested { get; init; }

    /// <summary>Why a figure is missing, when it is (not sampled, accounting lag).</summary>
    public string? Note { get; init; }
}
