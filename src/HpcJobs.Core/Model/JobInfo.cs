namespace HpcJobs.Core.Model;

/// <summary>
/// One job (or one array task) as the scheduler reported it at <see cref="QueriedAt"/>. Immutable (no public setters,
/// so PowerShell cannot assign them either): every query makes new ones.
/// </summary>
public sealed record JobInfo
{
    /// <summary>The id to use with the scheduler: <c>123</c>, <c>123_4</c>, <c>123[4].server</c>.</summary>
    public string JobId { get; internal init; } = "";

    /// <summary>For an array task, the array's own id (<c>123</c>, <c>123[].server</c>); otherwise null.</summary>
    public string? ArrayJobId { get; internal init; }
    public int? ArrayTaskId { get; internal init; }

    /// <summary>For an array as submitted, the task indices it holds (<c>0-9%2</c>).</summary>
    public string? ArrayTasks { get; internal init; }
    public string? Name { get; internal init; }

    /// <summary>The back end that owns the job: Local, Slurm, Pbs or GridEngine.</summary>
    public string Scheduler { get; internal init; } = "";

    /// <summary>
    /// Where the job lives, when that is not simply this machine's scheduler: <c>ssh://[user@]host[:port]</c> for a
    /// cluster reached over SSH, the state folder for Local (two stores have different jobs with the same numbers).
    /// Null for SLURM, PBS and Grid Engine on this machine. Cmdlets given this job act on it there.
    /// </summary>
    public string? Location { get; internal init; }
    public JobState State { get; internal init; }

    /// <summary>The scheduler's own state word (PENDING, OUT_OF_MEMORY, F, C…).</summary>
    public string? NativeState { get; internal init; }

    /// <summary>Why the job is in its state, when the scheduler says (Dependency, DependencyNeverSatisfied, TimeLimit…).</summary>
    public string? Reason { get; internal init; }
    public int? ExitCode { get; internal init; }

    /// <summary>Who holds the job, when it is Held.</summary>
    public HoldType? HeldBy { get; internal init; }

    /// <summary>How many times the job was requeued and started again (SLURM Restarts, PBS run_count - 1); null when unknown.</summary>
    public int? Restarts { get; internal init; }

    /// <summary>The signal that ended the job, if one did.</summary>
    public int? Signal { get; internal init; }

    /// <summary>
    /// When the scheduler expects a waiting job to start (SLURM's backfill estimate, squeue --start; PBS's
    /// estimated.start_time where the server computes it); null when it gives none, and once the job has started.
    /// </summary>
    public DateTimeOffset? EstimatedStart { get; internal init; }

    /// <summary>The Reason in plain words: what it means and what you can do (the common codes of each scheduler).</summary>
    public string? ReasonExplained { get; internal init; }

    /// <summary>Which attempt of a job submitted with -MaxRetries this is (1 the first); null without retries.</summary>
    public int? Attempt { get; internal init; }

    /// <summary>For a retry, the job id of the attempt it retries.</summary>
    public string? RetryOf { get; internal init; }

    /// <summary>Why the job ended, as a value to switch on: out of memory, walltime, exit code, cancelled…; None while it runs.</summary>
    public JobEndCause EndCause { get; internal init; }

    /// <summary>Who cancelled the job, where the scheduler says (SLURM: "uid 1000"; HpcJobs when this session did).</summary>
    public string? CancelledBy { get; internal init; }
    public DateTimeOffset? SubmitTime { get; internal init; }
    public DateTimeOffset? StartTime { get; internal init; }
    public DateTimeOffset? EndTime { get; internal init; }
    public string? StdOutPath { get; internal init; }
    public string? StdErrPath { get; internal init; }
    public string? WorkingDirectory { get; internal init; }
    public ResourceSpec? Resources { get; internal init; }

    /// <summary>The partition (PBS: the queue) the job is in, as the scheduler reports it; null on Local.</summary>
    public string? Partition { get; internal init; }

    /// <summary>
    /// The nodes the job runs or ran on, in the scheduler's notation (SLURM <c>n[1-2]</c>; PBS's vnodes or hosts, comma
    /// separated); null before it starts, and on Local.
    /// </summary>
    public string? NodeList { get; internal init; }
    public DateTimeOffset QueriedAt { get; internal init; } = DateTimeOffset.Now;

    public bool IsFinished => State.IsFinished();

    /// <summary>How <see cref="Reason"/> begins for a job that can never start (PBS's "Can Never Run"), for people.</summary>
    public const string CanNeverRunReason = "CanNeverRun";

    /// <summary>Not finished, but the scheduler says it can never start: waiting for it would never end.</summary>
    public bool CanNeverRun { get; internal init; }

    /// <summary>How long the job ran (or has run so far).</summary>
    public TimeSpan? Elapsed => StartTime is null ? null : (EndTime ?? DateTimeOffset.Now) - StartTime.Value;

    public override string ToString() => JobId;
}
