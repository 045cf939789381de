using System.Collections.Concurrent;
using System.Management.Automation;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Remote;
using HpcJobs.Core.Resolution;
using HpcJobs.Core.ScriptBlocks;
using HpcJobs.Core.Waiting;

namespace HpcJobs;

// Over 400 lines: it is the base of every cmdlet (resolver, Ctrl+C, error records, jobs taken in any form and grouped
// per scheduler), which keeps the cmdlets themselves thin.

/// <summary>
/// What every HpcJobs cmdlet shares: a cancellation token cancelled by Ctrl+C (StopProcessing), the one scheduler resolver
/// of the session, and the mapping of core exceptions to ErrorRecords. Async core calls run off the pipeline thread; only
/// the pipeline thread writes.
/// </summary>
public abstract class HpcCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private static readonly Lazy<SchedulerResolver> DefaultResolver = new(() => SchedulerResolver.CreateDefault());

    protected CancellationToken CancelToken => _stopping.Token;
    private static SchedulerResolver? _resolverForTests;

    /// <summary>The session's one resolver (probe results are kept), shared by cmdlets and completers.</summary>
    internal static SchedulerResolver SharedResolver => _resolverForTests ?? DefaultResolver.Value;

    protected static SchedulerResolver Resolver => SharedResolver;

    /// <summary>Lets in-process tests put fake back ends behind every cmdlet (null: the real ones again).</summary>
    internal static void UseResolver(SchedulerResolver? resolver) => _resolverForTests = resolver;

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
            try
            {
                return await work(
                        CancelToken,
                        a =>
                        {
                            if (!posted.IsAddingCompleted)
                                posted.Add(a);
                        }
                    )
                    .ConfigureAwait(false);
            }
            finally
            {
                posted.CompleteAdding();
            }
        });
        foreach (var write in posted.GetConsumingEnumerable())
            write();
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>
    /// Runs core work that posts nothing, blocking the pipeline thread (it has no synchronization context and the core
    /// never resumes on the caller's context), so no thread hop is paid per call.
    /// </summary>
    protected T Run<T>(Func<CancellationToken, Task<T>> work)
    {
        try
        {
            return work(CancelToken).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>
    /// The back end for <paramref name="kind"/> (null: -Scheduler's rules), at <paramref name="location"/> when a job
    /// names where it lives. Relative settings (a relative $env:HPCJOBS_STATE_DIR) are taken against PowerShell's location.
    /// </summary>
    protected virtual IScheduler GetScheduler(SchedulerKind? kind, string? location = null)
    {
        Core.Model.EnvironmentSettings.RelativeTo.Value = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        return Run(ct => Resolver.GetAsync(kind, location, ct));
    }

    /// <summary>The scheduler, or a terminating error when it cannot be had (nothing can proceed without it).</summary>
    protected IScheduler GetSchedulerOrStop(SchedulerKind? kind)
    {
        try
        {
            return GetScheduler(kind);
        }
        catch (HpcJobsException e)
        {
            ThrowTerminatingError(ToErrorRecord(e, kind));
            throw; // not reached: ThrowTerminatingError throws
        }
    }

    /// <summary>The scheduler's job listing, or a terminating error saying what to do instead (<paramref name="otherwise"/>).</summary>
    protected IJobLister GetListerOrStop(IScheduler scheduler, string otherwise)
    {
        if (scheduler is IJobLister lister)
            return lister;
        ThrowTerminatingError(
            ToErrorRecord(
                HpcErrors.SchedulerNotInstalled,
                $"{scheduler.Kind} cannot list jobs; {otherwise}.",
                scheduler.Kind
            )
        );
        throw new InvalidOperationException("not reached: ThrowTerminatingError throws");
    }

    /// <summary>Status of the ids in one batched call; a failure is written as an error and gives null.</summary>
    /// <param name="scheduler">The back end.</param>
    /// <param name="jobIds">The ids.</param>
    /// <param name="maxAge">An answer this old, from the status the user's processes share, will do (null: fresh).</param>
    protected StatusReport? TryGetStatus(IScheduler scheduler, IReadOnlyList<string> jobIds, TimeSpan? maxAge = null)
    {
        try
        {
            var report = Run(ct => StatusPolls.AtMostAsync(scheduler, jobIds, maxAge, ct));
            foreach (var missing in report.NotFound)
                WriteLookupFailure(missing);
            return report;
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, string.Join(",", jobIds)));
            return null;
        }
    }

    /// <summary>
    /// For a loop that waits until jobs end (Invoke-HpcCommand, Receive-HpcJob -Wait): the next attempt of an ended job
    /// its retry policy retries (Submit-HpcJob -MaxRetries), said as a warning (<paramref name="more"/> added); null when
    /// it is not retried.
    /// </summary>
    protected JobInfo? NextAttempt(IScheduler scheduler, JobInfo ended, string more = "") =>
        Run<JobInfo?>(
            async (ct, post) =>
                (
                    await JobOperations
                        .RetryAsync(scheduler, ended, said => post(() => WriteWarning(said + more)), ct)
                        .ConfigureAwait(false)
                ).Next
        );

    /// <summary>
    /// Status for a loop that polls until jobs end (Invoke-HpcCommand, Receive-HpcJob -Wait): from the snapshot the
    /// user's processes share, as every waiter does; a failure is written as an error and gives null.
    /// </summary>
    protected StatusReport? TryPollStatus(IScheduler scheduler, IReadOnlyList<string> jobIds)
    {
        try
        {
            return Run(ct => StatusPolls.PollAsync(scheduler, jobIds, ct));
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, string.Join(",", jobIds)));
            return null;
        }
    }

    protected static ErrorRecord ToErrorRecord(HpcJobsException e, object? target) =>
        new(e, e.ErrorId, Category(e.Error), target);

    protected static ErrorRecord ToErrorRecord(HpcError error, string message, object? target) =>
        new(new HpcErrorException(error, message), error.Id, Category(error), target);

    /// <summary>The core names PowerShell's categories without referencing PowerShell; the names are the same.</summary>
    protected static ErrorCategory Category(HpcError error) => Enum.Parse<ErrorCategory>(error.Category.ToString());

    protected void WriteLookupFailure(JobLookupFailure failure) =>
        WriteError(
            failure.ErrorKind == HpcErrors.JobNotFound
                ? new ErrorRecord(
                    new ItemNotFoundException(failure.Message),
                    failure.ErrorKind.Id,
                    ErrorCategory.ObjectNotFound,
                    failure.JobId
                )
                : ToErrorRecord(failure.ErrorKind, failure.Message, failure.JobId)
        );

    /// <summary>Resolves a path as PowerShell does (relative to $PWD, ~ expanded), not against the process's directory.</summary>
    protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
}

