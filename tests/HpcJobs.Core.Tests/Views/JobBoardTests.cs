using HpcJobs.Core.Model;
using HpcJobs.Core.Views;

namespace HpcJobs.Core.Tests.Views;

/// <summary>The live view's text (Watch-HpcJob, issue 31): fitted to the terminal, active jobs first, arrays as one row.</summary>
public class JobBoardTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static JobInfo Job(string id, JobState state, string? name = null) =>
        new()
        {
            JobId = id,
            Name = name ?? "job" + id,
            Scheduler = "Slurm",
            State = state,
            Partition = "debug",
            SubmitTime = Now.AddMinutes(-30),
            StartTime = state is JobState.Pending or JobState.Held ? null : Now.AddMinutes(-10),
            EndTime = state.IsFinished() ? Now.AddMinutes(-1) : null,
            ExitCode = state switch
            {
                JobState.Completed => 0,
                JobState.Failed => 3,
                _ => null,
            },
            EndCause = state switch
            {
                JobState.Completed => JobEndCause.Completed,
                JobState.Failed => JobEndCause.ExitCode,
                JobState.TimedOut => JobEndCause.Walltime,
                _ => JobEndCause.None,
            },
            Resources = new ResourceSpec { Walltime = TimeSpan.FromHours(1) },
            NodeList = state == JobState.Running ? "n1" : null,
        };

    private static JobInfo Task(string array, int task, JobState state) =>
        Job($"{array}_{task}", state, "sweep") with
        {
            ArrayJobId = array,
            ArrayTaskId = task,
        };

    [Theory]
    [InlineData(80, 24)]
    [InlineData(120, 40)]
    [InlineData(200, 50)]
    [InlineData(20, 3)]
    public void No_line_is_wider_than_the_terminal_nor_more_lines_than_it_has(int width, int height)
    {
        var jobs = Enumerable
            .Range(1, 1000)
            .Select(i => Job($"{i}", (JobState)(1 + i % 7), new string('n', i % 40)))
            .ToList();
        var lines = JobBoard.Render(jobs, width, height, Now, "Slurm");
        Assert.All(lines, l => Assert.True(l.Length <= Math.Max(width, JobBoard.MinWidth), $"{l.Length}: {l}"));
        Assert.Equal(Math.Max(height, 4), lines.Count);
        Assert.StartsWith("Slurm: 1000 jobs:", lines[0]);
        Assert.Matches(@"^… \d+ more: Running \d+, ", lines[^1]);
    }

    [Fact]
    public void Running_jobs_come_first_then_waiting_ones_then_those_that_ended_latest_first()
    {
        var early = Job("1", JobState.Completed) with { EndTime = Now.AddMinutes(-20) };
        var late = Job("2", JobState.Failed) with { EndTime = Now.AddMinutes(-2) };
        var rows = JobBoard.Rows([early, late, Job("3", JobState.Pending), Job("4", JobState.Running)], Now);
        Assert.Equal(["4", "3", "2", "1"], rows.Select(r => r.Id));
    }

    [Fact]
    public void An_array_is_one_row_with_a_bar_and_its_counts_in_the_place_of_its_first_task()
    {
        var tasks = new[]
        {
            Task("7", 1, JobState.Completed),
            Task("7", 2, JobState.Completed),
            Task("7", 3, JobState.Running),
            Task("7", 4, JobState.Pending),
        };
        var rows = JobBoard.Rows([Job("5", JobState.Pending), .. tasks, Job("6", JobState.Pending)], Now);
        Assert.Equal(["7", "5", "6"], rows.Select(r => r.Id));
        var array = rows[0];
        Assert.Equal(JobState.Running, array.State);
        Assert.Equal(4, array.Tasks);
        Assert.Equal("[#####>>>..] 2/4 ended: Running 1, Pending 1, Completed 2", array.Info);
    }

    [Fact]
    public void An_array_whose_tasks_all_ended_takes_the_state_most_of_its_failed_tasks_ended_in()
    {
        var rows = JobBoard.Rows(
            [Task("7", 1, JobState.Completed), Task("7", 2, JobState.Failed), Task("7", 3, JobState.Failed)],
            Now
        );
        Assert.Equal(JobState.Failed, rows.Single().State);
        Assert.StartsWith("[##########] 3/3 ended", rows.Single().Info);
    }

    [Fact]
    public void A_row_says_elapsed_against_the_walltime_while_running_and_how_long_a_waiting_job_has_queued()
    {
        var rows = JobBoard.Rows(
            [Job("1", JobState.Running), Job("2", JobState.Pending) with { Reason = "Priority" }],
            Now
        );
        Assert.Equal("0:10:00/1:00:00", rows[0].Time);
        Assert.Equal("on n1", rows[0].Info);
        Assert.Equal("queued 0:30:00", rows[1].Time);
        Assert.Equal("Priority", rows[1].Info);
    }

    [Fact]
    public void A_waiting_job_shows_its_estimated_start_and_its_reason_in_words()
    {
        var job = Job("2", JobState.Pending) with
        {
            Reason = "Resources",
            ReasonExplained = "It is next.",
            EstimatedStart = new DateTimeOffset(2026, 12, 6, 13, 30, 0, TimeSpan.Zero),
        };
        var info = JobBoard.Rows([job], Now).Single().Info;
        Assert.Matches(@"^starts ~12-06 \d\d:30; Resources: It is next\.$", info);
    }

    [Theory]
    [InlineData(JobEndCause.Completed, "exit 0")]
    [InlineData(JobEndCause.ExitCode, "exit 3")]
    [InlineData(JobEndCause.OutOfMemory, "out of memory")]
    [InlineData(JobEndCause.Walltime, "walltime reached")]
    [InlineData(JobEndCause.Cancelled, "cancelled by uid 1000")]
    public void An_ended_job_says_how_it_ended(JobEndCause cause, string words)
    {
        var job = Job("1", JobState.Failed) with { EndCause = cause, CancelledBy = "uid 1000" };
        if (cause == JobEndCause.Completed)
            job = job with { ExitCode = 0 };
        Assert.Equal(words, JobBoard.Ending(job));
    }

    [Fact]
    public void The_partition_column_is_there_only_where_there_is_room_and_a_partition_to_show()
    {
        Assert.Contains("PARTITION", JobBoard.Render([Job("1", JobState.Running)], 120, 10, Now, "Slurm")[1]);
        Assert.DoesNotContain("PARTITION", JobBoard.Render([Job("1", JobState.Running)], 80, 10, Now, "Slurm")[1]);
        var local = Job("1", JobState.Running) with { Partition = null };
        Assert.DoesNotContain("PARTITION", JobBoard.Render([local], 200, 10, Now, "Local")[1]);
    }

    [Fact]
    public void A_problem_is_shown_under_the_header()
    {
        var lines = JobBoard.Render([Job("1", JobState.Running)], 80, 10, Now, "Slurm", "squeue timed out");
        Assert.Equal("! squeue timed out", lines[1]);
        Assert.StartsWith("JOBID", lines[2]);
    }

    [Fact]
    public void Plain_lines_name_every_job_once_then_only_its_changes()
    {
        var seen = new Dictionary<string, JobState>();
        var first = JobBoard.Changes(seen, [Job("1", JobState.Pending), Job("2", JobState.Running)], Now);
        Assert.Equal(2, first.Count);
        Assert.EndsWith(" 1 (job1) Pending", first[0]);
        Assert.Empty(JobBoard.Changes(seen, [Job("1", JobState.Pending), Job("2", JobState.Running)], Now));
        var next = JobBoard.Changes(seen, [Job("1", JobState.Running), Job("2", JobState.Failed)], Now);
        Assert.Equal(2, next.Count);
        Assert.EndsWith(" 1 (job1) Pending -> Running: on n1", next[0]);
        Assert.EndsWith(" 2 (job2) Running -> Failed: exit 3", next[1]);
    }

    [Theory]
    [InlineData(0, 0, 10, "[..........]")]
    [InlineData(10, 0, 10, "[##########]")]
    [InlineData(3, 1, 10, "[###>......]")]
    [InlineData(0, 0, 0, "[..........]")]
    public void The_bar_shows_ended_running_and_waiting_tasks(int ended, int running, int total, string bar) =>
        Assert.Equal(bar, JobBoard.Bar(ended, running, total, 10));

    [Theory]
    [InlineData(0, "0:00:00")]
    [InlineData(3_725, "1:02:05")]
    [InlineData(90_061, "1-01:01:01")]
    [InlineData(-5, "0:00:00")]
    public void Durations_are_written_as_squeue_writes_them(int seconds, string text) =>
        Assert.Equal(text, JobBoard.Duration(TimeSpan.FromSeconds(seconds)));
}
