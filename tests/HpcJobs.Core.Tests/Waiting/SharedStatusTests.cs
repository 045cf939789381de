using System.Diagnostics;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Pbs;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Slurm;
using HpcJobs.Core.Tests.Support;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Waiting;

/// <summary>
/// The real commands, at a place of the test's own (its own snapshot file), failing on demand: a second scheduler
/// instance over the same place stands for a second process of the same user.
/// </summary>
internal sealed class PlacedRunner(IProcessRunner inner, string place) : IProcessRunner
{
    public string Machine => place;
    public volatile bool Fail;

    public Task<ProcessResult> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        ProcessOptions? options = null,
        CancellationToken cancellationToken = default
    ) =>
        Fail
            ? Task.FromResult(new ProcessResult(1, "", "Unable to contact slurm controller (connect failure)"))
            : inner.RunAsync(program, arguments, options, cancellationToken);
}

/// <summary>Status shared between the processes of one user (issue 18), each guarantee on the real cluster and server.</summary>
[Collection("slurm-cluster")]
public sealed class SharedStatusSlurmTests : IDisposable
{
    private static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(10);
    private readonly string _place = $"test-{Guid.NewGuid():N}";
    private readonly string _work = Directory.CreateTempSubdirectory("hpcjobs-shared-test-").FullName;
    private readonly List<string> _submitted = [];

    public void Dispose()
    {
        if (_submitted.Count > 0 && SlurmCluster.IsUp)
            SlurmCluster.RunAsync("scancel", [.. _submitted]).GetAwaiter().GetResult();
        File.Delete(Shared(Process()).SnapshotPath);
    }

    /// <summary>One "process": a back end over this test's place.</summary>
    private SlurmScheduler Process(PlacedRunner? runner = null) =>
        new(runner ?? new PlacedRunner(CliWrapProcessRunner.Instance, _place), new RetryPolicy(MaxAttempts: 1));

    private static ISharedStatus Shared(IScheduler s) =>
        ISharedStatus.For(s) ?? throw new InvalidOperationException("status not shared");

    private async Task<JobInfo> Submit(SlurmScheduler s, params string[] argv)
    {
        var job = await s.SubmitAsync(
            new JobRequest
            {
                Command = argv,
                WorkingDirectory = _work,
                OutputPath = "/dev/null",
            }
        );
        _submitted.Add(job.JobId);
        return job;
    }

    [SlurmFact]
    public async Task A_second_process_reads_the_snapshot_without_asking_the_controller()
    {
        var first = Process();
        var job = await Submit(first, "sleep", "60");
        await Shared(first).GetStatusAsync([job.JobId], TimeSpan.Zero, Floor, default);
        var observed = DateTimeOffset.Now;

        var second = Process();
        var calls = second.SchedulerCalls;
        var report = await Shared(second).GetStatusAsync([job.JobId], Long, Floor, default);

        Assert.Equal(calls, second.SchedulerCalls);
        var answer = Assert.Single(report.Jobs);
        Assert.Equal(job.JobId, answer.JobId);
        Assert.True(answer.QueriedAt <= observed, "the JobInfo says when the scheduler said it, not when it was read");
    }

    [SlurmFact]
    public async Task A_job_submitted_after_the_snapshot_is_answered_from_its_submission_and_asked_next_time()
    {
        var other = Process();
        var theirs = await Submit(other, "sleep", "60");
        await Shared(other).GetStatusAsync([theirs.JobId], TimeSpan.Zero, Floor, default);

        var me = Process();
        var mine = await Submit(me, "sleep", "60");
        var calls = me.SchedulerCalls;
        var report = await Shared(me).GetStatusAsync([mine.JobId], Long, Floor, default);
        Assert.Equal(calls, me.SchedulerCalls); // no query: the snapshot is fresh, and the job is this process's own
        var answer = Assert.Single(report.Jobs);
        Assert.Equal(JobState.Pending, answer.State);
        Assert.Empty(report.NotFound);

        // the other process's next refresh asks for it too
        await Shared(other).GetStatusAsync([theirs.JobId], TimeSpan.Zero, Floor, default);
        var later = await Shared(Process()).GetStatusAsync([mine.JobId], Long, Floor, default);
        Assert.True(Assert.Single(later.Jobs).QueriedAt > answer.QueriedAt);
    }