/// <summary>
/// Base of the cmdlets that take jobs (ids, JobInfo objects, anything with JobId/Scheduler properties) positionally, by
/// name or from the pipeline. Every job keeps the scheduler it came with; bare ids go to -Scheduler, else
/// $env:HPCJOBS_SCHEDULER, else auto-detection. Input is collected during ProcessRecord and handled in EndProcessing, so
/// all jobs of one scheduler cost one batched call.
/// </summary>
public abstract class HpcJobInputCmdlet : HpcClusterCmdlet
{
    private readonly List<(string Id, SchedulerKind? Kind, string? Location)> _jobs = [];

    /// <summary>The parameter set of cmdlets that take jobs.</summary>
    protected const string ById = "ById";

    [Parameter(
        Mandatory = true,
        Position = 0,
        ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true,
        ParameterSetName = ById
    )]
    [JobIdCompleter]
    [Alias("Id", "InputObject")]
    [AllowNull]
    [JobReferenceTransformation]
    public JobReference[] JobId { get; set; } = [];

    /// <summary>The scheduler that owns bare ids. Job objects carry their own; naming another one for them is an error.</summary>
    [Parameter]
    public SchedulerKind? Scheduler { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var job in JobId ?? [JobReference.Invalid("$null is not a job")])
        {
            if (!job.IsValid)
                WriteError(ToErrorRecord(HpcErrors.InvalidJobId, $"Not a job: {job.Problem}.", job));
            else if (job.Scheduler is { } own && Scheduler is { } named && own != named)
                WriteError(
                    ToErrorRecord(
                        HpcErrors.SchedulerMismatch,
                        $"Job {job.JobId} belongs to {own}, but -Scheduler says {named}; leave -Scheduler out for job objects.",
                        job
                    )
                );
            else if (HostLocation is { } there && job.Scheduler is not null && job.Location != there)
                WriteError(
                    ToErrorRecord(
                        HpcErrors.SchedulerMismatch,
                        $"Job {job.JobId} lives on {job.Location ?? "this machine"}, but -HostName says {there}; leave "
                            + "-HostName out for job objects.",
                        job
                    )
                );
            else
                _jobs.Add((job.JobId, job.Scheduler ?? Scheduler, job.Location));
        }
    }

    protected override void EndProcessing()
    {
        if (_jobs.Count == 0)
            return;
        // bare ids and job objects that end up at the same scheduler are asked for in one call
        var byScheduler = new Dictionary<IScheduler, List<string>>();
        foreach (var group in _jobs.GroupBy(j => (j.Kind, j.Location)))
        {
            IScheduler scheduler;
            try
            {
                scheduler = GetScheduler(group.Key.Kind, group.Key.Location);
            }
            catch (HpcJobsException e)
            {
                WriteError(ToErrorRecord(e, group.Select(j => j.Id).ToArray()));
                continue;
            }
            if (!byScheduler.TryGetValue(scheduler, out var ids))
                byScheduler[scheduler] = ids = [];
            ids.AddRange(group.Select(j => j.Id));
        }
        ProcessGroups(byScheduler.Select(g => (g.Key, (IReadOnlyList<string>)g.Value.Distinct().ToList())).ToList());
    }

    /// <summary>Handles the jobs of every scheduler; by default one scheduler after the other.</summary>
    protected virtual void ProcessGroups(IReadOnlyList<(IScheduler Scheduler, IReadOnlyList<string> JobIds)> groups)
    {
        foreach (var (scheduler, ids) in groups)
            ProcessJobs(scheduler, ids);
    }

    /// <summary>Handles every job of one scheduler at once.</summary>
    protected abstract void ProcessJobs(IScheduler scheduler, IReadOnlyList<string> jobIds);

    /// <summary>Emits jobs in the order their ids were given (array tasks by task id).</summary>
    /// <summary>What an action on jobs did: skipped ones as warnings, the changed jobs with -PassThru, failures per job.</summary>
    protected void WriteReport(ControlReport report, IReadOnlyList<string> ids, bool passThru)
    {
        foreach (var (_, why) in report.Skipped)
            WriteWarning(why);
        if (passThru)
            WriteInInputOrder(report.Changed, ids);
        foreach (var failure in report.NotFound.Concat(report.Refused))
            WriteLookupFailure(failure);
    }

    protected void WriteInInputOrder(IEnumerable<JobInfo> jobs, IReadOnlyList<string> ids)
    {
        foreach (var job in JobOrdering.InInputOrder(jobs, ids))
            WriteObject(job);
    }
}

