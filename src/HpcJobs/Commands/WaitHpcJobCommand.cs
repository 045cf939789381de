using System.Management.Automation;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Commands;

/// <summary>Waits until jobs finish (or one, with -Any), polling each scheduler once per round, and returns the finished jobs.</summary>
[Cmdlet(VerbsLifecycle.Wait, "HpcJob")]
[OutputType(typeof(JobInfo))]
public sealed class WaitHpcJobCommand : HpcJobInputCmdlet
{
    /// <summary>Seconds to wait at most; -1 (the default) waits for ever.</summary>
    [Parameter]
    [ValidateRange(-1, int.MaxValue)]
    public int Timeout { get; set; } = -1;

    /// <summary>Return when the first job finishes.</summary>
    [Parameter]
    public SwitchParameter Any { get; set; }

    /// <summary>Seconds between polls. Default: adaptive, from 0.2 s backing off to 10 s while nothing changes.</summary>
    [Parameter]
    [ValidateSeconds("PollInterval", 0.05, 3600)]
    public double PollInterval { get; set; }

    private WaitOptions Options() =>
        new()
        {
            Timeout = Timeout < 0 ? null : TimeSpan.FromSeconds(Timeout),
            Any = Any,
            PollInterval = PollInterval > 0 ? TimeSpan.FromSeconds(PollInterval) : null,
        };

    /// <summary>The options, with each ended job's retry policy applied (what is retried is said as a warning).</summary>
    private WaitOptions Options(IScheduler scheduler, Action<Action> post) =>
        Options() with
        {
            Retry = (job, ct) => JobOperations.RetryAsync(scheduler, job, said => post(() => WriteWarning(said)), ct),
        };

    /// <summary>
    /// With -Any and jobs of several schedulers (or hosts), all are waited for at once and the first to finish ends the
    /// wait; one scheduler after the other would return one job per scheduler.
    /// </summary>
    protected override void ProcessGroups(IReadOnlyList<(IScheduler Scheduler, IReadOnlyList<string> JobIds)> groups)
    {
        if (!Any || groups.Count < 2)
        {
            base.ProcessGroups(groups);
            return;
        }
        var activity =
            $"Waiting for the first of {groups.Sum(g => g.JobIds.Count)} job(s) on {groups.Count} schedulers";
        (int Group, WaitResult Result)? first;
        try
        {
            first = Run(
                async (ct, post) =>
                {
                    using var race = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    var waits = groups
                        .Select(g =>
                            JobWaiter.WaitAsync(
                                g.Scheduler,
                                g.JobIds,
                                Options(g.Scheduler, post),
                                new InlineProgress(p => post(() => Report(activity, p))),
                                race.Token
                            )
                        )
                        .ToList();
                    var done = await Task.WhenAny(waits).ConfigureAwait(false);
                    await race.CancelAsync().ConfigureAwait(false);
                    foreach (var other in waits.Where(w => w != done))
                        try
                        {
                            await other.ConfigureAwait(false);
                        }
                        catch (Exception e) when (e is OperationCanceledException or HpcJobsException) { }
                    return ((int, WaitResult)?)(waits.IndexOf(done), await done.ConfigureAwait(false));
                }
            );
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, string.Join(",", groups.SelectMany(g => g.JobIds))));
            return;
        }
        if (first is { } winner)
            Emit(winner.Result, groups[winner.Group].JobIds, activity);
    }

    protected override void ProcessJobs(IScheduler scheduler, IReadOnlyList<string> jobIds)
    {
        // counts are of what the scheduler answers: jobs, and each task of an array
        var activity = $"Waiting for {jobIds.Count} {scheduler.Kind} job(s) (array tasks counted each)";
        WaitResult result;
        try
        {
            result = Run(
                (ct, post) =>
                    JobWaiter.WaitAsync(
                        scheduler,
                        jobIds,
                        Options(scheduler, post),
                        new InlineProgress(p => post(() => Report(activity, p))),
                        ct
                    )
            );
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, string.Join(",", jobIds)));
            return;
        }
        Emit(result, jobIds, activity);
    }

    private void Emit(WaitResult result, IReadOnlyList<string> jobIds, string activity)
    {
        WriteProgress(new ProgressRecord(1, activity, "done") { RecordType = ProgressRecordType.Completed });
        WriteInInputOrder(result.Finished, jobIds);
        foreach (var missing in result.NotFound)
            WriteLookupFailure(missing);
        foreach (var stuck in result.CannotRun)
            WriteError(
                ToErrorRecord(
                    HpcErrors.JobCannotRun,
                    $"Job {stuck.JobId} can never start, so it is not waited for: {stuck.Reason}. "
                        + "Cancel it (Stop-HpcJob) and submit it asking for less.",
                    stuck
                )
            );
        if (result.TimedOut)
        {
            WriteError(
                ToErrorRecord(
                    HpcErrors.WaitTimeout,
                    $"Timed out after {Timeout} s; still not finished: {result.Describe()}.",
                    result
                        .Unfinished.Select(j => j.JobId)
                        .DefaultIfEmpty()
                        .Concat(result.Waiting)
                        .OfType<string>()
                        .Distinct()
                        .ToArray()
                )
            );
        }
    }

    private string? _lastWarning;

    /// <summary>Progress each round; a slow or failing scheduler also as a warning, once per new message, never silently.</summary>
    private void Report(string activity, WaitProgress p)
    {
        WriteProgress(Progress(activity, p));
        var warning = p.Problem is { } problem ? $"The scheduler is not answering; retrying: {problem}" : p.Warning;
        if (warning is not null && warning != _lastWarning)
            WriteWarning(warning);
        _lastWarning = warning;
    }

    private static ProgressRecord Progress(string activity, WaitProgress p)
    {
        var counts = string.Join(", ", p.Counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"));
        var status = p.Problem is null
            ? $"{p.Finished}/{p.Total} finished: {counts}"
            : $"scheduler not answering, retrying: {p.Problem}";
        return new ProgressRecord(1, activity, status)
        {
            PercentComplete = p.Total == 0 ? 0 : 100 * p.Finished / p.Total,
            CurrentOperation =
                $"elapsed {p.Elapsed:hh\\:mm\\:ss}, next poll in {p.NextPoll.TotalSeconds:0.0} s"
                + (p.Waiting is { } why ? $"; {why}" : ""),
        };
    }

    /// <summary>Calls back on the reporting thread (Progress&lt;T&gt; would post to a thread pool with no order guarantee).</summary>
    private sealed class InlineProgress(Action<WaitProgress> report) : IProgress<WaitProgress>
    {
        public void Report(WaitProgress value) => report(value);
    }
}
