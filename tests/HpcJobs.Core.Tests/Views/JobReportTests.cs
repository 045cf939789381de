using System.Diagnostics;
using System.Text.RegularExpressions;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Views;

namespace HpcJobs.Core.Tests.Views;

/// <summary>Export-HpcJobReport's page (issue 31): its figures, its safety against what jobs are named, and 5,000 tasks in Chromium.</summary>
public class JobReportTests
{
    private static readonly DateTimeOffset Submitted = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    private static ReportEntry Task(int i, JobState state = JobState.Completed, string name = "sweep")
    {
        var job = new JobInfo
        {
            JobId = $"9_{i}",
            ArrayJobId = "9",
            ArrayTaskId = i,
            Name = name,
            Scheduler = "Slurm",
            State = state,
            ExitCode = state == JobState.Completed ? 0 : 3,
            EndCause = state == JobState.Completed ? JobEndCause.Completed : JobEndCause.ExitCode,
            SubmitTime = Submitted,
            StartTime = Submitted.AddSeconds(60 + i),
            EndTime = Submitted.AddSeconds(660 + i),
            Resources = new ResourceSpec { CpusPerTask = 2, Memory = 1L << 30 },
            Partition = "debug",
            WorkingDirectory = "/home/me/sweep",
        };
        var efficiency = new JobEfficiency
        {
            JobId = job.JobId,
            Scheduler = "Slurm",
            State = state,
            Cpus = 2,
            Elapsed = TimeSpan.FromSeconds(600),
            CpuTime = TimeSpan.FromSeconds(600 + i),
            CpuEfficiencyPercent = (600.0 + i) / 1200 * 100,
            MaxRss = (100L + i) << 20,
            MemoryRequested = 1L << 30,
            MemoryUsedPercent = (100.0 + i) / 1024 * 100,
        };
        return new ReportEntry(job, efficiency, state == JobState.Completed ? [] : ["last line"]);
    }

    [Fact]
    public void The_summary_adds_up_what_the_jobs_used_and_asked_and_how_long_they_queued()
    {
        var entries = Enumerable
            .Range(1, 4)
            .Select(i => Task(i, i == 4 ? JobState.Failed : JobState.Completed))
            .ToList();
        var data = JobReport.Data(entries, Submitted.AddHours(1));
        Assert.Equal(4, data.Summary.Jobs);
        Assert.Equal(new Dictionary<string, int> { ["Completed"] = 3, ["Failed"] = 1 }, data.Summary.States);
        Assert.Equal((600 * 4 + 10) / 3600.0, data.Summary.CpuHoursUsed, 6);
        Assert.Equal(4 * 2 * 600 / 3600.0, data.Summary.CpuHoursAsked, 6);
        Assert.Equal(104L << 20, data.Summary.PeakMemory);
        Assert.Equal(62, data.Summary.QueuedMedian);
        Assert.Equal(64, data.Summary.QueuedMax);
        Assert.Equal(664, data.Summary.Span);
        Assert.Equal("9_1", data.WorstCpu[0].Id);
        Assert.Equal("9_4", data.WorstMemory[0].Id);
        Assert.Equal(["9_4"], data.Jobs.Where(j => j.Failed).Select(j => j.Id));
        Assert.Equal(4, data.Submitted.Single().Count);
    }

    [Fact]
    public void A_job_name_cannot_end_the_script_it_sits_in_nor_the_title()
    {
        var evil = "</script><script>alert(1)</script>";
        var html = JobReport.Html([Task(1, name: evil)], Submitted.AddHours(1), title: "<b>x</b>");
        Assert.DoesNotContain(evil, html);
        Assert.Contains("<title>&lt;b&gt;x&lt;/b&gt;</title>", html);
        Assert.Equal(3, Regex.Matches(html, "</script>").Count); // the data, Chart.js, the page's own
    }

    [Fact]
    public void Chromium_draws_a_bar_for_each_of_5000_tasks()
    {
        if (FindChromium() is not { } chromium)
        {
            Assert.Fail(
                "Debian's chromium is not installed (build.ps1 Test installs it as root: apt-get install chromium)"
            );
            return;
        }
        var entries = Enumerable
            .Range(1, 5000)
            .Select(i => Task(i, i % 100 == 0 ? JobState.Failed : JobState.Completed))
            .ToList();
        var file = Path.Combine(Path.GetTempPath(), $"hpcjobs-report-{Guid.NewGuid():N}.html");
        File.WriteAllText(file, JobReport.Html(entries, Submitted.AddHours(2)));
        try
        {
            var dom = Run(chromium, "--dump-dom", "file://" + file);
            Assert.Contains("data-rendered=\"yes\"", dom);
            Assert.Contains("data-timeline-bars=\"5000\"", dom);
            Assert.Contains("data-rows=\"50\"", dom);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string? FindChromium() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    private static string Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (
            var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=20000" }.Concat(args)
        )
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        _ = stderr.Result;
        return output;
    }
}
