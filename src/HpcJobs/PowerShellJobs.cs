using System.Collections.Concurrent;
using System.ComponentModel;
using System.Management.Automation;
using System.Reflection;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Waiting;
using PSJobState = System.Management.Automation.JobState;

namespace HpcJobs;

// Over 400 lines: PowerShell's job model wants a JobSourceAdapter, a parent Job2 and a child job together (as ThreadJob
// has them).

/// <summary>
/// A batch job as a PowerShell job (Submit-HpcJob -AsJob): Get-Job, Wait-Job, Receive-Job, Stop-Job and Remove-Job work
/// on it as on thread and background jobs. An array job's tasks are its child jobs. Its state follows the scheduler's,
/// polled for every job of a scheduler at once by <see cref="HpcJobMonitor"/>; its output is the job's output file,
/// read when the job ends (so Receive-Job has it as soon as Wait-Job returns).
/// </summary>
public sealed class HpcPowerShellJob : Job2
{
    private readonly List<HpcPowerShellTaskJob> _tasks = [];

    internal HpcPowerShellJob(IScheduler scheduler, JobInfo submitted, string command)
        : base(command, submitted.Name ?? submitted.JobId)
    {
        Scheduler = scheduler;
        Info = submitted;
        PSJobTypeName = "HpcJob";
        IsArray = submitted.ArrayTasks is not null;
        JobStates.OwnStreams(this);
    }

    /// <summary>The back end that runs the job.</summary>
    public IScheduler Scheduler { get; }

    /// <summary>The scheduler's id of the job (an array's base id).</summary>
    public string JobId => Info.JobId;

    /// <summary>The scheduler's latest answer for the job (for an array, as submitted; its tasks are the child jobs).</summary>
    public JobInfo Info { get; private set; }

    public bool IsArray { get; }

    public override string Location => $"{Info.Scheduler}:{Info.JobId}";

    public override string StatusMessage => Info.Reason ?? Info.NativeState ?? Info.State.ToString();

    public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || _tasks.Any(t => t.HasMoreData);

    internal bool IsDone => JobStateInfo.State is PSJobState.Completed or PSJobState.Failed or PSJobState.Stopped;

    /// <summary>
    /// Takes the scheduler's answer, as <see cref="Update"/>, after the retry policy of a job that ended (Submit-HpcJob
    /// -MaxRetries), as Wait-HpcJob applies it: a new attempt is followed in the ended one's place, with a warning.
    /// </summary>
    internal async Task UpdateAsync(IReadOnlyList<JobInfo> answer)
    {
        if (!IsArray && !IsDone && answer.FirstOrDefault(j => j.JobId == JobId) is { IsFinished: true } ended)
        {
            try
            {
                var outcome = await JobOperations
                    .RetryAsync(Scheduler, ended, said => Warning.Add(new WarningRecord(said)))
                    .ConfigureAwait(false);
                if (outcome.Next is { } next)
                {
                    Info = next;
                    return;
                }
                answer = [outcome.Ended];
            }
            catch (HpcJobsException e)
            {
                Error.Add(new ErrorRecord(e, e.ErrorId, ErrorCategory.WriteError, ended));
            }
        }
        Update(answer);
    }

    /// <summary>Takes the scheduler's answer: the job itself, or an array's tasks.</summary>
    internal void Update(IReadOnlyList<JobInfo> answer)
    {
        if (IsDone)
            return;
        if (!IsArray)
        {
            if (answer.FirstOrDefault(j => j.JobId == JobId) is { } job)
            {
                Info = job;
                Apply(this, job, Output, Error);
            }
            return;
        }
        foreach (var task in answer.Where(j => j.ArrayJobId == JobId))
        {
            var child = _tasks.FirstOrDefault(t => t.Info.JobId == task.JobId);
            if (child is null)
            {
                child = new HpcPowerShellTaskJob(Scheduler, task, Command);
                _tasks.Add(child);
                ChildJobs.Add(child);
            }
            child.Update(task);
        }
        if (_tasks.Count == 0)
            return;
        var states = _tasks.Select(t => t.JobStateInfo.State).ToList();
        var parent = states.All(s => s is PSJobState.Completed or PSJobState.Failed or PSJobState.Stopped)
            ? states.Contains(PSJobState.Failed)
                ? PSJobState.Failed
                : states.Contains(PSJobState.Stopped)
                    ? PSJobState.Stopped
                    : PSJobState.Completed
            : states.Contains(PSJobState.Running)
                ? PSJobState.Running
                : PSJobState.NotStarted;
        JobStates.Set(this, parent);
    }