    [SlurmFact]
    public async Task A_snapshot_older_than_asked_is_never_given_as_current()
    {
        var first = Process();
        var job = await Submit(first, "sleep", "60");
        await Shared(first).GetStatusAsync([job.JobId], TimeSpan.Zero, Floor, default);
        await Task.Delay(TimeSpan.FromSeconds(1.2));

        var second = Process();
        var calls = second.SchedulerCalls;
        var asked = DateTimeOffset.Now;
        var report = await Shared(second).GetStatusAsync([job.JobId], TimeSpan.FromSeconds(1), Floor, default);
        Assert.True(second.SchedulerCalls > calls);
        Assert.True(Assert.Single(report.Jobs).QueriedAt >= asked);
    }

    [SlurmFact]
    public async Task Asking_without_a_max_age_asks_the_scheduler()
    {
        var first = Process();
        var job = await Submit(first, "sleep", "60");
        await Shared(first).GetStatusAsync([job.JobId], TimeSpan.Zero, Floor, default);

        var second = Process();
        var calls = second.SchedulerCalls;
        await StatusPolls.AtMostAsync(second, [job.JobId], null, default);
        Assert.True(second.SchedulerCalls > calls, "Get-HpcJobStatus without -MaxAge is fresh");
        calls = second.SchedulerCalls;
        await StatusPolls.AtMostAsync(second, [job.JobId], Long, default);
        Assert.Equal(calls, second.SchedulerCalls);
    }

