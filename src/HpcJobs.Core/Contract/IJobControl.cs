using HpcJobs.Core.Model;

namespace HpcJobs.Core.Contract;

/// <summary>A back end that can hold, release and requeue jobs.</summary>
public interface IJobControl
{
    /// <summary>
    /// Applies <paramref name="action"/> to jobs the caller (<c>JobOperations.ControlAsync</c>) found in a state it
    /// applies to, in one call per chunk. Returns the jobs the scheduler refused, each with its reason
    /// (<see cref="HpcErrors.OperationRefused"/>: not your job, an operation only operators may do, a job that may not be
    /// requeued); every other job was acted on. Throws only when the scheduler could not be asked at all.
    /// </summary>
    Task<IReadOnlyList<JobLookupFailure>> ControlAsync(
        JobAction action,
        IReadOnlyCollection<JobInfo> jobs,
        CancellationToken cancellationToken = default
    );
}

/// <summary>What Suspend-, Resume-, Restart- and Set-HpcJob ask of a scheduler.</summary>
public enum JobAction
{
    /// <summary>Keep a pending job from starting (scontrol hold, qhold).</summary>
    Hold,

    /// <summary>Let a held job start again (scontrol release, qrls).</summary>
    Release,

    /// <summary>End a running job and put it back in the queue under the same id (scontrol requeue, qrerun).</summary>
    Requeue,

    /// <summary>Change what a job asked for (scontrol update, qalter): see <see cref="JobChanges"/>.</summary>
    Change,
}

/// <param name="Changed">The jobs acted on, as they are afterwards.</param>
/// <param name="Skipped">Jobs in a state the action does not apply to, and why (finished ones among them).</param>
/// <param name="NotFound">Ids nobody knows.</param>
/// <param name="Refused">Jobs the scheduler refused to act on.</param>
public sealed record ControlReport(
    IReadOnlyList<JobInfo> Changed,
    IReadOnlyList<(JobInfo Job, string Why)> Skipped,
    IReadOnlyList<JobLookupFailure> NotFound,
    IReadOnlyList<JobLookupFailure> Refused
);