    /// <summary>Moves a PowerShell job to the state of its batch job, filling its output first when it ended.</summary>
    internal static void Apply(
        Job job,
        JobInfo info,
        PSDataCollection<PSObject> output,
        PSDataCollection<ErrorRecord> errors
    )
    {
        var state = JobStates.For(info.State);
        if (state is null || state == job.JobStateInfo.State)
            return;
        if (state is PSJobState.Completed or PSJobState.Failed or PSJobState.Stopped)
        {
            try
            {
                // a script-block job gives its objects and stream records, as Receive-HpcJob does
                if (OperatingSystem.IsLinux() && ScriptBlockResults.RecordsOf(info) is { } records)
                {
                    var results = new ScriptBlockResults(job);
                    if (!results.Replay(info, records(CancellationToken.None)).Ended)
                        results.NoResult(info);
                }
                else
                    foreach (var line in JobOutput.Read(info, error: false, tail: null))
                        output.Add(new PSObject(line.Line));
            }
            catch (HpcJobsException e)
            {
                errors.Add(new ErrorRecord(e, e.ErrorId, ErrorCategory.ReadError, info));
            }
            if (state == PSJobState.Failed)
                errors.Add(
                    new ErrorRecord(
                        new InvalidOperationException(
                            $"Job {info.JobId} ended {info.State}"
                                + (info.ExitCode is { } x ? $" with exit code {x}" : "")
                                + (info.Reason is { } r ? $" ({r})" : "")
                        ),
                        HpcErrors.JobFailed.Id,
                        ErrorCategory.InvalidResult,
                        info
                    )
                );
        }
        JobStates.Set(job, state.Value);
    }

    public override void StopJob() => StopJob(force: false, reason: null);

    public override void StopJob(bool force, string? reason)
    {
        if (IsDone)
            return;
        var report = JobOperations.StopAsync(Scheduler, [JobId]).GetAwaiter().GetResult();
        // a job its scheduler no longer knows (its Local store removed, say) may still run: it is not called Stopped
        if (report.NotFound.Concat(report.Refused).FirstOrDefault() is { } lost && report.Cancelled.Count == 0)
            throw new HpcErrorException(
                lost.ErrorKind,
                $"Job {JobId} could not be stopped: {lost.Message} It may still be running."
            );
        Update(report.Cancelled);
        foreach (var task in _tasks.Where(t => !t.IsDone))
            JobStates.Set(task, PSJobState.Stopped);
        JobStates.Set(this, PSJobState.Stopped); // Stop-Job means stopped, even while the scheduler is still ending it
    }

    public override void StopJobAsync() => StopJobAsync(force: false, reason: null);

    public override void StopJobAsync(bool force, string? reason) =>
        Task.Run(() =>
        {
            Exception? failure = null;
            try
            {
                StopJob(force, reason);
            }
            catch (Exception e) when (e is HpcJobsException or InvalidOperationException)
            {
                failure = e;
            }
            // Stop-Job waits for this event
            OnStopJobCompleted(new AsyncCompletedEventArgs(failure, false, null));
        });

    public override void StartJob() { }

    public override void StartJobAsync() => OnStartJobCompleted(new AsyncCompletedEventArgs(null, false, null));

    public override void SuspendJob() =>
        throw new NotSupportedException("A batch job cannot be suspended from PowerShell; Stop-Job cancels it.");

    public override void SuspendJob(bool force, string? reason) => SuspendJob();

    public override void SuspendJobAsync() => SuspendJob();

    public override void SuspendJobAsync(bool force, string? reason) => SuspendJob();

    public override void ResumeJob() =>
        throw new NotSupportedException("A batch job is resumed by its scheduler (scontrol release, qrls).");

    public override void ResumeJobAsync() => ResumeJob();

    public override void UnblockJob() => ResumeJob();

    public override void UnblockJobAsync() => ResumeJob();
}

/// <summary>One task of an array job, as a child job.</summary>
public sealed class HpcPowerShellTaskJob : Job
{
    private readonly IScheduler _scheduler;