    [SlurmFact]
    public async Task The_snapshot_is_private_and_a_corrupt_or_foreign_one_is_rebuilt()
    {
        var s = Process();
        var job = await Submit(s, "sleep", "60");
        var shared = Shared(s);
        await shared.GetStatusAsync([job.JobId], TimeSpan.Zero, Floor, default);
        var path = shared.SnapshotPath;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.GetDirectoryName(path)!)
        );

        await File.WriteAllTextAsync(path, "{ not json");
        var reader = Process();
        var report = await Shared(reader).GetStatusAsync([job.JobId], Long, Floor, default);
        Assert.Equal(job.JobId, Assert.Single(report.Jobs).JobId);
        Assert.Contains(job.JobId, await File.ReadAllTextAsync(path));

        if (!OtherUser.IsRoot)
            return;
        OtherUser.Own(path); // a snapshot that is not yours is never read
        var stranger = Process();
        var calls = stranger.SchedulerCalls;
        report = await Shared(stranger).GetStatusAsync([job.JobId], Long, Floor, default);
        Assert.True(stranger.SchedulerCalls > calls, "the foreign snapshot was read");
        Assert.Equal(job.JobId, Assert.Single(report.Jobs).JobId);
        Assert.Equal("root", (await SlurmCluster.RunAsync("stat", "-c", "%U", path)).StandardOutput.Trim());
    }

    [SlurmFact]
    public async Task A_refresher_killed_while_holding_the_lock_blocks_nobody()
    {
        var s = Process();
        var job = await Submit(s, "sleep", "60");
        var shared = Shared(s);
        // a process that holds the snapshot's lock and nothing else (flock -o: the lock is flock's own)
        using var holder = System.Diagnostics.Process.Start(
            "flock",
            ["-o", shared.SnapshotPath + ".lock", "sleep", "300"]
        )!;
        await Poll.Until(() => LockIsHeld(shared.SnapshotPath + ".lock"), seconds: 5);
        holder.Kill();
        await holder.WaitForExitAsync();

        var clock = Stopwatch.StartNew();
        var report = await Shared(Process()).GetStatusAsync([job.JobId], TimeSpan.Zero, Floor, default);
        Assert.Equal(job.JobId, Assert.Single(report.Jobs).JobId);
        Assert.True(clock.Elapsed < SharedStatusFile.LockWait, $"waited {clock.Elapsed} for a dead process's lock");
    }

    [SlurmFact]
    public async Task A_stopped_refresher_holding_the_lock_delays_the_others_only_by_the_bounded_wait()
    {
        var s = Process();
        var job = await Submit(s, "sleep", "60");
        var shared = Shared(s);
        using var holder = System.Diagnostics.Process.Start(
            "flock",
            ["-o", shared.SnapshotPath + ".lock", "sleep", "300"]
        )!;
        try
        {
            await Poll.Until(() => LockIsHeld(shared.SnapshotPath + ".lock"), seconds: 5);
            var report = await Shared(Process()).GetStatusAsync([job.JobId], TimeSpan.Zero, Floor, default);
            Assert.Equal(job.JobId, Assert.Single(report.Jobs).JobId); // refreshed on its own after the bounded wait
        }
        finally
        {
            holder.Kill();
        }
    }

    [SlurmFact]
    public async Task A_failed_refresh_makes_the_others_back_off_instead_of_each_retrying()
    {
        var job = await Submit(Process(), "sleep", "60");
        var failing = new PlacedRunner(CliWrapProcessRunner.Instance, _place) { Fail = true };
        await Assert.ThrowsAsync<SchedulerUnavailableException>(() =>
            Shared(Process(failing)).GetStatusAsync([job.JobId], TimeSpan.Zero, Floor, default)
        );
        var other = Process();
        var calls = other.SchedulerCalls;
        var e = await Assert.ThrowsAsync<SchedulerUnavailableException>(() =>
            Shared(other).GetStatusAsync([job.JobId], TimeSpan.Zero, Floor, default)
        );
        Assert.Equal(calls, other.SchedulerCalls);
        Assert.Contains("Unable to contact slurm controller", e.Message);
    }

    [SlurmFact]
    public async Task Many_waiters_of_one_user_poll_as_often_as_one()
    {
        // five "processes" each waiting for its own job, all at once, against one process waiting alone for five such
        // jobs in the same run: the controller must see the first as it sees the second, not five poll loops
        var shared = await PollsOf(5, sharing: true);
        var alone = await PollsOf(5, sharing: false);
        Assert.True(
            shared <= (alone * 3 / 2) + 2,
            $"{shared} status calls for 5 waiting processes sharing, {alone} for one process waiting for 5 jobs"
        );
    }

    private Task<int> PollsOf(int jobs, bool sharing) =>
        SharedPolls.Of(jobs, sharing, () => Process(), s => s.SchedulerCalls, s => Submit(s, "sleep", "3"));

    [RootFact]
    public async Task Another_users_jobs_never_enter_the_snapshot()
    {
        _ = OtherUser.Uid; // made on first use
        var mine = await Submit(Process(), "sleep", "60");
        var theirs = (
            await SlurmCluster.RunAsync(
                "runuser",
                "-u",
                OtherUser.Name,
                "--",
                "sbatch",
                "--parsable",
                "--hold",
                "-D",
                "/tmp",
                "-o",
                "/dev/null",
                "--wrap",
                "true"
            )
        ).StandardOutput.Trim();
        Assert.Matches(@"^\d+$", theirs);
        _submitted.Add(theirs);
        var s = Process();
        await Shared(s).GetStatusAsync([mine.JobId], TimeSpan.Zero, Floor, default);
        var text = await File.ReadAllTextAsync(Shared(s).SnapshotPath);
        Assert.Contains($"\"{mine.JobId}\"", text);
        Assert.DoesNotContain($"\"{theirs}\"", text); // only ids this user's processes asked about
    }

    private static bool LockIsHeld(string path)
    {
        using var probe = System.Diagnostics.Process.Start("flock", ["-n", "-E", "7", path, "true"])!;
        probe.WaitForExit();
        return probe.ExitCode == 7;
    }
}

