namespace HpcJobs.Core.Model;

/// <summary>The scheduler-independent state of a job. The scheduler's own word stays in <see cref="JobInfo.NativeState"/>.</summary>
public enum JobState
{
    Unknown,
    Pending,
    Held,
    Running,
    Completed,
    Failed,
    Cancelled,
    TimedOut,

    /// <summary>Was running and is stopped by the scheduler (SLURM SUSPENDED, PBS S/U): it keeps its place, and goes on.</summary>
    Suspended,
}

/// <summary>Who holds a Held job: what it takes to release it.</summary>
public enum HoldType
{
    /// <summary>The job's owner (Suspend-HpcJob, scontrol hold, qhold -h u): Resume-HpcJob releases it.</summary>
    User,

    /// <summary>An operator or administrator (JobHeldAdmin, qhold -h o): only they can release it.</summary>
    Operator,

    /// <summary>The scheduler itself (a requeue hold, PBS system hold): see the Reason.</summary>
    System,

    /// <summary>PBS holds a job until its dependencies are met (Hold_Types s with a depend list).</summary>
    Dependency,
}

public static class JobStateExtensions
{
    /// <summary>True for states a job never leaves (Unknown is not finished: the job may still be alive somewhere).</summary>
    public static bool IsFinished(this JobState state) =>
        state is JobState.Completed or JobState.Failed or JobState.Cancelled or JobState.TimedOut;
}

/// <summary>What a dependency waits for.</summary>
public enum DependencyKind
{
    /// <summary>Start after the job completed successfully (exit 0).</summary>
    AfterOk,

    /// <summary>Start after the job ended, whatever the outcome.</summary>
    AfterAny,

    /// <summary>Start only after the job failed (non-zero exit, signal, timeout, cancel).</summary>
    AfterNotOk,
}

/// <summary>The scheduler families HpcJobs drives.</summary>
public enum SchedulerKind
{
    Local,
    Slurm,
    Pbs,
}