    internal HpcPowerShellTaskJob(IScheduler scheduler, JobInfo task, string command)
        : base(command, task.JobId)
    {
        _scheduler = scheduler;
        Info = task;
        PSJobTypeName = "HpcJobTask";
        JobStates.OwnStreams(this);
    }

    public JobInfo Info { get; private set; }

    public override string Location => $"{Info.Scheduler}:{Info.JobId}";

    public override string StatusMessage => Info.Reason ?? Info.NativeState ?? Info.State.ToString();

    public override bool HasMoreData => Output.Count > 0 || Error.Count > 0;

    internal bool IsDone => JobStateInfo.State is PSJobState.Completed or PSJobState.Failed or PSJobState.Stopped;

    internal void Update(JobInfo task)
    {
        if (IsDone)
            return;
        Info = task;
        HpcPowerShellJob.Apply(this, task, Output, Error);
    }

    /// <summary>Cancels this task alone (Stop-Job on the parent cancels the whole array).</summary>
    public override void StopJob()
    {
        if (IsDone)
            return;
        var report = JobOperations.StopAsync(_scheduler, [Info.JobId]).GetAwaiter().GetResult();
        if (report.NotFound.Concat(report.Refused).FirstOrDefault() is { } lost && report.Cancelled.Count == 0)
            throw new HpcErrorException(lost.ErrorKind, $"Task {Info.JobId} could not be stopped: {lost.Message}");
        if (report.Cancelled.Count > 0 && report.Cancelled[0] is { } ended)
            Update(ended);
        JobStates.Set(this, PSJobState.Stopped);
    }
}

/// <summary>
/// Batch states as PowerShell job states. Held stays NotStarted: Wait-Job treats Suspended (and Blocked) as a reason to
/// return, and a held job has not ended. Unknown keeps the last state.
/// </summary>
internal static class JobStates
{
    /// <summary>
    /// Streams the job holds itself, as ThreadJob's are: Remove-Job disposes the streams a Job made for itself, and what
    /// Receive-Job -Keep kept must still be there for a later Receive-Job on the same object.
    /// </summary>
    internal static void OwnStreams(Job job)
    {
        job.Output = new PSDataCollection<PSObject>();
        job.Error = new PSDataCollection<ErrorRecord>();
        job.Warning = new PSDataCollection<WarningRecord>();
        job.Verbose = new PSDataCollection<VerboseRecord>();
        job.Debug = new PSDataCollection<DebugRecord>();
        job.Information = new PSDataCollection<InformationRecord>();
        job.Progress = new PSDataCollection<ProgressRecord>();
    }

    // Job.SetJobState is protected and absent from PowerShellStandard's reference assembly, present in every pwsh
    private static readonly MethodInfo SetState =
        typeof(Job).GetMethod(
            "SetJobState",
            BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public,
            null,
            [typeof(PSJobState)],
            null
        ) ?? throw new MissingMethodException("Job.SetJobState(JobState) is not in this PowerShell.");

    public static PSJobState? For(Core.Model.JobState state) =>
        state switch
        {
            Core.Model.JobState.Pending or Core.Model.JobState.Held => PSJobState.NotStarted,
            Core.Model.JobState.Running => PSJobState.Running,
            Core.Model.JobState.Suspended => PSJobState.Suspended,
            Core.Model.JobState.Completed => PSJobState.Completed,
            Core.Model.JobState.Failed or Core.Model.JobState.TimedOut => PSJobState.Failed,
            Core.Model.JobState.Cancelled => PSJobState.Stopped,
            _ => null,
        };

    public static void Set(Job job, PSJobState state)
    {
        var now = job.JobStateInfo.State;
        if (now == state || now is PSJobState.Completed or PSJobState.Failed or PSJobState.Stopped)
            return;
        if (state == PSJobState.NotStarted)
            return; // a job never goes back to NotStarted
        SetState.Invoke(job, [state]);
    }
}

/// <summary>
/// Follows every HpcJobs PowerShell job of the session: one batched status call per scheduler per poll for all of them
/// (never one per job), at the scheduler's own pace (at least a second).
/// </summary>
internal static class HpcJobMonitor
{
    private static readonly ConcurrentDictionary<Guid, HpcPowerShellJob> Watched = new();
    private static int _running;

