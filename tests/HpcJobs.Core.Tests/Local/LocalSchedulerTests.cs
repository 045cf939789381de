using HpcJobs.Core.Local;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Platform;
using HpcJobs.Core.Tests.Support;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Local;

/// <summary>Runs real jobs as real detached processes in a private state directory per test.</summary>
public sealed class LocalSchedulerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hpcjobs-local-test-").FullName;
    private readonly string _work;
    private readonly LocalScheduler _scheduler;

    public LocalSchedulerTests()
    {
        _work = Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;
        _scheduler = new LocalScheduler(Path.Combine(_root, "state"));
    }

    public void Dispose()
    {
        // leave no job running behind a failed test
        var ids = Directory.Exists(Path.Combine(_root, "state", "active"))
            ? Directory.GetFiles(Path.Combine(_root, "state", "active")).Select(Path.GetFileName).ToList()
            : [];
        if (ids.Count > 0)
            JobOperations.StopAsync(_scheduler, ids!).GetAwaiter().GetResult();
    }

    private JobRequest Cmd(params string[] argv) => new() { Command = argv, WorkingDirectory = _work };

    private async Task<JobInfo> RunToEnd(JobRequest request, int timeoutSeconds = 60)
    {
        var job = await _scheduler.SubmitAsync(request);
        var result = await JobWaiter.WaitAsync(
            _scheduler,
            [job.JobId],
            new WaitOptions { Timeout = TimeSpan.FromSeconds(timeoutSeconds) }
        );
        Assert.False(result.TimedOut, $"job {job.JobId} did not finish");
        return Assert.Single(result.Finished);
    }

    [Fact]
    public async Task I_can_run_a_command_and_read_its_output_file()
    {
        var job = await RunToEnd(Cmd("sh", "-c", "echo hello; echo oops >&2"));
        Assert.Equal(JobState.Completed, job.State);
        Assert.Equal(0, job.ExitCode);
        Assert.Equal("COMPLETED", job.NativeState);
        Assert.Equal(Path.Combine(_work, $"hpcjobs-{job.JobId}.out"), job.StdOutPath);
        Assert.Equal("hello\noops\n", File.ReadAllText(job.StdOutPath!));
        Assert.NotNull(job.StartTime);
        Assert.True(job.EndTime >= job.StartTime);
    }

    [Fact]
    public async Task A_non_zero_exit_is_failed_with_its_exit_code()
    {
        var job = await RunToEnd(Cmd("sh", "-c", "exit 3"));
        Assert.Equal(JobState.Failed, job.State);
        Assert.Equal(3, job.ExitCode);
        Assert.Null(job.Signal);
    }

    [Fact]
    public async Task A_job_killed_by_a_signal_records_the_signal_not_just_137()
    {
        var killed = await RunToEnd(Cmd("sh", "-c", "kill -9 $$"));
        Assert.Equal(JobState.Failed, killed.State);
        Assert.Equal(9, killed.Signal);
        Assert.Equal(137, killed.ExitCode);
        var exited = await RunToEnd(Cmd("sh", "-c", "exit 137"));
        Assert.Null(exited.Signal);
        Assert.Equal(137, exited.ExitCode);
    }

    [Fact]
    public async Task Arguments_arrive_verbatim_and_run_nothing_extra()
    {
        string[] args = ["a b", "$(touch pwned)", "q'uo\"te", "semi;colon", "new\nline", "ünïcødé ☃", "*"];
        var job = await RunToEnd(Cmd(["printf", "[%s]\n", .. args]) with { Name = "name with spaces; $(x)" });
        Assert.Equal(string.Concat(args.Select(a => $"[{a}]\n")), File.ReadAllText(job.StdOutPath!));
        Assert.False(File.Exists(Path.Combine(_work, "pwned")));
        Assert.Equal("name with spaces; $(x)", job.Name);
    }

    [Fact]
    public async Task Environment_working_directory_and_output_paths_are_honoured()
    {
        var sub = Directory.CreateDirectory(Path.Combine(_work, "sub")).FullName;
        var job = await RunToEnd(
            Cmd("sh", "-c", "echo $GREETING; pwd; echo err >&2") with
            {
                WorkingDirectory = sub,
                Environment = new Dictionary<string, string> { ["GREETING"] = "hi there" },
                OutputPath = "out-%j.txt",
                ErrorPath = Path.Combine(_work, "err-%x.txt"),
                Name = "envtest",
            }
        );
        Assert.Equal(Path.Combine(sub, $"out-{job.JobId}.txt"), job.StdOutPath);
        Assert.Equal($"hi there\n{sub}\n", File.ReadAllText(job.StdOutPath!));
        Assert.Equal("err\n", File.ReadAllText(Path.Combine(_work, "err-envtest.txt")));
    }

    [Fact]
    public async Task An_array_runs_each_index_with_its_task_id_and_honours_the_throttle()
    {
        var submitted = await _scheduler.SubmitAsync(
            Cmd("sh", "-c", "echo $HPCJOBS_ARRAY_TASK_ID $SLURM_ARRAY_TASK_ID; sleep 0.3") with
            {
                Array = ArrayRange.Parse("1,3,5-6%1"),
            }
        );
        Assert.Equal("1,3,5-6%1", submitted.ArrayTasks);
        var result = await JobWaiter.WaitAsync(
            _scheduler,
            [submitted.JobId],
            new WaitOptions { Timeout = TimeSpan.FromSeconds(60) }
        );
        Assert.Equal(new[] { 1, 3, 5, 6 }, result.Finished.Select(j => j.ArrayTaskId!.Value));
        Assert.All(
            result.Finished,
            t =>
            {
                Assert.Equal($"{submitted.JobId}_{t.ArrayTaskId}", t.JobId);
                Assert.Equal(submitted.JobId, t.ArrayJobId);
                Assert.Equal(JobState.Completed, t.State);
                Assert.Equal($"{t.ArrayTaskId} {t.ArrayTaskId}\n", File.ReadAllText(t.StdOutPath!));
            }
        );
        // throttle 1: no two tasks overlapped
        var ordered = result.Finished.OrderBy(t => t.StartTime).ToList();
        for (var i = 1; i < ordered.Count; i++)
            Assert.True(ordered[i].StartTime >= ordered[i - 1].EndTime, "tasks overlapped despite %1");
        var single = await _scheduler.GetStatusAsync([$"{submitted.JobId}_5"]);
        Assert.Equal(5, Assert.Single(single.Jobs).ArrayTaskId);
    }

    [Fact]
    public async Task Dependencies_run_in_order_and_an_impossible_one_ends_cancelled_with_a_reason()
    {
        var parent = await _scheduler.SubmitAsync(Cmd("sh", "-c", "sleep 2; exit 1"));
        var ok = await _scheduler.SubmitAsync(
            Cmd("true") with
            {
                Dependencies = [new JobDependency(parent.JobId, DependencyKind.AfterOk)],
            }
        );
        var notOk = await _scheduler.SubmitAsync(
            Cmd("true") with
            {
                Dependencies = [new JobDependency(parent.JobId, DependencyKind.AfterNotOk)],
            }
        );
        var any = await _scheduler.SubmitAsync(
            Cmd("true") with
            {
                Dependencies = [new JobDependency(parent.JobId, DependencyKind.AfterAny)],
            }
        );
        var grandchild = await _scheduler.SubmitAsync(
            Cmd("true") with
            {
                Dependencies = [new JobDependency(ok.JobId, DependencyKind.AfterAny)],
            }
        );
        var early = await _scheduler.GetStatusAsync([ok.JobId]);
        Assert.Equal(JobState.Pending, early.Jobs[0].State);
        Assert.Equal("Dependency", early.Jobs[0].Reason);

        var result = await JobWaiter.WaitAsync(
            _scheduler,
            [parent.JobId, ok.JobId, notOk.JobId, any.JobId, grandchild.JobId],
            new WaitOptions { Timeout = TimeSpan.FromSeconds(60) }
        );
        var byId = result.Finished.ToDictionary(j => j.JobId);
        Assert.Equal(JobState.Failed, byId[parent.JobId].State);
        Assert.Equal(JobState.Cancelled, byId[ok.JobId].State);
        Assert.Equal("DependencyNeverSatisfied", byId[ok.JobId].Reason);
        Assert.Null(byId[ok.JobId].StartTime);
        Assert.Equal(JobState.Completed, byId[notOk.JobId].State);
        Assert.Equal(JobState.Completed, byId[any.JobId].State);
        Assert.Equal(JobState.Completed, byId[grandchild.JobId].State);
        Assert.True(byId[any.JobId].StartTime >= byId[parent.JobId].EndTime);
    }

    [Fact]
    public async Task A_dependency_on_an_unknown_job_is_refused_before_anything_is_submitted()
    {
        var e = await Assert.ThrowsAsync<InvalidJobRequestException>(() =>
            _scheduler.SubmitAsync(
                Cmd("true") with
                {
                    Dependencies = [new JobDependency("999999", DependencyKind.AfterOk)],
                }
            )
        );
        Assert.Equal("HpcDependencyNotFound", e.ErrorId);
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "state", "units")));
    }

    [Fact]
    public async Task Jobs_wait_for_free_cpus_and_never_oversubscribe()
    {
        var all = LocalScheduler.Slots;
        var big = await _scheduler.SubmitAsync(
            Cmd("sleep", "2") with
            {
                Resources = new ResourceSpec { CpusPerTask = all },
            }
        );
        var next = await _scheduler.SubmitAsync(Cmd("true") with { Resources = new ResourceSpec { CpusPerTask = 1 } });
        var status = await _scheduler.GetStatusAsync([big.JobId, next.JobId]);
        Assert.Equal(JobState.Running, status.Jobs[0].State);
        Assert.Equal(JobState.Pending, status.Jobs[1].State);
        Assert.Equal("Resources", status.Jobs[1].Reason);
        var result = await JobWaiter.WaitAsync(
            _scheduler,
            [big.JobId, next.JobId],
            new WaitOptions { Timeout = TimeSpan.FromSeconds(30) }
        );
        Assert.True(result.Finished[1].StartTime >= result.Finished[0].EndTime);
    }

    [Fact]
    public async Task Requests_the_machine_cannot_meet_are_refused()
    {
        Assert.Equal(
            "GpusPerNode",
            (
                await Assert.ThrowsAsync<InvalidResourceSpecException>(() =>
                    _scheduler.SubmitAsync(Cmd("true") with { Resources = new ResourceSpec { GpusPerNode = 1 } })
                )
            ).Field
        );
        Assert.Equal(
            "CPUs",
            (
                await Assert.ThrowsAsync<InvalidResourceSpecException>(() =>
                    _scheduler.SubmitAsync(
                        Cmd("true") with
                        {
                            Resources = new ResourceSpec { CpusPerTask = LocalScheduler.Slots + 1 },
                        }
                    )
                )
            ).Field
        );
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "state", "units")));
    }

    [Fact]
    public async Task The_walltime_is_enforced()
    {
        var job = await RunToEnd(
            Cmd("sleep", "60") with
            {
                Resources = new ResourceSpec { Walltime = TimeSpan.FromSeconds(1) },
            }
        );
        Assert.Equal(JobState.TimedOut, job.State);
        Assert.Equal("TIMEOUT", job.NativeState);
        Assert.Equal(15, job.Signal);
        Assert.InRange((job.EndTime - job.StartTime)!.Value.TotalSeconds, 0.9, 10);
    }

    [Fact]
    public async Task Stopping_a_running_job_kills_its_whole_process_tree()
    {
        var marker = $"{Random.Shared.Next(100000, 999999)}.5";
        var job = await _scheduler.SubmitAsync(Cmd("sh", "-c", $"sleep {marker} & sleep {marker}; wait"));
        await Poll.Until(() => SleepersWith(marker) == 2);
        var report = await JobOperations.StopAsync(_scheduler, [job.JobId]);
        var stopped = Assert.Single(report.Cancelled);
        Assert.Equal(JobState.Cancelled, stopped.State);
        Assert.Equal(15, stopped.Signal);
        await Poll.Until(() => SleepersWith(marker) == 0);
        // stopping again: already finished, not an error
        var again = await JobOperations.StopAsync(_scheduler, [job.JobId]);
        Assert.Single(again.AlreadyFinished);
        Assert.Empty(again.Cancelled);
    }

    [Fact]
    public async Task Stopping_a_pending_job_cancels_it_without_running_it()
    {
        var blocker = await _scheduler.SubmitAsync(
            Cmd("sleep", "30") with
            {
                Resources = new ResourceSpec { CpusPerTask = LocalScheduler.Slots },
            }
        );
        var waiting = await _scheduler.SubmitAsync(Cmd("touch", "ran"));
        var report = await JobOperations.StopAsync(_scheduler, [waiting.JobId, blocker.JobId, "424242"]);
        Assert.Equal(2, report.Cancelled.Count);
        Assert.All(report.Cancelled, j => Assert.Equal(JobState.Cancelled, j.State));
        Assert.Equal("424242", Assert.Single(report.NotFound).JobId);
        await Task.Delay(500);
        Assert.False(File.Exists(Path.Combine(_work, "ran")));
    }

    [Fact]
    public async Task A_script_runs_as_it_was_when_submitted_through_its_shebang()
    {
        var script = Path.Combine(_work, "job.sh");
        File.WriteAllText(script, "#!/bin/sh\necho \"version 1: $1\"\n");
        var submitted = await _scheduler.SubmitAsync(
            new JobRequest
            {
                ScriptPath = script,
                ScriptArguments = ["arg one"],
                WorkingDirectory = _work,
                Resources = new ResourceSpec { CpusPerTask = 1 },
                Dependencies = [],
            }
        );
        File.WriteAllText(script, "#!/bin/sh\necho version 2\n");
        var result = await JobWaiter.WaitAsync(
            _scheduler,
            [submitted.JobId],
            new WaitOptions { Timeout = TimeSpan.FromSeconds(30) }
        );
        Assert.Equal("version 1: arg one\n", File.ReadAllText(result.Finished[0].StdOutPath!));

        File.WriteAllText(script, "echo no interpreter\n");
        var e = await Assert.ThrowsAsync<InvalidJobRequestException>(() =>
            _scheduler.SubmitAsync(new JobRequest { ScriptPath = script })
        );
        Assert.Equal("HpcInvalidScript", e.ErrorId);
    }

    [Fact]
    public async Task Unknown_ids_are_reported_not_found()
    {
        var report = await _scheduler.GetStatusAsync(["777", "not-an-id"]);
        Assert.Empty(report.Jobs);
        Assert.Equal(new[] { "777", "not-an-id" }, report.NotFound.Select(n => n.JobId));
    }

    [Fact]
    public async Task A_job_whose_supervisor_died_is_reported_failed_not_running_for_ever()
    {
        var job = await _scheduler.SubmitAsync(Cmd("sleep", "30"));
        int shepherd = 0;
        await Poll.Until(() => (shepherd = ShepherdPid(job.JobId)) > 0);
        System.Diagnostics.Process.GetProcessById(shepherd).Kill();
        await Poll.Until(() => _scheduler.GetStatusAsync([job.JobId]).Result.Jobs[0].IsFinished);
        var status = (await _scheduler.GetStatusAsync([job.JobId])).Jobs[0];
        Assert.Equal(JobState.Failed, status.State);
        Assert.Equal("NODE_FAIL", status.NativeState);
        Native.kill(-RecordField(job.JobId, "ProcessGroup"), Native.SIGKILL); // nobody supervises the orphan now
    }

    private int ShepherdPid(string id) => RecordField(id, "DaemonPid");

    private int RecordField(string id, string field)
    {
        var text = File.ReadAllText(Path.Combine(_root, "state", "units", id + ".json"));
        var m = System.Text.RegularExpressions.Regex.Match(text, $"\"{field}\": (\\d+)");
        return m.Success ? int.Parse(m.Groups[1].Value) : 0;
    }

    private static int SleepersWith(string marker) =>
        Directory
            .GetDirectories("/proc")
            .Count(d =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ').Trim() == $"sleep {marker}";
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return false;
                }
            });
}
