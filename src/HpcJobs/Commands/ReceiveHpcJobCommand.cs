using System.Management.Automation;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Commands;

/// <summary>
/// The output of jobs: every line of each job's output file (array tasks each), the last lines with -Tail, stderr with
/// -Error, and with -Wait the lines as they are written until the job ends (tail -f that knows when the job is done).
/// One job gives plain lines; several give JobOutputLine objects (JobId, LineNumber, Line) unless -Raw.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "HpcJob")]
[OutputType(typeof(string), typeof(JobOutputLine))]
public sealed class ReceiveHpcJobCommand : HpcJobInputCmdlet
{
    /// <summary>Only the last N lines (of what is there when the cmdlet starts, with -Wait).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Tail { get; set; }

    /// <summary>Read the error file (stderr) instead of the output file; only jobs submitted with -ErrorPath have one.</summary>
    [Parameter]
    public SwitchParameter Error { get; set; }

    /// <summary>Follow the files while the jobs run, waiting for them to appear; stop when every job has ended.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>Plain strings, never tagged with the job id.</summary>
    [Parameter]
    public SwitchParameter Raw { get; set; }

    private bool _tagged;

    /// <summary>Lines are tagged with their job when more than one job is read, whatever schedulers they are on.</summary>
    protected override void ProcessGroups(IReadOnlyList<(IScheduler Scheduler, IReadOnlyList<string> JobIds)> groups)
    {
        var found = new List<FollowedJob>();
        foreach (var (scheduler, ids) in groups)
            if (TryGetStatus(scheduler, ids) is { } report)
                found.AddRange(JobOrdering.InInputOrder(report.Jobs, ids).Select(j => new FollowedJob(scheduler, j)));
        _tagged = !Raw && found.Count > 1;
        if (Error)
            foreach (var joined in found.Where(f => f.Job.StdErrPath is null || f.Job.StdErrPath == f.Job.StdOutPath))
                WriteWarning(
                    $"Job {joined.Job.JobId} has no error file of its own (it was submitted without -ErrorPath): its "
                        + "stderr went into its output, which is what is shown."
                );
        // a script-block job gives back its objects and streams; -Raw and -Error read its text log as any job's
        var objects =
            Raw || Error || !OperatingSystem.IsLinux() ? [] : found.Where(f => IsScriptBlockJob(f.Job)).ToList();
        var text = found.Except(objects).ToList();
        if (objects.Count > 0 && OperatingSystem.IsLinux())
            ReceiveObjects(objects);
        if (Wait)
            Follow(text);
        else
            foreach (var job in text.Select(f => f.Job))
                ReadWhole(job);
    }

    private static bool IsScriptBlockJob(JobInfo job) =>
        OperatingSystem.IsLinux() && ScriptBlockResults.RecordsOf(job) is not null;

    /// <summary>
    /// The objects and stream records of script-block jobs, each job's in the order written; with -Wait, followed until
    /// every job ended, as they are written. A job its retry policy retries (-MaxRetries) is followed by its next
    /// attempt, whose records are read once it has ended: until that attempt starts, its result file still holds the
    /// ended attempt's.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private void ReceiveObjects(List<FollowedJob> jobs)
    {
        var replay = new ScriptBlockResults(this);
        var read = jobs.ToDictionary(j => j, _ => (Count: 0, Ended: false));
        var interval = TimeSpan.FromMilliseconds(250);
        var readAtEnd = new HashSet<string>();
        while (true)
        {
            foreach (var job in jobs.Where(j => !read[j].Ended).ToList())
            {
                if (readAtEnd.Contains(job.Job.JobId) && !job.Job.IsFinished)
                    continue;
                try
                {
                    var records = ScriptBlockResults.RecordsOf(job.Job)!(CancelToken);
                    read[job] = replay.Replay(job.Job, records, read[job].Count);
                }
                catch (HpcJobsException e)
                {
                    WriteError(ToErrorRecord(e, job.Job));
                    read[job] = (read[job].Count, true);
                }
                if (!read[job].Ended && job.Job.IsFinished)
                {
                    if (
                        Wait
                        && job.Job.ArrayJobId is null
                        && NextAttempt(job.Scheduler, job.Job, " What it wrote is above; the new attempt's follows.")
                            is { } next
                    )
                    {
                        var renewed = job with { Job = next };
                        read.Remove(job);
                        read[renewed] = (0, false);
                        jobs[jobs.IndexOf(job)] = renewed;
                        readAtEnd.Add(next.JobId);
                        continue;
                    }
                    replay.NoResult(job.Job);
                    read[job] = (read[job].Count, true);
                }
            }
            var open = jobs.Where(j => !read[j].Ended).ToList();
            if (!Wait || open.Count == 0)
                return;
            CancelToken.WaitHandle.WaitOne(interval);
            if (CancelToken.IsCancellationRequested)
                throw new PipelineStoppedException();
            interval = StatusPolls.Floor(
                jobs[0].Scheduler,
                TimeSpan.FromMilliseconds(Math.Min(interval.TotalMilliseconds * 1.5, 2000))
            );
            foreach (var group in open.GroupBy(j => j.Scheduler))
                if (TryPollStatus(group.Key, group.Select(j => j.Job.JobId).ToList()) is { } report)
                    foreach (var fresh in report.Jobs.DistinctBy(j => j.JobId))
                        if (jobs.FirstOrDefault(j => j.Job.JobId == fresh.JobId && !read[j].Ended) is { } old)
                        {
                            // the shared snapshot may answer with the very same values: the entry is moved, not
                            // copied then removed (which would remove the one it equals)
                            var renewed = old with
                            {
                                Job = fresh,
                            };
                            var progress = read[old];
                            read.Remove(old);
                            read[renewed] = progress;
                            jobs[jobs.IndexOf(old)] = renewed;
                        }
        }
    }

    protected override void ProcessJobs(IScheduler scheduler, IReadOnlyList<string> jobIds) =>
        ProcessGroups([(scheduler, jobIds)]);

    private void Emit(JobOutputLine line) => WriteObject(_tagged ? line : line.Line);

    private void ReadWhole(JobInfo job)
    {
        try
        {
            foreach (var line in JobOutput.Read(job, Error, Tail))
                Emit(line);
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, job));
        }
    }

    /// <summary>Follows every job together (one poll loop for all of them), several schedulers included.</summary>
    private void Follow(List<FollowedJob> jobs)
    {
        var followed = new List<FollowedJob>();
        foreach (var job in jobs)
        {
            try
            {
                JobOutput.PathOf(job.Job, Error);
                followed.Add(job);
            }
            catch (HpcJobsException e)
            {
                WriteError(ToErrorRecord(e, job.Job));
            }
        }
        try
        {
            Run<bool>(
                async (ct, post) =>
                {
                    await JobOutput
                        .FollowAsync(
                            followed,
                            Error,
                            Tail,
                            line => post(() => Emit(line)),
                            warning => post(() => WriteWarning(warning)),
                            ct
                        )
                        .ConfigureAwait(false);
                    return true;
                }
            );
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, string.Join(",", followed.Select(f => f.Job.JobId))));
        }
    }
}
