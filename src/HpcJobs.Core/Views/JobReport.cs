using System.Text.Json;
using System.Text.Json.Serialization;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;

namespace HpcJobs.Core.Views;

/// <summary>One job (or array task) in an execution report: its last status, what it used, and the end of its output.</summary>
/// <param name="Job">The job as the scheduler last answered.</param>
/// <param name="Efficiency">What it used against what it asked (Measure-HpcJob's figures); null where not measured.</param>
/// <param name="LastLines">The last lines of its output, for a job that did not complete; empty otherwise.</param>
public sealed record ReportEntry(JobInfo Job, JobEfficiency? Efficiency, IReadOnlyList<string> LastLines);

/// <summary>
/// Export-HpcJobReport's page: one self-contained HTML file (Chart.js and the data inlined, a policy that forbids any
/// request) with a summary, a timeline of every job from submit through start to end coloured by how it ended, CPU
/// efficiency and peak memory against the request, a failures table and what was submitted, in the manner of
/// Nextflow's execution report and timeline.
/// </summary>
public static class JobReport
{
    /// <summary>How many jobs the worst-offender tables name.</summary>
    public const int Worst = 10;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The page for <paramref name="entries"/>, at <paramref name="now"/> (running jobs' bars end there).</summary>
    public static string Html(IReadOnlyList<ReportEntry> entries, DateTimeOffset now, string? title = null)
    {
        var data = Data(entries, now, title);
        // System.Text.Json escapes <, > and & by default, so no data can end the script element it sits in
        return Resource("report.html")
            .Replace("/*TITLE*/", System.Net.WebUtility.HtmlEncode(data.Title), StringComparison.Ordinal)
            .Replace("/*DATA*/", JsonSerializer.Serialize(data, Json), StringComparison.Ordinal)
            .Replace(
                "/*CHARTJS-LICENSE*/",
                Resource("chart.js-LICENSE.md").Replace("--", "-", StringComparison.Ordinal),
                StringComparison.Ordinal
            )
            .Replace("/*CHARTJS*/", Resource("chart.umd.min.js"), StringComparison.Ordinal);
    }

    /// <summary>What the page shows, as data (the page's script draws it).</summary>
    public static ReportData Data(IReadOnlyList<ReportEntry> entries, DateTimeOffset now, string? title = null)
    {
        var jobs = entries.Select(e => Row(e)).ToList();
        var submits = entries.Select(e => e.Job.SubmitTime).OfType<DateTimeOffset>().ToList();
        var origin = submits.Count > 0 ? submits.Min() : now;
        var ends = entries
            .Select(e => e.Job.EndTime ?? (e.Job.IsFinished ? null : now))
            .OfType<DateTimeOffset>()
            .ToList();
        var queued = entries
            .Where(e => e.Job is { SubmitTime: not null, StartTime: not null })
            .Select(e => (e.Job.StartTime!.Value - e.Job.SubmitTime!.Value).TotalSeconds)
            .Order()
            .ToList();
        var efficiencies = entries.Select(e => e.Efficiency).OfType<JobEfficiency>().ToList();
        var schedulers = entries.Select(e => e.Job.Scheduler).Distinct().ToList();
        return new ReportData
        {
            Title = title ?? $"HpcJobs report: {entries.Count} job{(entries.Count == 1 ? "" : "s")}",
            Subtitle = string.Join(
                " · ",
                string.Join(", ", schedulers),
                $"made {now.ToLocalTime():yyyy-MM-dd HH:mm}",
                JobBoard.Headline(entries.Select(e => e.Job).ToList())
            ),
            Origin = Seconds(origin),
            Now = Seconds(now),
            Summary = new ReportSummary
            {
                Jobs = entries.Count,
                States = entries
                    .GroupBy(e => e.Job.State)
                    .OrderBy(g => g.Key)
                    .ToDictionary(g => g.Key.ToString(), g => g.Count()),
                CpuHoursUsed = efficiencies.Sum(e => e.CpuTime?.TotalHours ?? 0),
                CpuHoursAsked = efficiencies.Sum(e => (e.Cpus ?? 0) * (e.Elapsed?.TotalHours ?? 0)),
                PeakMemory = efficiencies.Select(e => e.MaxRss).Max(),
                MemoryAsked = efficiencies.Select(e => e.MemoryRequested).Max(),
                QueuedMedian = queued.Count > 0 ? queued[(queued.Count - 1) / 2] : null,
                QueuedMax = queued.Count > 0 ? queued[^1] : null,
                Span = ends.Count > 0 ? (ends.Max() - origin).TotalSeconds : null,
            },
            Jobs = jobs,
            WorstCpu = jobs.Where(j => j.CpuEfficiency is not null).OrderBy(j => j.CpuEfficiency).Take(Worst).ToList(),
            WorstMemory = jobs.Where(j => j.MemoryUsed is not null)
                .OrderByDescending(j => j.MemoryUsed)
                .Take(Worst)
                .ToList(),
            Submitted = entries
                .GroupBy(e =>
                    (
                        e.Job.Name,
                        e.Job.Scheduler,
                        e.Job.Partition,
                        Resources: e.Job.Resources?.ToString(),
                        e.Job.WorkingDirectory
                    )
                )
                .Select(g => new ReportSubmission(
                    g.Count(),
                    g.Key.Name,
                    g.Key.Scheduler,
                    g.Key.Partition,
                    g.Key.Resources,
                    g.Key.WorkingDirectory
                ))
                .ToList(),
        };
    }

    private static ReportJob Row(ReportEntry entry)
    {
        var job = entry.Job;
        var efficiency = entry.Efficiency;
        return new ReportJob
        {
            Id = job.JobId,
            Name = job.Name,
            State = job.State.ToString(),
            Cause = job.IsFinished ? JobBoard.Ending(job) : null,
            ExitCode = job.ExitCode,
            Signal = job.Signal,
            Reason = job.Reason is "None" ? null : job.Reason,
            Failed = job.IsFinished && job.State != JobState.Completed,
            Submit = job.SubmitTime is { } submit ? Seconds(submit) : null,
            Start = job.StartTime is { } start ? Seconds(start) : null,
            End = job.EndTime is { } end ? Seconds(end) : null,
            Cpus = efficiency?.Cpus,
            CpuEfficiency = efficiency?.CpuEfficiencyPercent,
            PeakMemory = efficiency?.MaxRss,
            MemoryAsked = efficiency?.MemoryRequested,
            MemoryUsed = efficiency?.MemoryUsedPercent,
            LastLines = entry.LastLines.Count > 0 ? entry.LastLines : null,
        };
    }

    private static double Seconds(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 1000.0;

    private static string Resource(string name)
    {
        using var stream =
            typeof(JobReport).Assembly.GetManifestResourceStream($"HpcJobs.Core.Views.Report.{name}")
            ?? throw new InvalidOperationException($"the report's {name} is not in the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>The report's data, as the page reads it.</summary>
public sealed record ReportData
{
    public required string Title { get; init; }
    public required string Subtitle { get; init; }

    /// <summary>The first submission, in Unix seconds: the timeline's zero.</summary>
    public double Origin { get; init; }
    public double Now { get; init; }
    public required ReportSummary Summary { get; init; }
    public required IReadOnlyList<ReportJob> Jobs { get; init; }
    public required IReadOnlyList<ReportJob> WorstCpu { get; init; }
    public required IReadOnlyList<ReportJob> WorstMemory { get; init; }
    public required IReadOnlyList<ReportSubmission> Submitted { get; init; }
}

/// <summary>The report's summary cards.</summary>
public sealed record ReportSummary
{
    public int Jobs { get; init; }
    public required IReadOnlyDictionary<string, int> States { get; init; }
    public double CpuHoursUsed { get; init; }
    public double CpuHoursAsked { get; init; }
    public long? PeakMemory { get; init; }
    public long? MemoryAsked { get; init; }
    public double? QueuedMedian { get; init; }
    public double? QueuedMax { get; init; }
    public double? Span { get; init; }
}

/// <summary>A job's row in the report's data; times in Unix seconds.</summary>
public sealed record ReportJob
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    public required string State { get; init; }
    public string? Cause { get; init; }
    public int? ExitCode { get; init; }
    public int? Signal { get; init; }
    public string? Reason { get; init; }
    public bool Failed { get; init; }
    public double? Submit { get; init; }
    public double? Start { get; init; }
    public double? End { get; init; }
    public int? Cpus { get; init; }
    public double? CpuEfficiency { get; init; }
    public long? PeakMemory { get; init; }
    public long? MemoryAsked { get; init; }
    public double? MemoryUsed { get; init; }
    public IReadOnlyList<string>? LastLines { get; init; }
}

/// <summary>Jobs submitted alike (name, scheduler, partition, resources, folder), counted.</summary>
public sealed record ReportSubmission(
    int Count,
    string? Name,
    string Scheduler,
    string? Partition,
    string? Resources,
    string? Folder
);
