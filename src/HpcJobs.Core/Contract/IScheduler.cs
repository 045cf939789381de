using HpcJobs.Core.Model;

namespace HpcJobs.Core.Contract;

/// <summary>
/// One batch system: the back-end contract, written once and checked on every back end by
/// tests/HpcJobs.Core.Tests/Contract/SchedulerContractTests.cs. Every method that takes ids takes many and costs a fixed
/// number of scheduler calls per chunk of ids (<c>Kit.SchedulerCommands.Chunk</c>), whatever the number of ids.
/// Every failure is an <see cref="HpcJobsException"/> with an <see cref="HpcErrors"/> id, never a raw exception.
/// </summary>
public interface IScheduler
{
    SchedulerKind Kind { get; }

    /// <summary>What this back end is and can do, for display and for refusing what it cannot do.</summary>
    SchedulerDescription Describe();

    /// <summary>Checks <paramref name="request"/> against this scheduler and renders the native submission, without submitting.</summary>
    SubmissionPlan Plan(JobRequest request);

    /// <summary>
    /// Submits, and returns the job Pending (or already Running) with its id. Before anything reaches the scheduler:
    /// the request is validated (<see cref="JobRequest.Validate(SchedulerKind)"/>); a dependency on another scheduler's
    /// job, or on a job this scheduler does not know, is refused (<see cref="HpcErrors.DependencyNotFound"/>: SLURM and
    /// PBS would take an unknown afterok as satisfied); an array over the scheduler's own limit (MaxArraySize,
    /// max_array_size) is refused naming it. A submission is never retried blindly; one whose answer was lost is looked
    /// up, never left half-done and reported as the user's.
    /// </summary>
    Task<JobInfo> SubmitAsync(JobRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Fresh status of every id, an array id expanded to its tasks (the array itself is no job of its own). An id that
    /// is no id of this scheduler, or that neither the scheduler nor its accounting knows, comes back in
    /// <see cref="StatusReport.NotFound"/> (<see cref="HpcErrors.JobNotFound"/>; an unreadable record its own id). A job
    /// the scheduler has forgotten but this process knows of is answered honestly rather than reported missing
    /// (<c>Kit.JobMemory</c>): Cancelled when this process cancelled it; Unknown, with a Reason, when this process saw
    /// it alive within the time the scheduler itself keeps finished jobs (<c>JobMemory.ForgetWindow</c>: SLURM's
    /// MinJobAge, PBS's job_history_duration). Never a guess: a finished job's state comes from its exit status.
    /// </summary>
    Task<StatusReport> GetStatusAsync(
        IReadOnlyCollection<string> jobIds,
        CancellationToken cancellationToken = default
    );

    /// <summary>The shortest sensible time between status polls (PBS's qstat pauses when called twice within a second).</summary>
    TimeSpan MinPollInterval => TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Cancels live jobs, pending or running (the caller, <c>Operations.JobOperations.StopAsync</c>, has checked that they
    /// exist and are not finished: finished ones are skipped, unknown ones reported), in one call per chunk; a pending
    /// job ends without running, a running one is signalled by the scheduler. Returns the jobs the scheduler
    /// refused to cancel (another user's job, say), each with the scheduler's reason
    /// (<see cref="HpcErrors.OperationRefused"/>); every other job was asked to end. Throws only when the scheduler
    /// could not be asked at all.
    /// </summary>
    Task<IReadOnlyList<JobLookupFailure>> CancelAsync(
        IReadOnlyCollection<JobInfo> jobs,
        CancellationToken cancellationToken = default
    );
}
