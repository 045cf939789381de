using System.Text.Json.Serialization;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Local;

/// <summary>
/// One runnable unit of the Local back end (a job, or one task of an array) as stored in the state directory.
/// The only mutable object in the core: written by the submitting client, then by the daemon that runs it (and by a
/// client that finds its daemon gone), always under the store's lock.
/// </summary>
internal sealed class LocalJobRecord
{
    public required string Id { get; set; }
    public string? ArrayJobId { get; set; }
    public int? ArrayTaskId { get; set; }
    public int? ArrayThrottle { get; set; }
    public required string Name { get; set; }
    public required string[] Argv { get; set; }
    public required Dictionary<string, string> Environment { get; set; }
    public required string WorkingDirectory { get; set; }
    public required string StdOutPath { get; set; }

    /// <summary>Null when stderr goes to the stdout file (the batch-system default).</summary>
    public string? StdErrPath { get; set; }
    public int Cpus { get; set; } = 1;
    public ResourceSpec? Resources { get; set; }
    public List<JobDependency> Dependencies { get; set; } = [];

    public JobState State { get; set; } = JobState.Pending;
    public string NativeState { get; set; } = "PENDING";
    public string? Reason { get; set; }
    public int? ExitCode { get; set; }
    public int? Signal { get; set; }
    public DateTimeOffset SubmitTime { get; set; }
    public DateTimeOffset? StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }

    /// <summary>The daemon that runs this unit, with its kernel start time (a pid alone can be reused).</summary>
    public int? DaemonPid { get; set; }
    public long? DaemonStartTicks { get; set; }

    /// <summary>The job's process group (= its leader's pid: jobs start in a session of their own).</summary>
    public int? ProcessGroup { get; set; }

    /// <summary>The leader's kernel start time and the boot it ran in: what proves a group is still this job's.</summary>
    public long? LeaderStartTicks { get; set; }
    public string? BootId { get; set; }

    /// <summary>The submitter's umask, applied to the job (its output files are created with it).</summary>
    public int? Umask { get; set; }

    /// <summary>User + system CPU time of the job's processes, from wait4's rusage (set when the job ends).</summary>
    public TimeSpan? CpuTime { get; set; }

    /// <summary>Peak resident memory of the job's largest process, from wait4's rusage (set when the job ends).</summary>
    public long? MaxRssBytes { get; set; }

    /// <summary>How often the job was put back in the queue and started again (Restart-HpcJob, a daemon that died).</summary>
    public int Restarts { get; set; }

    /// <summary>-Requeue (true: run again when its daemon dies), -NoRequeue (false: never requeued), or neither.</summary>
    public bool? Requeue { get; set; }

    /// <summary>Not started before this time (-BeginTime).</summary>
    public DateTimeOffset? BeginTime { get; set; }

    /// <summary>-Signal: this signal goes to the job this many seconds before its walltime.</summary>
    public int? WarnSignal { get; set; }
    public int? WarnSeconds { get; set; }

    [JsonIgnore]
    public bool IsFinished => State.IsFinished();

    public JobInfo ToJobInfo(string store) =>
        new JobInfo
        {
            JobId = Id,
            Location = store,
            ArrayJobId = ArrayJobId,
            ArrayTaskId = ArrayTaskId,
            Name = Name,
            Scheduler = nameof(SchedulerKind.Local),
            State = State,
            NativeState = NativeState,
            Reason = Reason,
            ExitCode = ExitCode,
            Signal = Signal,
            SubmitTime = SubmitTime,
            StartTime = StartTime,
            EndTime = EndTime,
            StdOutPath = StdOutPath,
            StdErrPath = StdErrPath ?? StdOutPath,
            WorkingDirectory = WorkingDirectory,
            Resources = Resources,
            HeldBy = State == JobState.Held ? HoldType.User : null,
            Restarts = Restarts,
            CancelledBy = Reason == CancelledByUser ? System.Environment.UserName : null,
            ReasonExplained = ReasonWords.Explain(Reason),
        }.WithEndCause(KnownEnd);

    /// <summary>The Reason of a job its owner cancelled (Stop-HpcJob).</summary>
    public const string CancelledByUser = "Cancelled by user";

    /// <summary>What the daemon's own Reason says of the end beyond the state (the daemon knows every cause it sets).</summary>
    private JobEndCause? KnownEnd =>
        Reason is null ? null
        : Reason.StartsWith("LaunchFailed", StringComparison.Ordinal) ? JobEndCause.LaunchFailure
        : Reason.StartsWith("DependencyNeverSatisfied", StringComparison.Ordinal) ? JobEndCause.DependencyNeverSatisfied
        : null;

    /// <summary>Back in the queue to run again from the start, under the same id.</summary>
    public void Requeued(string reason)
    {
        State = JobState.Pending;
        NativeState = "PENDING";
        Reason = reason;
        Restarts++;
        StartTime = EndTime = null;
        ExitCode = Signal = null;
        DaemonPid = ProcessGroup = null;
        DaemonStartTicks = LeaderStartTicks = null;
        CpuTime = null;
        MaxRssBytes = null;
    }

    public void Finish(JobState state, string nativeState, string? reason, int? exitCode = null, int? signal = null)
    {
        State = state;
        NativeState = nativeState;
        Reason = reason;
        ExitCode = exitCode;
        Signal = signal;
        EndTime = DateTimeOffset.Now;
    }
}

/// <summary>An array as submitted: its base id and its task ids.</summary>
internal sealed class LocalArrayRecord
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string Tasks { get; set; }
    public required List<string> TaskIds { get; set; }
}