/// <summary>
/// A cmdlet that reaches a scheduler here or on a cluster over SSH, named as PowerShell's own SSH remoting names one
/// (<c>New-PSSession -HostName -UserName -Port -KeyFilePath</c>). A default cluster for a whole session is
/// <c>$PSDefaultParameterValues['*-Hpc*:HostName'] = 'cluster'</c>: PowerShell's own mechanism, visible and scoped, with
/// no hidden state of ours (job objects still go to where they live). The system's ssh client connects, with the
/// user's ~/.ssh/config; one session per cluster serves every cmdlet of the pwsh process.
/// </summary>
public abstract class HpcClusterCmdlet : HpcCmdlet
{
    /// <summary>The cluster's login node: a host name, address or ~/.ssh/config alias. Omitted: this machine.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HostName { get; set; }

    /// <summary>The login name there, when not ssh's default (~/.ssh/config's User, else yours).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UserName { get; set; }

    /// <summary>The SSH port, when not ssh's default.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>The private key to log in with (ssh -i), when ~/.ssh/config and ssh-agent do not give it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    private Core.Remote.RemoteHost? _host;

    /// <summary>The cluster -HostName names; null for this machine.</summary>
    protected Core.Remote.RemoteHost? Cluster => _host;

    /// <summary>Where jobs of that cluster live (<see cref="JobInfo.Location"/>); null for this machine.</summary>
    protected string? HostLocation => _host?.Location;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (HostName is null)
        {
            var stray = new[]
            {
                (nameof(UserName), UserName is not null),
                (nameof(Port), Port != 0),
                (nameof(KeyFilePath), KeyFilePath is not null),
            }
                .Where(p => p.Item2)
                .Select(p => "-" + p.Item1)
                .ToList();
            if (stray.Count > 0)
                ThrowTerminatingError(
                    ToErrorRecord(
                        HpcErrors.InvalidRemoteHost,
                        $"{string.Join(", ", stray)} without -HostName: give the cluster's -HostName too.",
                        stray
                    )
                );
            return;
        }
        try
        {
            _host = new Core.Remote.RemoteHost(HostName, UserName, Port == 0 ? null : Port);
        }
        catch (HpcJobsException e)
        {
            ThrowTerminatingError(ToErrorRecord(e, HostName));
        }
        string? key = null;
        if (KeyFilePath is not null)
        {
            key = SessionState.Path.GetUnresolvedProviderPathFromPSPath(KeyFilePath);
            if (Directory.Exists(key))
                ThrowTerminatingError(
                    ToErrorRecord(
                        HpcErrors.InvalidRemoteHost,
                        $"-KeyFilePath '{KeyFilePath}' is a folder; give the private key file in it (e.g. ~/.ssh/id_ed25519).",
                        KeyFilePath
                    )
                );
            if (!File.Exists(key))
                ThrowTerminatingError(
                    ToErrorRecord(
                        HpcErrors.InvalidRemoteHost,
                        $"-KeyFilePath '{KeyFilePath}' does not exist; give the private key file (e.g. ~/.ssh/id_ed25519).",
                        KeyFilePath
                    )
                );
        }
        Resolver.ForHost(_host!, key); // the key is used from this session's next connection
    }

    protected override IScheduler GetScheduler(SchedulerKind? kind, string? location = null) =>
        base.GetScheduler(kind, location ?? HostLocation);

    /// <summary>
    /// Writes a script block's job folder where the job will run (this machine, or the cluster over the SSH session)
    /// and returns the request that runs it.
    /// </summary>
    protected JobRequest PrepareScriptBlockJob(
        JobRequest request,
        Core.ScriptBlocks.ScriptBlockPayload payload,
        SchedulerKind kind,
        int? throttle
    )
    {
        if (_host is { } host)
            return Run(ct =>
                Core.ScriptBlocks.RemoteScriptBlockJob.PrepareAsync(
                    request,
                    payload,
                    kind,
                    Core.Remote.SshSessionRunner.For(host),
                    throttle,
                    ct
                )
            );
        return OperatingSystem.IsLinux()
            ? Core.ScriptBlocks.ScriptBlockJob.Prepare(request, payload, kind, throttle)
            : throw new InvalidJobRequestException(
                "A script block's folder is written with Linux file permissions; submit it from Linux.",
                HpcErrors.ScriptBlockNotSupported
            );
    }
}
