using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Views;

namespace HpcJobs.Core.Tests.Views;

/// <summary>What Watch-HpcJob follows: a selection listed again for new jobs, jobs followed by id to their end, arrays by their tasks.</summary>
public class JobWatchTests
{
    /// <summary>A back end whose jobs the test sets; it counts the calls made to it.</summary>
    private sealed class Board : IScheduler, IJobLister
    {
        public Dictionary<string, JobInfo> Jobs { get; } = [];
        public List<IReadOnlyCollection<string>> StatusCalls { get; } = [];
        public int ListCalls { get; private set; }
        public bool Down { get; set; }

        public SchedulerKind Kind => SchedulerKind.Slurm;

        public SchedulerDescription Describe() => new(Kind, "fake", null, "", SchedulerCapabilities.None);

        public SubmissionPlan Plan(JobRequest request) => throw new NotSupportedException();

        public Task<JobInfo> SubmitAsync(JobRequest request, CancellationToken ct = default) =>
            throw new NotSupportedException();

        public Task<StatusReport> GetStatusAsync(IReadOnlyCollection<string> ids, CancellationToken ct = default)
        {
            StatusCalls.Add(ids);
            if (Down)
                throw new SchedulerUnavailableException("squeue timed out");
            var found = Jobs.Values.Where(j => ids.Contains(j.JobId) || ids.Contains(j.ArrayJobId ?? "")).ToList();
            var missing = ids.Where(id => !found.Any(j => j.JobId == id || j.ArrayJobId == id))
                .Select(id => new JobLookupFailure(id, $"no job {id}"))
                .ToList();
            return Task.FromResult(new StatusReport(found, missing));
        }

        public Task<IReadOnlyList<JobLookupFailure>> CancelAsync(
            IReadOnlyCollection<JobInfo> jobs,
            CancellationToken ct = default
        ) => throw new NotSupportedException();

        public Task<IReadOnlyList<JobInfo>> ListJobsAsync(JobListQuery query, CancellationToken ct = default)
        {
            ListCalls++;
            return Task.FromResult<IReadOnlyList<JobInfo>>(Jobs.Values.Where(j => !j.IsFinished).ToList());
        }

        public void Set(string id, JobState state, string? array = null) =>
            Jobs[id] = new JobInfo
            {
                JobId = id,
                State = state,
                ArrayJobId = array,
                ArrayTaskId = array is null ? null : int.Parse(id.Split('_')[1]),
            };
    }

    [Fact]
    public async Task A_selection_is_listed_once_then_followed_by_id_and_listed_again_only_when_due()
    {
        var board = new Board();
        board.Set("1", JobState.Running);
        board.Set("2", JobState.Pending);
        var watch = new JobWatch(board, board, new JobListQuery(), TimeSpan.FromMilliseconds(300));
        await watch.RefreshAsync(default);
        Assert.Equal(["1", "2"], watch.Jobs.Select(j => j.JobId));
        board.Set("1", JobState.Completed); // squeue would no longer list it
        board.Set("3", JobState.Pending);
        await watch.RefreshAsync(default);
        Assert.Equal(1, board.ListCalls);
        Assert.Equal(["1", "2"], watch.Jobs.Select(j => j.JobId));
        Assert.Equal(JobState.Completed, watch.Jobs[0].State);
        await Task.Delay(350);
        await watch.RefreshAsync(default);
        Assert.Equal(2, board.ListCalls);
        Assert.Equal(["1", "2", "3"], watch.Jobs.Select(j => j.JobId));
        Assert.False(watch.AllEnded);
    }

    [Fact]
    public async Task A_job_that_ended_is_asked_for_no_more_and_an_array_until_all_its_tasks_have_ended()
    {
        var board = new Board();
        board.Set("5", JobState.Running);
        board.Set("7_1", JobState.Running, "7");
        board.Set("7_2", JobState.Pending, "7");
        var watch = new JobWatch([(board, (IReadOnlyList<string>)["5", "7"])]);
        await watch.RefreshAsync(default);
        Assert.Equal(["5", "7_1", "7_2"], watch.Jobs.Select(j => j.JobId));
        board.Set("5", JobState.Completed);
        board.Set("7_1", JobState.Completed, "7");
        await watch.RefreshAsync(default);
        await watch.RefreshAsync(default);
        Assert.Equal(["7"], board.StatusCalls[^1]);
        Assert.False(watch.AllEnded);
        board.Set("7_2", JobState.Failed, "7");
        await watch.RefreshAsync(default);
        Assert.True(watch.AllEnded);
        var calls = board.StatusCalls.Count;
        await watch.RefreshAsync(default);
        Assert.Equal(calls, board.StatusCalls.Count);
    }

    [Fact]
    public async Task A_scheduler_that_does_not_answer_is_a_problem_and_the_last_answers_stand()
    {
        var board = new Board();
        board.Set("5", JobState.Running);
        var watch = new JobWatch([(board, (IReadOnlyList<string>)["5", "6"])]);
        await watch.RefreshAsync(default);
        Assert.Equal("no job 6", watch.Problem);
        board.Down = true;
        await watch.RefreshAsync(default);
        Assert.Contains("squeue timed out", watch.Problem);
        Assert.Equal(JobState.Running, watch.Jobs.Single().State);
        board.Down = false;
        await watch.RefreshAsync(default);
        Assert.Null(watch.Problem);
    }
}
