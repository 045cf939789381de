using System.Management.Automation;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.ScriptBlocks;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Commands;

/// <summary>
/// The cluster's ForEach-Object -Parallel (issue 27): every input item is $_ in a run of the script block on a node; all
/// items go out as one array job (-BatchSize items per task), and the results come back in input order as the tasks
/// finish. Without pipeline input the block runs once, like Invoke-Command. Ctrl+C cancels the job.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "HpcCommand", SupportsShouldProcess = true)]
[OutputType(typeof(PSObject), typeof(HpcPowerShellJob))]
public sealed class InvokeHpcCommandCommand : HpcSubmittingCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    public ScriptBlock? ScriptBlock { get; set; }

    /// <summary>The items; each is $_ in its run of the script block, as in ForEach-Object -Parallel.</summary>
    [Parameter(ValueFromPipeline = true)]
    [AllowNull]
    public PSObject? InputObject { get; set; }

    /// <summary>Arguments of the script block ($args, or its param block), the same for every item.</summary>
    [Parameter]
    [Alias("Args")]
    public object[] ArgumentList { get; set; } = [];

    /// <summary>How many tasks run at once: the scheduler's own array throttle (sbatch --array=0-N%T).</summary>
    [Parameter]
    [ValidateRange(1, 100000)]
    public int? ThrottleLimit { get; set; }

    /// <summary>
    /// Items per task. Default: enough that there are at most as many tasks as the throttle (else 100 on a cluster, the
    /// CPUs on Local), since each task starts a pwsh.
    /// </summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? BatchSize { get; set; }

    [Parameter]
    [ResourceSpecTransformation]
    public ResourceSpec? Resources { get; set; }

    [Parameter]
    public SchedulerKind? Scheduler { get; set; }

    /// <summary>Modules (names, or paths the nodes can read) imported on the node before the script block runs.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] ImportModule { get; set; } = [];

    /// <summary>pwsh on the node (default: $env:HPCJOBS_PWSH, else the pwsh of this session, else pwsh from PATH).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PwshPath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Seconds to wait for all results; then the job is cancelled and an HpcWaitTimeout error written.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Timeout { get; set; }

    /// <summary>
    /// Return a PowerShell job at once instead of waiting: Receive-Job gives the results (an array's tasks are its child
    /// jobs, in task order), Stop-Job cancels the array.
    /// </summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    private readonly List<object?> _items = [];
    private bool _hasInput;

    protected override void ProcessRecord()
    {
        if (!MyInvocation.BoundParameters.ContainsKey(nameof(InputObject)))
            return;
        _hasInput = true;
        _items.Add(InputObject);
    }

    protected override void EndProcessing()
    {
        if (!OperatingSystem.IsLinux())
        {
            ThrowTerminatingError(
                ToErrorRecord(
                    HpcErrors.ScriptBlockNotSupported,
                    "Invoke-HpcCommand writes its payload with Linux file permissions; run it on Linux.",
                    null
                )
            );
            return;
        }
        if (_hasInput && _items.Count == 0)
            return;
        var scheduler = GetSchedulerOrStop(Scheduler);
        var batches = _hasInput ? Batches(scheduler.Kind) : null;
        JobRequest request;
        ScriptBlockPayload payload;
        JobRetryPolicy? retries;
        try
        {
            var workingDirectory = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            request = new JobRequest
            {
                Command = ["pwsh"],
                Name = Name ?? "hpccommand",
                Resources = Resources ?? ResourceSpec.Default,
                WorkingDirectory = Cluster is null ? workingDirectory : null,
                SubmitDirectory = Cluster is null ? workingDirectory : null,
                PathsOnCluster = Cluster is not null,
                Array = batches is null
                    ? null
                    : ArrayRange.Parse(
                        $"{ScriptBlockJob.FirstTask(scheduler.Kind)}-{batches.Count - 1 + ScriptBlockJob.FirstTask(scheduler.Kind)}"
                            + (ThrottleLimit is { } t ? $"%{t}" : "")
                    ),
            }.Validate();
            scheduler.Plan(request);
            retries = RetryPolicy(request);
            payload = ScriptBlockPayloads.Build(
                ScriptBlock!,
                ArgumentList,
                ImportModule,
                batches?.Select(ScriptBlockPayloads.SerializeInput).ToList(),
                ScriptBlockPayloads.PwshCommand(PwshPath, Cluster is not null),
                this,
                request.WorkingDirectory
            );
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, ScriptBlock?.ToString()));
            return;
        }
        var what = batches is null
            ? $"the script block once on {scheduler.Kind}"
            : $"the script block for {_items.Count} item(s) as {batches.Count} array task(s) on {scheduler.Kind}";
        if (!ShouldProcess(what, "Invoke-HpcCommand"))
            return;
        JobInfo job;
        try
        {
            // the array was there for the scheduler's checks (its size limit); the payload's batches make it now
            request = PrepareScriptBlockJob(request with { Array = null }, payload, scheduler.Kind, ThrottleLimit);
            job = WithRetries(Run(ct => scheduler.SubmitAsync(request, ct)), request, retries);
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, what));
            return;
        }
        WriteVerbose($"{scheduler.Kind} job {job.JobId}: {what}");
        if (AsJob)
            WriteObject(HpcJobSourceAdapter.Register(this, scheduler, job, $"Invoke-HpcCommand {{{ScriptBlock}}}"));
        else
            Collect(scheduler, job, batches?.Count);
    }

    /// <summary>The input, cut into tasks of -BatchSize items, in order.</summary>
    private List<List<object?>> Batches(SchedulerKind kind)
    {
        var tasks = ThrottleLimit ?? (kind == SchedulerKind.Local ? System.Environment.ProcessorCount : 100);
        var size = BatchSize ?? Math.Max(1, (int)Math.Ceiling(_items.Count / (double)tasks));
        return _items.Chunk(size).Select(c => c.ToList()).ToList();
    }

    /// <summary>
    /// Waits for the tasks and writes each one's records as soon as it and every task before it have ended: input
    /// order, streaming. A cancelled pipeline (Ctrl+C) or a timeout cancels the job. A job (not an array) that ended for
    /// a cause its retry policy names is submitted again (-MaxRetries), and the new attempt's records are the ones
    /// written: the ended attempt's are never replayed.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private void Collect(IScheduler scheduler, JobInfo job, int? taskCount)
    {
        var count = taskCount ?? 1;
        var replay = new ScriptBlockResults(this);
        var deadline = Timeout is { } seconds ? DateTimeOffset.Now.AddSeconds(seconds) : (DateTimeOffset?)null;
        var next = 0;
        var interval = TimeSpan.FromMilliseconds(200);
        var done = false;
        try
        {
            while (next < count)
            {
                // the array's id: the scheduler expands it to its tasks, whatever it calls them (123_4, 123[4].server)
                if (TryPollStatus(scheduler, [job.JobId]) is not { } report)
                    return;
                // task indices from 0, whatever the scheduler's first (Grid Engine's is 1)
                var byTask = report
                    .Jobs.GroupBy(j =>
                        taskCount is null ? 0 : (j.ArrayTaskId - ScriptBlockJob.FirstTask(scheduler.Kind)) ?? -1
                    )
                    .ToDictionary(g => g.Key, g => g.First());
                var progressed = false;
                while (next < count && byTask.TryGetValue(next, out var task) && task.IsFinished)
                {
                    if (taskCount is null && NextAttempt(scheduler, task) is { } again)
                    {
                        job = again;
                        progressed = true;
                        break;
                    }
                    if (
                        ScriptBlockResults.RecordsOf(task) is not { } records
                        || !replay.Replay(task, records(CancelToken)).Ended
                    )
                        replay.NoResult(task);
                    next++;
                    progressed = true;
                }
                foreach (var missing in report.NotFound)
                    WriteLookupFailure(missing);
                if (report.Jobs.Count == 0 && report.NotFound.Count > 0)
                    return;
                if (next >= count)
                    break;
                if (deadline is { } d && DateTimeOffset.Now > d)
                {
                    WriteError(
                        ToErrorRecord(
                            HpcErrors.WaitTimeout,
                            $"Invoke-HpcCommand: job {job.JobId} had {count - next} task(s) left after {Timeout} s; "
                                + "it is cancelled.",
                            job
                        )
                    );
                    return;
                }
                interval = StatusPolls.Floor(
                    scheduler,
                    progressed
                        ? TimeSpan.FromMilliseconds(200)
                        : TimeSpan.FromMilliseconds(Math.Min(interval.TotalMilliseconds * 1.5, 3000))
                );
                if (CancelToken.WaitHandle.WaitOne(interval))
                    throw new PipelineStoppedException();
            }
            done = true;
        }
        finally
        {
            if (!done)
                CancelQuietly(scheduler, job);
        }
    }

    private static void CancelQuietly(IScheduler scheduler, JobInfo job)
    {
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var report = scheduler.GetStatusAsync([job.JobId], limit.Token).GetAwaiter().GetResult();
            var live = report.Jobs.Where(j => !j.IsFinished).ToList();
            if (live.Count > 0)
                scheduler.CancelAsync(live, limit.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HpcJobsException or OperationCanceledException) { }
    }
}