    public static void Watch(HpcPowerShellJob job)
    {
        Watched[job.InstanceId] = job;
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
            _ = Task.Run(LoopAsync);
    }

    private static async Task LoopAsync()
    {
        while (true)
        {
            foreach (var done in Watched.Values.Where(j => j.IsDone).ToList())
                Watched.TryRemove(done.InstanceId, out _);
            if (Watched.IsEmpty)
            {
                Interlocked.Exchange(ref _running, 0);
                if (Watched.IsEmpty || Interlocked.CompareExchange(ref _running, 1, 0) != 0)
                    return;
            }
            var interval = TimeSpan.FromSeconds(1);
            foreach (var group in Watched.Values.GroupBy(j => j.Scheduler))
            {
                interval = StatusPolls.Floor(group.Key, interval);
                try
                {
                    var report = await StatusPolls
                        .PollAsync(group.Key, group.Select(j => j.JobId).Distinct().ToList(), CancellationToken.None)
                        .ConfigureAwait(false);
                    foreach (var job in group)
                        await job.UpdateAsync(report.Jobs).ConfigureAwait(false);
                }
                catch (HpcJobsException)
                {
                    // the scheduler is not answering: keep the last state and ask again next round
                }
            }
            await Task.Delay(interval).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Makes HpcJobs' PowerShell jobs visible to Get-Job and the other *-Job cmdlets. It holds the jobs of this session: a
/// batch job submitted in another session is followed with Get-HpcJobStatus and Wait-HpcJob instead.
/// </summary>
public sealed class HpcJobSourceAdapter : JobSourceAdapter
{
    private static readonly ConcurrentDictionary<Guid, Job2> Repository = new();

    public HpcJobSourceAdapter() => Name = nameof(HpcJobSourceAdapter);

    /// <summary>Registers a job made by Submit-HpcJob -AsJob with the session's job manager, and starts following it.</summary>
    internal static HpcPowerShellJob Register(PSCmdlet cmdlet, IScheduler scheduler, JobInfo submitted, string command)
    {
        var job = new HpcPowerShellJob(scheduler, submitted, command);
        var definition = new JobDefinition(typeof(HpcJobSourceAdapter), command, job.Name);
        var registered = cmdlet.JobManager.NewJob(
            new JobInvocationInfo(definition, new Dictionary<string, object> { ["NewJob"] = job })
        );
        HpcJobMonitor.Watch(job);
        return (HpcPowerShellJob)registered;
    }

    public override Job2 NewJob(JobInvocationInfo specification)
    {
        var job = (Job2)specification.Parameters[0][0].Value;
        Repository[job.InstanceId] = job;
        return job;
    }

    public override IList<Job2> GetJobs() => Repository.Values.ToList();

    public override IList<Job2> GetJobsByName(string name, bool recurse) =>
        Repository.Values.Where(j => new WildcardPattern(name, WildcardOptions.IgnoreCase).IsMatch(j.Name)).ToList();

    public override IList<Job2> GetJobsByCommand(string command, bool recurse) =>
        Repository
            .Values.Where(j => new WildcardPattern(command, WildcardOptions.IgnoreCase).IsMatch(j.Command))
            .ToList();

    public override Job2? GetJobByInstanceId(Guid instanceId, bool recurse) => Repository.GetValueOrDefault(instanceId);

    public override Job2? GetJobBySessionId(int id, bool recurse) => Repository.Values.FirstOrDefault(j => j.Id == id);

    public override IList<Job2> GetJobsByState(PSJobState state, bool recurse) =>
        Repository.Values.Where(j => j.JobStateInfo.State == state).ToList();

    public override IList<Job2> GetJobsByFilter(Dictionary<string, object> filter, bool recurse) =>
        Repository
            .Values.Where(j =>
                filter.All(f =>
                    string.Equals(
                        j.GetType().GetProperty(f.Key)?.GetValue(j)?.ToString(),
                        f.Value?.ToString(),
                        StringComparison.OrdinalIgnoreCase
                    )
                )
            )
            .ToList();

    public override void RemoveJob(Job2 job)
    {
        if (Repository.TryRemove(job.InstanceId, out var removed) && removed is HpcPowerShellJob { IsDone: false } live)
            live.StopJob();
    }
}
