using System.Collections.Concurrent;
using System.Management.Automation;
using HpcJobs.Core.Model;
using HpcJobs.Core.Scheduling;

namespace HpcJobs;

/// <summary>
/// What every HpcJobs cmdlet shares: a cancellation token cancelled by Ctrl+C (StopProcessing), the one scheduler resolver
/// of the session, and the mapping of core exceptions to ErrorRecords. Async core calls run off the pipeline thread; only
/// the pipeline thread writes.
/// </summary>
public abstract class HpcCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private static readonly Lazy<SchedulerResolver> SharedResolver = new(() => SchedulerResolver.CreateDefault());

    protected CancellationToken CancelToken => _stopping.Token;
    protected static SchedulerResolver Resolver => SharedResolver.Value;

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs core work to completion on a worker thread, writing what it posts (progress, verbose) from this thread.</summary>
    protected T Run<T>(Func<CancellationToken, Action<Action>, Task<T>> work)
    {
        using var posted = new BlockingCollection<Action>();
        var task = Task.Run(async () =>
        {
            try { return await work(CancelToken, a => { if (!posted.IsAddingCompleted) posted.Add(a); }).ConfigureAwait(false); }
            finally { posted.CompleteAdding(); }
        });
        foreach (var write in posted.GetConsumingEnumerable()) write();
        try { return task.GetAwaiter().GetResult(); }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested) { throw new PipelineStoppedException(); }
    }

    /// <summary>
    /// Runs core work that posts nothing, blocking the pipeline thread (it has no synchronization context and the core
    /// never resumes on the caller's context), so no thread hop is paid per call.
    /// </summary>
    protected T Run<T>(Func<CancellationToken, Task<T>> work)
    {
        try { return work(CancelToken).GetAwaiter().GetResult(); }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested) { throw new PipelineStoppedException(); }
    }

    protected IScheduler GetScheduler(SchedulerKind? kind) => Run(ct => Resolver.GetAsync(kind, ct));

    protected static ErrorRecord ToErrorRecord(HpcJobsException e, object? target) => new(e, e.ErrorId, Category(e), target);

    protected static ErrorCategory Category(HpcJobsException e) => e switch
    {
        InvalidResourceSpecException or InvalidJobRequestException { ErrorId: not ("HpcScriptNotFound" or "HpcWorkingDirectoryNotFound" or "HpcDependencyNotFound") } => ErrorCategory.InvalidArgument,
        InvalidJobRequestException => ErrorCategory.ObjectNotFound,
        SubmitFailedException => ErrorCategory.InvalidOperation,
        SchedulerUnavailableException => ErrorCategory.ConnectionError,
        SchedulerOutputException => ErrorCategory.ParserError,
        SchedulerSelectionException => ErrorCategory.NotInstalled,
        _ => ErrorCategory.NotSpecified,
    };

    protected void WriteNotFound(JobLookupFailure failure) =>
        WriteError(new ErrorRecord(new ItemNotFoundException(failure.Message), "HpcJobNotFound", ErrorCategory.ObjectNotFound, failure.JobId));

    /// <summary>Resolves a path as PowerShell does (relative to $PWD, ~ expanded), not against the process's directory.</summary>
    protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
}

/// <summary>
/// Base of the cmdlets that take jobs from the pipeline (ids or JobInfo objects). Input is collected during ProcessRecord
/// and handled in EndProcessing, so that all jobs of one scheduler cost one batched call.
/// </summary>
public abstract class HpcJobInputCmdlet : HpcCmdlet
{
    private readonly List<(string Id, SchedulerKind? Kind)> _jobs = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "ById")]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    public string[] JobId { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "ByObject")]
    [ValidateNotNull]
    public JobInfo[] InputObject { get; set; } = [];

    /// <summary>
    /// The scheduler that owns bare ids. Binds by property name, so a piped JobInfo (which PowerShell binds to -JobId by
    /// property name) brings its own scheduler. Default: $env:HPCJOBS_SCHEDULER, else auto-detection.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SchedulerKind? Scheduler { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == "ByObject")
            foreach (var job in InputObject) _jobs.Add((job.JobId, SchedulerResolver.ParseKind(job.Scheduler, "The job object")));
        else
            foreach (var id in JobId) _jobs.Add((id.Trim(), Scheduler));
    }

    protected override void EndProcessing()
    {
        if (_jobs.Count == 0) return;
        foreach (var group in _jobs.GroupBy(j => j.Kind))
        {
            IScheduler scheduler;
            try { scheduler = GetScheduler(group.Key); }
            catch (HpcJobsException e) { ThrowTerminatingError(ToErrorRecord(e, group.Key)); return; }
            ProcessJobs(scheduler, group.Select(j => j.Id).Distinct().ToList());
        }
    }

    /// <summary>Handles every job of one scheduler at once.</summary>
    protected abstract void ProcessJobs(IScheduler scheduler, IReadOnlyList<string> jobIds);

    /// <summary>Emits jobs in the order their ids were given.</summary>
    protected void WriteInInputOrder(IEnumerable<JobInfo> jobs, IReadOnlyList<string> ids)
    {
        var order = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        foreach (var job in jobs.OrderBy(j => order.GetValueOrDefault(j.JobId, order.GetValueOrDefault(j.ArrayJobId ?? "", int.MaxValue))).ThenBy(j => j.ArrayTaskId ?? -1))
            WriteObject(job);
    }
}
