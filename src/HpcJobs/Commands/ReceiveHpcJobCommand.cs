using System.Management.Automation;
using HpcJobs.Core.Model;
using HpcJobs.Core.Scheduling;

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

    protected override void ProcessJobs(IScheduler scheduler, IReadOnlyList<string> jobIds)
    {
        if (TryGetStatus(scheduler, jobIds) is not { } report)
            return;
        var jobs = JobOrdering.InInputOrder(report.Jobs, jobIds).ToList();
        var tagged = !Raw && jobs.Count > 1;
        void Emit(JobOutputLine line) => WriteObject(tagged ? line : line.Line);

        if (!Wait)
        {
            foreach (var job in jobs)
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
            return;
        }
        var followed = new List<JobInfo>();
        foreach (var job in jobs)
        {
            try
            {
                JobOutput.PathOf(job, Error);
                followed.Add(job);
            }
            catch (HpcJobsException e)
            {
                WriteError(ToErrorRecord(e, job));
            }
        }
        try
        {
            Run<bool>(
                async (ct, post) =>
                {
                    await JobOutput
                        .FollowAsync(scheduler, followed, Error, Tail, line => post(() => Emit(line)), ct)
                        .ConfigureAwait(false);
                    return true;
                }
            );
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, string.Join(",", jobIds)));
        }
    }
}
