namespace HpcJobs.Core.Model;

/// <summary>
/// The job waits for <see cref="JobId"/> (a job, an array task, or a whole array by its base id). <see cref="Scheduler"/> is
/// the scheduler that owns that job when it is known; a dependency on another scheduler's job is refused.
/// </summary>
public sealed record JobDependency(string JobId, DependencyKind Kind, SchedulerKind? Scheduler = null)
{
    /// <summary>Where the job depended on lives (the Local store's folder), when known.</summary>
    public string? Location { get; init; }

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}:{JobId}";
}
