using System.Management.Automation;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Views;
using JobState = HpcJobs.Core.Model.JobState;

namespace HpcJobs.Commands;

/// <summary>
/// A live view of jobs, redrawn in place: counts per state, a row per job or array (arrays as a bar), elapsed against
/// the walltime, why waiting jobs wait. Jobs are piped in or selected as Get-HpcJobStatus selects them (without ids: your
/// unfinished jobs). q or Ctrl+C ends it and gives the shell back; with -UntilFinished it ends by itself when every job
/// has ended and returns them. Status comes from the snapshot your HpcJobs processes share, so watching costs the
/// scheduler what one waiting script does. Where there is no live console (output redirected, CI), or with -Plain, it
/// prints a line per change instead.
/// </summary>
[Cmdlet(VerbsCommon.Watch, "HpcJob", DefaultParameterSetName = List)]
[OutputType(typeof(JobInfo))]
public sealed class WatchHpcJobCommand : HpcJobInputCmdlet
{
    private const string List = "List";
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(1);

    /// <summary>Only jobs in these states (a finished state also shows finished jobs the scheduler still knows).</summary>
    [Parameter(ParameterSetName = List)]
    public JobState[]? State { get; set; }

    /// <summary>Only jobs whose name matches this wildcard pattern.</summary>
    [Parameter(ParameterSetName = List)]
    [SupportsWildcards]
    public string? Name { get; set; }

    /// <summary>Another user's jobs, or * for everyone's, where the scheduler shows them.</summary>
    [Parameter(ParameterSetName = List)]
    [ValidateNotNullOrEmpty]
    [ValidateUserName]
    public string? User { get; set; }

    /// <summary>Only jobs in this partition (PBS, Grid Engine: queue).</summary>
    [Parameter(ParameterSetName = List)]
    [ValidateNotNullOrEmpty]
    [CatalogCompleter(CatalogKind.Partition)]
    public string? Partition { get; set; }

    /// <summary>End when every job watched has ended, and return them (they pipe on, as Wait-HpcJob's do).</summary>
    [Parameter]
    public SwitchParameter UntilFinished { get; set; }

    /// <summary>A line per change even in a live console, as where output is redirected.</summary>
    [Parameter]
    public SwitchParameter Plain { get; set; }

    protected override void EndProcessing()
    {
        if (ParameterSetName != List)
        {
            base.EndProcessing();
            return;
        }
        var scheduler = GetSchedulerOrStop(Scheduler);
        var lister = GetListerOrStop(scheduler, "pipe the jobs to watch, or give their ids");
        var query = new JobListQuery
        {
            States = State,
            Name = Name,
            Partition = Partition,
            User = User,
        };
        Watch(new JobWatch(scheduler, lister, query));
    }

    protected override void ProcessGroups(IReadOnlyList<(IScheduler Scheduler, IReadOnlyList<string> JobIds)> groups) =>
        Watch(new JobWatch(groups));

    protected override void ProcessJobs(IScheduler scheduler, IReadOnlyList<string> jobIds) =>
        Watch(new JobWatch([(scheduler, jobIds)]));

    private void Watch(JobWatch watch)
    {
        var screen = Plain ? null : LiveScreen.TryOpen(Host);
        var seen = new Dictionary<string, JobState>();
        string? problemSaid = null;
        Task? refreshing = null;
        var refreshedAt = DateTimeOffset.MinValue;
        var drawnAt = DateTimeOffset.MinValue;
        var finished = false;
        try
        {
            while (!CancelToken.IsCancellationRequested)
            {
                var now = DateTimeOffset.Now;
                var changed = false;
                if (refreshing is null && now - refreshedAt >= RefreshEvery)
                    refreshing = Task.Run(() => watch.RefreshAsync(CancelToken));
                if (refreshing is { IsCompleted: true })
                {
                    if (refreshing.IsCanceled)
                        break;
                    refreshing.GetAwaiter().GetResult();
                    refreshing = null;
                    refreshedAt = now;
                    changed = true;
                    finished = UntilFinished && watch.AllEnded;
                }
                if (screen is null && changed)
                {
                    foreach (var line in JobBoard.Changes(seen, watch.Jobs, now))
                        WriteLine(line);
                    if (watch.Problem != problemSaid && watch.Problem is { } problem)
                        WriteWarning(problem);
                    problemSaid = watch.Problem;
                }
                if (screen is not null && (changed || now - drawnAt >= RefreshEvery))
                {
                    var (width, height) = LiveScreen.Size;
                    // one column short of the edge: a full line would leave the cursor waiting to wrap
                    LiveScreen.Draw(
                        JobBoard.Render(watch.Jobs, width - 1, height, now, watch.Title, watch.Problem, "q quits")
                    );
                    drawnAt = now;
                }
                if (finished || (screen is not null && LiveScreen.QuitPressed()))
                    break;
                CancelToken.WaitHandle.WaitOne(50);
            }
        }
        finally
        {
            screen?.Dispose();
        }
        if (CancelToken.IsCancellationRequested)
            throw new PipelineStoppedException();
        var jobs = watch.Jobs;
        if (screen is not null)
            WriteLine($"{watch.Title}: {JobBoard.Headline(jobs)}");
        if (finished)
            foreach (var job in jobs)
                WriteObject(job);
    }

    /// <summary>A line for the person watching, on the host as Write-Host writes (the information stream, 6>).</summary>
    private void WriteLine(string line) => WriteInformation(new HostInformationMessage { Message = line }, ["PSHOST"]);
}