/// <summary>The same sharing over OpenPBS: qstat answers for every waiting process of the user.</summary>
[Collection("pbs-server")]
public sealed class SharedStatusPbsTests : IDisposable
{
    private static readonly TimeSpan Floor = TimeSpan.FromSeconds(1);
    private readonly string _place = $"test-{Guid.NewGuid():N}";
    private readonly List<string> _submitted = [];

    public void Dispose()
    {
        if (_submitted.Count > 0 && PbsServer.IsUp)
            PbsServer.Runner.RunAsync("qdel", ["-x", .. _submitted]).GetAwaiter().GetResult();
        File.Delete(Shared(Process()).SnapshotPath);
    }

    private PbsScheduler Process()
    {
        var runner = new PlacedRunner(PbsServer.Runner, _place);
        var version = runner.RunAsync("qstat", ["--version"]).GetAwaiter().GetResult();
        return new PbsScheduler(PbsIdentity.FromVersionOutput(version, isSlurmWrapper: false), runner);
    }

    private static ISharedStatus Shared(IScheduler s) =>
        ISharedStatus.For(s) ?? throw new InvalidOperationException("status not shared");

    private async Task<JobInfo> Submit(PbsScheduler s, params string[] argv)
    {
        var job = await s.SubmitAsync(new JobRequest { Command = argv, WorkingDirectory = "/tmp" });
        _submitted.Add(job.JobId);
        return job;
    }

    [PbsFact]
    public async Task A_second_process_reads_the_snapshot_and_its_own_new_job_from_its_submission()
    {
        var first = Process();
        var job = await Submit(first, "sleep", "60");
        await Shared(first).GetStatusAsync([job.JobId], TimeSpan.Zero, Floor, default);

        var second = Process();
        var mine = await Submit(second, "sleep", "60");
        var calls = second.SchedulerCalls;
        var report = await Shared(second)
            .GetStatusAsync([job.JobId, mine.JobId], TimeSpan.FromMinutes(5), Floor, default);
        Assert.Equal(calls, second.SchedulerCalls);
        Assert.Equal([job.JobId, mine.JobId], report.Jobs.Select(j => j.JobId).Order().ToArray());
        Assert.Empty(report.NotFound);
    }

    [PbsFact]
    public async Task Many_waiters_of_one_user_poll_as_often_as_one()
    {
        var shared = await PollsOf(4, sharing: true);
        var alone = await PollsOf(4, sharing: false);
        Assert.True(
            shared <= (alone * 3 / 2) + 2,
            $"{shared} qstat calls for 4 waiting processes sharing, {alone} for one process waiting for 4 jobs"
        );
    }

    private Task<int> PollsOf(int jobs, bool sharing) =>
        SharedPolls.Of(jobs, sharing, Process, s => s.SchedulerCalls, s => Submit(s, "sleep", "2"));
}

/// <summary>What K waiting processes cost against one process waiting for K jobs, on any back end.</summary>
internal static class SharedPolls
{
    /// <summary>
    /// Status calls made while <paramref name="jobs"/> short jobs are waited for: by as many processes, sharing, or by
    /// one process alone.
    /// </summary>
    public static async Task<int> Of<T>(
        int jobs,
        bool sharing,
        Func<T> process,
        Func<T, int> calls,
        Func<T, Task<JobInfo>> submit
    )
        where T : IScheduler
    {
        var processes = Enumerable.Range(0, sharing ? jobs : 1).Select(_ => process()).ToList();
        var submitted = new List<JobInfo>();
        for (var i = 0; i < jobs; i++)
            submitted.Add(await submit(processes[i % processes.Count]));
        var before = processes.Sum(calls);
        var options = new WaitOptions { Timeout = TimeSpan.FromMinutes(2), ShareStatus = sharing };
        var results = sharing
            ? await Task.WhenAll(processes.Select((p, i) => JobWaiter.WaitAsync(p, [submitted[i].JobId], options)))
            : [await JobWaiter.WaitAsync(processes[0], submitted.Select(j => j.JobId).ToList(), options)];
        Assert.Equal(jobs, results.Sum(r => r.Finished.Count));
        return processes.Sum(calls) - before;
    }
}
