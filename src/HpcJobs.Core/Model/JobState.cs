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

/// <summary>
/// Why a job ended, for scripts to switch on (<see cref="JobInfo.EndCause"/>); the text <see cref="JobInfo.Reason"/> stays
/// for people. None while the job has not ended.
/// </summary>
public enum JobEndCause
{
    /// <summary>The job has not ended.</summary>
    None,

    /// <summary>It ran to its end with exit code 0.</summary>
    Completed,

    /// <summary>It ran to its end with a non-zero exit code (<see cref="JobInfo.ExitCode"/>).</summary>
    ExitCode,

    /// <summary>A signal killed it that no limit of the scheduler sent (<see cref="JobInfo.Signal"/>).</summary>
    Signal,

    /// <summary>It used more memory than it asked for (SLURM OUT_OF_MEMORY, PBS JOB_EXEC_KILL_MEM/VMEM).</summary>
    OutOfMemory,

    /// <summary>It ran past its walltime (SLURM TIMEOUT/DEADLINE, PBS JOB_EXEC_KILL_WALLTIME, Local's own limit).</summary>
    Walltime,

    /// <summary>It used more CPU than allowed (PBS JOB_EXEC_KILL_CPUT, KILL_NCPUS_*).</summary>
    CpuLimit,

    /// <summary>A node it ran on failed (SLURM NODE_FAIL).</summary>
    NodeFailure,

    /// <summary>A higher-priority job took its resources for good (SLURM PREEMPTED).</summary>
    Preempted,

    /// <summary>Someone cancelled it: its owner, an operator, or HpcJobs (<see cref="JobInfo.CancelledBy"/> when known).</summary>
    Cancelled,

    /// <summary>
    /// It could not be started: its node, shell, user or working directory failed it (SLURM BOOT_FAIL, PBS
    /// JOB_EXEC_FAIL*).
    /// </summary>
    LaunchFailure,

    /// <summary>It never ran because what it depended on can no longer happen.</summary>
    DependencyNeverSatisfied,

    /// <summary>It ended, but how is not known (the scheduler kept no record).</summary>
    Unknown,
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
    GridEngine,
}
