namespace HpcJobs.Core.Model;

/// <summary>
/// A job as the user named it: an id, and the scheduler that owns it when that is known (a JobInfo or an object with a
/// Scheduler property brings it; a bare id does not, and takes the usual selection rules). <see cref="Problem"/> is set
/// when what was given is no job at all; such a reference is reported, never sent to a scheduler.
/// </summary>
public sealed record JobReference(string JobId, SchedulerKind? Scheduler, string? Problem = null)
{
    /// <summary>
    /// Where the job lives when its scheduler has several places (the Local store's folder); see <see cref="JobInfo.Location"/>.
    /// </summary>
    public string? Location { get; init; }

    public bool IsValid => Problem is null;

    public static JobReference Invalid(string problem) => new("", null, problem);

    public override string ToString() => Scheduler is null ? JobId : $"{Scheduler}:{JobId}";
}
