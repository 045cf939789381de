using HpcJobs.Core.Contract;
using HpcJobs.Core.Local;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Slurm;
using HpcJobs.Core.Tests.Support;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Contract;

/// <summary>
/// One back end as the contract suite sees it: how to make it, where its jobs may write, and the differences from the
/// contract that are real (declared here, once, never skipped silently). A new back end adds one of these to
/// <see cref="SchedulerContractTests.All"/> and gets the whole suite.
/// </summary>
public sealed record BackEndUnderTest(string Name, Func<string, IScheduler> Create, bool Available)
{
    /// <summary>An output path naming each job's own file: PBS expands no %-pattern (qsub -o is literal), so it has none.</summary>
    public string OwnOutputFile { get; init; } = "contract-%j.out";

    /// <summary>
    /// How many unknown ids one status call is asked about. OpenPBS's qstat opens a server connection per unknown id,
    /// through pbs_iff's ~420 reserved ports for an ordinary user: here 400 unknown ids hung qstat for over 60 s with
    /// 1,061 sockets in TIME_WAIT (100 take 0.7 s). The ports stay taken for a minute (TIME_WAIT), and every other PBS
    /// test of the run needs some too: asking about 100 once starved a later test's qstat for minutes. A real limit of
    /// PBS, declared, not skipped.
    /// </summary>
    public int ManyIds { get; init; } = 1000;

    public override string ToString() => Name;
}

/// <summary>Contract tests run alone: they use the real cluster and server, which other collections reconfigure.</summary>
[CollectionDefinition("scheduler-contract", DisableParallelization = true)]
public sealed class SchedulerContractCollection;

