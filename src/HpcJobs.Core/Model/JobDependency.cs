namespace HpcJobs.Core.Model;

/// <summary>The job waits for <see cref="JobId"/> (a job, an array task, or a whole array by its base id).</summary>
public sealed record JobDependency(string JobId, DependencyKind Kind)
{
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}:{JobId}";
}
