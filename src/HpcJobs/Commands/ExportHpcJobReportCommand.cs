using System.Management.Automation;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Views;
using JobState = HpcJobs.Core.Model.JobState;

namespace HpcJobs.Commands;

/// <summary>
/// Writes an execution report of jobs as one self-contained HTML page that opens offline: a summary, a timeline of every
/// job or task from submit through start to end, CPU efficiency and peak memory against the request, the failures with
/// the last lines of their output, and what was submitted. Jobs are piped in (Submit-HpcJob, Invoke-HpcCommand -AsJob,
/// Get-HpcJobStatus), given by id, or selected by name.
/// </summary>
[Cmdlet(VerbsData.Export, "HpcJobReport", DefaultParameterSetName = ById, SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportHpcJobReportCommand : HpcJobInputCmdlet
{
    private const string List = "List";

    /// <summary>How many lines of a failed job's output the failures table shows.</summary>
    private const int LastLines = 10;

    private readonly List<ReportEntry> _entries = [];

    /// <summary>The HTML file to write (an existing one is replaced).</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Report your jobs whose name matches this wildcard pattern, finished ones included (see -Since).</summary>
    [Parameter(Mandatory = true, ParameterSetName = List)]
    [SupportsWildcards]
    public string? Name { get; set; }

    /// <summary>With -Name: jobs that ended at or after this time too. Default: the last 7 days.</summary>
    [Parameter(ParameterSetName = List)]
    public DateTime? Since { get; set; }

    /// <summary>The page's title. Default: "HpcJobs report: N jobs".</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Title { get; set; }

    /// <summary>Open the report in your browser once written.</summary>
    [Parameter]
    public SwitchParameter Open { get; set; }

    /// <summary>Return the report's file.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        if (ParameterSetName == List)
            CollectListed();
        else
            base.EndProcessing();
        if (_entries.Count == 0)
        {
            WriteError(
                ToErrorRecord(
                    HpcErrors.JobNotFound,
                    "No job to report: pipe jobs in, give their ids, or a -Name your jobs have.",
                    Name
                )
            );
            return;
        }
        var path = ResolvePath(Path);
        if (!ShouldProcess(path, $"Write a report of {_entries.Count} job(s)"))
            return;
        try
        {
            File.WriteAllText(path, JobReport.Html(_entries, DateTimeOffset.Now, Title));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(
                ToErrorRecord(
                    HpcErrors.ReportNotWritten,
                    $"The report could not be written to '{path}': {e.Message}",
                    path
                )
            );
        }
        if (Open)
            OpenInBrowser(path);
        if (PassThru)
            WriteObject(new FileInfo(path));
    }

    private void CollectListed()
    {
        var scheduler = GetSchedulerOrStop(Scheduler);
        var lister = GetListerOrStop(scheduler, "pipe the jobs to report, or give their ids");
        var query = new JobListQuery { Name = Name, Since = new DateTimeOffset(Since ?? DateTime.Now.AddDays(-7)) };
        try
        {
            var jobs = Run(ct => lister.ListJobsAsync(query, ct));
            if (jobs.Count > 0)
                Collect(scheduler, jobs);
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, scheduler.Kind));
        }
    }

    protected override void ProcessJobs(IScheduler scheduler, IReadOnlyList<string> jobIds)
    {
        if (TryGetStatus(scheduler, jobIds) is { } report)
            Collect(scheduler, JobOrdering.InInputOrder(report.Jobs, jobIds).ToList());
    }

    /// <summary>Each job with what it used (where the scheduler accounts for it) and, unless it completed, its output's end.</summary>
    private void Collect(IScheduler scheduler, IReadOnlyList<JobInfo> jobs)
    {
        var usage = new Dictionary<string, JobUsage>();
        if (scheduler is IJobAccounting accounting)
            try
            {
                foreach (var used in Run(ct => accounting.GetUsageAsync(jobs.Select(j => j.JobId).ToList(), ct)))
                    usage.TryAdd(used.JobId, used);
            }
            catch (HpcJobsException e)
            {
                WriteWarning($"{scheduler.Kind} gave no CPU time or memory use, so the report has none: {e.Message}");
            }
        foreach (var job in jobs.DistinctBy(j => j.JobId))
            _entries.Add(
                new ReportEntry(
                    job,
                    scheduler is IJobAccounting ? JobEfficiency.From(job, usage.GetValueOrDefault(job.JobId)) : null,
                    job.IsFinished && job.State != JobState.Completed ? OutputEnd(job) : []
                )
            );
    }

    private static List<string> OutputEnd(JobInfo job)
    {
        try
        {
            return JobOutput.Read(job, error: false, LastLines).Select(l => l.Line).ToList();
        }
        catch (Exception e) when (e is HpcJobsException or IOException or UnauthorizedAccessException)
        {
            return [$"(output not readable: {e.Message})"];
        }
    }

    /// <summary>The desktop's opener: xdg-open on Linux, open on macOS, the shell's association on Windows.</summary>
    private void OpenInBrowser(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
                System.Diagnostics.Process.Start(
                    new System.Diagnostics.ProcessStartInfo(path) { UseShellExecute = true }
                );
            else
                _ = CliWrap
                    .Cli.Wrap(OperatingSystem.IsMacOS() ? "open" : "xdg-open")
                    .WithArguments([path])
                    .WithValidation(CliWrap.CommandResultValidation.None)
                    .ExecuteAsync();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            WriteWarning($"The report is written to {path}, but no browser could be opened: {e.Message}");
        }
    }
}