/// <summary>
/// The back-end contract of <see cref="IScheduler"/>, written once and run on every back end on the real thing: the
/// Local scheduler, the SLURM test cluster, the OpenPBS test server (issue 15) and the Grid Engine test cell (issue 29).
/// What a back end cannot honour it declares itself (<see cref="SchedulerDescription.DependencyKinds"/>): the suite
/// checks that it refuses those. Outside CI a back end whose cluster is
/// not running is left out of the theory data; in CI (CI=true) every one runs and a missing cluster fails.
/// </summary>
[Collection("scheduler-contract")]
public sealed class SchedulerContractTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("hpcjobs-contract-").FullName;
    private readonly List<(IScheduler Scheduler, string Id)> _submitted = [];

    public SchedulerContractTests() => File.SetUnixFileMode(_work, (UnixFileMode)0x1FF); // PBS runs jobs as pbsuser

    private static readonly BackEndUnderTest[] Known =
    [
        // its state folder must not be under the shared, world-writable work folder: the store would refuse it
        new(
            "Local",
            _ => new LocalScheduler(Directory.CreateTempSubdirectory("hpcjobs-contract-state-").FullName),
            true
        ),
        new("Slurm", _ => new SlurmScheduler(), SlurmCluster.IsUp),
        // as an ordinary user: PBS reports a root job killed by a signal as Exit_status 0 (acl_roots test set-up only)
        new("Pbs", _ => PbsServer.Scheduler(asUser: PbsServer.TestUser), PbsServer.IsUp)
        {
            OwnOutputFile = $"contract-{Guid.NewGuid():N}.out",
            ManyIds = 20,
        },
        // qacct answers one job per call, and reads the whole accounting file each time: an id neither qstat nor this
        // session knows costs one qacct (a finished job's answer is kept, so each is asked once)
        new("GridEngine", _ => GridEngineCell.Scheduler(), GridEngineCell.IsUp) { ManyIds = 50 },
    ];

    public static TheoryData<string> All()
    {
        var ci = Environment.GetEnvironmentVariable("CI") == "true";
        var data = new TheoryData<string>();
        foreach (var b in Known.Where(b => b.Available || ci))
            data.Add(b.Name);
        return data;
    }

    public void Dispose()
    {
        foreach (var group in _submitted.GroupBy(s => s.Scheduler))
        {
            try
            {
                JobOperations.StopAsync(group.Key, group.Select(g => g.Id).ToList()).GetAwaiter().GetResult();
            }
            catch (HpcJobsException) { }
        }
    }

    private IScheduler Make(string name) => Known.Single(b => b.Name == name).Create(_work);

    private JobRequest Cmd(params string[] argv) => new() { Command = argv, WorkingDirectory = _work };

    private async Task<JobInfo> Submit(IScheduler scheduler, JobRequest request)
    {
        var job = await scheduler.SubmitAsync(request);
        _submitted.Add((scheduler, job.JobId));
        return job;
    }

    private static async Task<List<JobInfo>> WaitAll(IScheduler scheduler, params JobInfo[] jobs)
    {
        var r = await JobWaiter.WaitAsync(
            scheduler,
            jobs.Select(j => j.JobId).ToList(),
            new WaitOptions { Timeout = TimeSpan.FromSeconds(180) }
        );
        Assert.False(r.TimedOut, string.Join(", ", r.Unfinished.Select(u => $"{u.JobId} {u.State} {u.Reason}")));
        return r.Finished.ToList();
    }

    private static JobInfo Of(IEnumerable<JobInfo> jobs, JobInfo job) => jobs.Single(j => j.JobId == job.JobId);

    [Theory]
    [MemberData(nameof(All))]
    public async Task A_submitted_job_is_pending_then_ends_with_its_exit_code_or_signal(string backEnd)
    {
        var s = Make(backEnd);
        var ok = await Submit(s, Cmd("sh", "-c", "echo contract-ok") with { Name = "contract-ok" });
        var three = await Submit(s, Cmd("sh", "-c", "exit 3"));
        var killed = await Submit(s, Cmd("sh", "-c", "kill -9 $$"));
        Assert.Equal((s.Kind.ToString(), "contract-ok"), (ok.Scheduler, ok.Name));
        Assert.False(ok.IsFinished && ok.State != JobState.Completed);
        var done = await WaitAll(s, ok, three, killed);
        Assert.Equal((JobState.Completed, 0), (Of(done, ok).State, Of(done, ok).ExitCode));
        Assert.Equal(
            (JobState.Failed, 3, null),
            (Of(done, three).State, Of(done, three).ExitCode, Of(done, three).Signal)
        );
        Assert.Equal((JobState.Failed, 9), (Of(done, killed).State, Of(done, killed).Signal));
        var again = await s.GetStatusAsync([ok.JobId]);
        Assert.Equal(JobState.Completed, Assert.Single(again.Jobs).State);
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task Output_goes_where_the_job_says_it_does(string backEnd)
    {
        var s = Make(backEnd);
        var job = await Submit(
            s,
            Cmd("sh", "-c", "echo to-the-file") with
            {
                OutputPath = Known.Single(b => b.Name == backEnd).OwnOutputFile,
            }
        );
        var done = Assert.Single(await WaitAll(s, job));
        Assert.NotNull(done.StdOutPath);
        Assert.Equal(_work, Path.GetDirectoryName(done.StdOutPath));
        await Poll.Until(() => File.Exists(done.StdOutPath!), 30); // PBS copies output back after the job
        Assert.Equal("to-the-file", File.ReadAllText(done.StdOutPath!).Trim());
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task An_array_expands_to_its_tasks_and_its_throttle_holds(string backEnd)
    {
        var s = Make(backEnd);
        var array = await Submit(s, Cmd("sleep", "1") with { Array = ArrayRange.Parse("1-3%1") });
        await WaitAll(s, array);
        var tasks = (await s.GetStatusAsync([array.JobId])).Jobs.OrderBy(t => t.ArrayTaskId).ToList();
        Assert.Equal([1, 2, 3], tasks.Select(t => t.ArrayTaskId!.Value));
        Assert.All(tasks, t => Assert.Equal((JobState.Completed, array.JobId), (t.State, t.ArrayJobId)));
        // one at a time: each task started after the one before it ended (times are whole seconds on clusters)
        for (var i = 1; i < tasks.Count; i++)
            Assert.True(
                tasks[i].StartTime >= tasks[i - 1].EndTime,
                $"task {tasks[i].JobId} started before {tasks[i - 1].JobId} ended"
            );
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task Dependencies_run_after_what_they_wait_for_and_never_after_what_cannot_satisfy_them(string backEnd)
    {
        var s = Make(backEnd);
        // the targets still run when the dependents arrive: OpenPBS 23.06 here left an afterany dependent held for good
        // when it was submitted while its target was exiting (state E), a race of the server's, not of the contract
        var good = await Submit(s, Cmd("sh", "-c", "sleep 3"));
        var bad = await Submit(s, Cmd("sh", "-c", "sleep 3; exit 1"));
        JobRequest After(DependencyKind kind, JobInfo target) =>
            Cmd("true") with
            {
                Dependencies = [new JobDependency(target.JobId, kind, s.Kind)],
            };
        var kinds = s.Describe().DependencyKinds;
        foreach (var refused in Enum.GetValues<DependencyKind>().Where(k => !kinds.Contains(k)))
        {
            var e = await Assert.ThrowsAsync<InvalidJobRequestException>(() => s.SubmitAsync(After(refused, good)));
            Assert.Equal("HpcInvalidDependency", e.ErrorId);
        }
        var afterAny = await Submit(s, After(DependencyKind.AfterAny, bad));
        if (!kinds.Contains(DependencyKind.AfterOk))
        {
            var ran = await WaitAll(s, good, bad, afterAny);
            Assert.Equal(JobState.Completed, Of(ran, afterAny).State); // after a failure too: after-any
            Assert.True(Of(ran, afterAny).StartTime >= Of(ran, bad).EndTime);
            return;
        }
        var afterOk = await Submit(s, After(DependencyKind.AfterOk, good));
        var afterNotOk = await Submit(s, After(DependencyKind.AfterNotOk, bad));
        var never = await Submit(s, After(DependencyKind.AfterOk, bad));
        var done = await WaitAll(s, good, bad, afterOk, afterAny, afterNotOk, never);
        Assert.Equal(
            (JobState.Completed, JobState.Completed, JobState.Completed),
            (Of(done, afterOk).State, Of(done, afterAny).State, Of(done, afterNotOk).State)
        );
        Assert.Equal(JobState.Cancelled, Of(done, never).State);
        Assert.Null(Of(done, never).StartTime);
        Assert.True(Of(done, afterOk).StartTime >= Of(done, good).EndTime);
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task A_dependency_on_a_job_nobody_knows_is_refused_before_submitting(string backEnd)
    {
        var s = Make(backEnd);
        const string unknown = "99999999";
        var e = await Assert.ThrowsAsync<InvalidJobRequestException>(() =>
            s.SubmitAsync(
                Cmd("true") with
                {
                    Dependencies = [new JobDependency(unknown, s.Describe().DependencyKinds[0])],
                }
            )
        );
        Assert.Equal("HpcDependencyNotFound", e.ErrorId);
        Assert.Contains(unknown, e.Message);
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task A_dependency_on_a_text_that_is_no_job_id_is_invalid_on_every_back_end(string backEnd)
    {
        var s = Make(backEnd);
        var e = await Assert.ThrowsAsync<InvalidJobRequestException>(() =>
            s.SubmitAsync(Cmd("true") with { Dependencies = [new JobDependency("abc", DependencyKind.AfterOk)] })
        );
        Assert.Equal("HpcInvalidDependency", e.ErrorId);
        Assert.Contains("'abc' is not a", e.Message);
        var report = await s.GetStatusAsync(["abc", "--version"]);
        Assert.Equal(["abc", "--version"], report.NotFound.Select(n => n.JobId));
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task Cancel_ends_pending_and_running_jobs_skips_finished_ones_and_reports_unknown_ids(string backEnd)
    {
        var s = Make(backEnd);
        var finished = await Submit(s, Cmd("true"));
        await WaitAll(s, finished);
        var running = await Submit(s, Cmd("sleep", "120"));
        var pending = await Submit(
            s,
            Cmd("true") with
            {
                Dependencies = [new JobDependency(running.JobId, s.Describe().DependencyKinds[0], s.Kind)],
            }
        );
        await Poll.Until(
            async () => (await s.GetStatusAsync([running.JobId])).Jobs.Single().State == JobState.Running,
            120
        );
        const string unknown = "99999998";
        var report = await JobOperations.StopAsync(s, [finished.JobId, running.JobId, pending.JobId, unknown]);
        Assert.Equal(finished.JobId, Assert.Single(report.AlreadyFinished).JobId);
        Assert.Equal(unknown, Assert.Single(report.NotFound).JobId);
        Assert.Empty(report.Refused);
        Assert.Equal(new[] { pending.JobId, running.JobId }.Order(), report.Cancelled.Select(j => j.JobId).Order());
        var after = await WaitAll(s, running, pending);
        Assert.All(after, j => Assert.Equal(JobState.Cancelled, j.State));
        Assert.Null(Of(after, pending).StartTime);
    }

    [Theory]
    [MemberData(nameof(All))]
    public async Task Unknown_ids_come_back_as_not_found_and_known_ones_answer_in_one_report(string backEnd)
    {
        var s = Make(backEnd);
        var job = await Submit(s, Cmd("true"));
        var unknown = Enumerable
            .Range(9_000_000, Known.Single(b => b.Name == backEnd).ManyIds)
            .Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        var report = await s.GetStatusAsync([.. unknown, job.JobId]);
        Assert.Equal(job.JobId, Assert.Single(report.Jobs).JobId);
        Assert.Equal(unknown.Order(), report.NotFound.Select(n => n.JobId).Order());
        Assert.All(report.NotFound, n => Assert.Equal(HpcErrors.JobNotFound, n.ErrorKind));
    }
}
