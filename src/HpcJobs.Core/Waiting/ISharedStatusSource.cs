using HpcJobs.Core.Kit;

namespace HpcJobs.Core.Waiting;

/// <summary>
/// A cluster back end whose status answers may be shared between the processes of one user (<see cref="SharedStatus"/>).
/// </summary>
public interface ISharedStatusSource
{
    /// <summary>
    /// Which scheduler on which machine answers (<c>slurm@host</c>); null when nothing may be shared (a scripted runner).
    /// </summary>
    string? SharedStatusKey { get; }

    /// <summary>What this process knows of its jobs: what it submitted, and when, answers its read-your-writes.</summary>
    JobMemory Memory { get; }
}
