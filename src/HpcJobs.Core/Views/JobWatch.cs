using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Remote;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Views;

/// <summary>
/// The jobs a live view watches and their latest status. Status comes through the snapshot the user's processes share
/// (<see cref="StatusPolls.PollAsync"/>), so a watch costs the controller what one waiting script does, however often
/// it redraws. Watching a selection (mine, by name, state, partition) lists it once at the start and again every
/// <see cref="RelistEvery"/> to take in new jobs; a job once seen stays, and is followed to its end by id.
/// </summary>
public sealed class JobWatch
{
    /// <summary>How often a watched selection is listed again for jobs submitted since.</summary>
    public static readonly TimeSpan RelistEvery = TimeSpan.FromSeconds(60);

    private readonly List<(IScheduler Scheduler, List<string> Ids)> _groups;
    private readonly (IJobLister Lister, JobListQuery Query)? _selection;
    private readonly Dictionary<string, JobInfo> _latest = [];

    /// <summary>Job ids as answers first named them: an array's tasks in the place of the array.</summary>
    private readonly List<string> _order = [];
    private DateTimeOffset _listedAt = DateTimeOffset.MinValue;
    private readonly TimeSpan _relistEvery = RelistEvery;

    /// <summary>Watches the given jobs, each group of one scheduler polled in one call.</summary>
    public JobWatch(IEnumerable<(IScheduler Scheduler, IReadOnlyList<string> Ids)> groups) =>
        _groups = groups.Select(g => (g.Scheduler, g.Ids.ToList())).ToList();

    /// <summary>Watches what <paramref name="query"/> selects on <paramref name="scheduler"/>, and new jobs it selects later.</summary>
    /// <param name="scheduler">The back end.</param>
    /// <param name="lister">Its listing.</param>
    /// <param name="query">What to watch.</param>
    /// <param name="relistEvery">How often to list again; default <see cref="RelistEvery"/>.</param>
    public JobWatch(IScheduler scheduler, IJobLister lister, JobListQuery query, TimeSpan? relistEvery = null)
    {
        _groups = [(scheduler, [])];
        _selection = (lister, query);
        _relistEvery = relistEvery ?? RelistEvery;
    }

    /// <summary>What is watched, for the header: "Slurm", "Slurm and Pbs".</summary>
    public string Title =>
        string.Join(" and ", _groups.Select(g => g.Scheduler.Kind.ToString()).Distinct())
        + (
            _latest
                .Values.Select(j => Remote.RemoteHost.FromLocation(j.Location))
                .OfType<Remote.RemoteHost>()
                .FirstOrDefault()
                is { } host
                ? $" on {host}"
                : ""
        );

    /// <summary>The latest answer for every job watched, in the order they were given (a selection: as listed).</summary>
    public IReadOnlyList<JobInfo> Jobs => _order.Select(id => _latest[id]).ToList();

    /// <summary>Every job watched has ended (and at least one was watched).</summary>
    public bool AllEnded => _latest.Count > 0 && _latest.Values.All(j => j.IsFinished);

    /// <summary>What went wrong on the last refresh (a scheduler not answering), for the view; null when all was well.</summary>
    public string? Problem { get; private set; }

    /// <summary>
    /// Brings the status up to date: lists the selection when due, then asks each scheduler for the unfinished jobs
    /// (through the shared snapshot). A failure is kept as <see cref="Problem"/>, with the last answers standing.
    /// </summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        var problems = new List<string>();
        if (_selection is { } selection && DateTimeOffset.Now - _listedAt >= _relistEvery)
        {
            try
            {
                var listed = await selection.Lister.ListJobsAsync(selection.Query, ct).ConfigureAwait(false);
                _listedAt = DateTimeOffset.Now;
                foreach (var job in listed)
                    if (!_latest.ContainsKey(job.JobId))
                        _groups[0].Ids.Add(job.JobId);
                Take(listed);
                return; // the list is as fresh as a status query would be
            }
            catch (HpcJobsException e)
            {
                problems.Add(e.Message);
            }
        }
        foreach (var (scheduler, ids) in _groups)
        {
            // an id is asked for until what answered it (the job, or an array's tasks) has ended
            var answered = JobOrdering.ByRequestedId(_latest.Values);
            var open = ids.Where(id => !answered[id].Any() || answered[id].Any(j => !j.IsFinished)).ToList();
            if (open.Count == 0)
                continue;
            try
            {
                var report = await StatusPolls.PollAsync(scheduler, open, ct).ConfigureAwait(false);
                Take(JobOrdering.InInputOrder(report.Jobs, open));
                foreach (var missing in report.NotFound)
                {
                    ids.Remove(missing.JobId);
                    problems.Add(missing.Message);
                }
            }
            catch (HpcJobsException e)
            {
                problems.Add($"{scheduler.Kind} is not answering; retrying: {e.Message}");
            }
        }
        Problem = problems.Count == 0 ? null : string.Join("; ", problems.Distinct());
    }

    private void Take(IEnumerable<JobInfo> answers)
    {
        foreach (var job in answers)
        {
            if (!_latest.ContainsKey(job.JobId))
                _order.Add(job.JobId);
            _latest[job.JobId] = job;
        }
    }
}
