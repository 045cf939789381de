namespace HpcJobs.Core.Model;

/// <summary>
/// Why a job ended (<see cref="JobInfo.EndCause"/>), one rule for every back end: what only the scheduler knows (out of
/// memory, node failure, preemption, a launch that failed) comes from the back end; the rest follows from the state,
/// the exit code and the signal.
/// </summary>
public static class JobEndCauses
{
    /// <param name="state">The job's state.</param>
    /// <param name="exitCode">Its exit code, when it ran to an end.</param>
    /// <param name="signal">The signal that ended it, if one did.</param>
    /// <param name="known">What the back end knows of the end (null: nothing beyond the state).</param>
    public static JobEndCause Of(JobState state, int? exitCode, int? signal, JobEndCause? known = null) =>
        !state.IsFinished() ? JobEndCause.None
        : known is { } k ? k
        : state switch
        {
            JobState.Completed => JobEndCause.Completed,
            JobState.TimedOut => JobEndCause.Walltime,
            JobState.Cancelled => JobEndCause.Cancelled,
            _ when signal is not null => JobEndCause.Signal,
            _ when exitCode is > 0 => JobEndCause.ExitCode,
            _ => JobEndCause.Unknown,
        };

    /// <summary>The job with its end cause set from what it holds and what its back end knows.</summary>
    public static JobInfo WithEndCause(this JobInfo job, JobEndCause? known = null) =>
        job with
        {
            EndCause = Of(job.State, job.ExitCode, job.Signal, known),
        };
}
