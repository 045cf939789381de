using HpcJobs.Core.Model;
using HpcJobs.Core.Pbs;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Scheduling;
using HpcJobs.Core.Tests.Support;

namespace HpcJobs.Core.Tests.Pbs;

/// <summary>
/// The PBS Pro dialect end to end against tests/PbsProDouble, a test double of qsub/qstat/qdel that really runs the jobs
/// (through the Local back end) and prints PBS Pro's formats as the recorded samples show them.
/// </summary>
public sealed class PbsProDoubleTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hpcjobs-pbsdouble-").FullName;
    private readonly string _work;
    private readonly PbsScheduler _pbs;

    public PbsProDoubleTests()
    {
        _work = Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;
        var bin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        var dll = Path.Combine(AppContext.BaseDirectory, "PbsProDouble.dll");
        var dotnet = Environment.ProcessPath!;
        foreach (var cmd in new[] { "qsub", "qstat", "qdel" })
        {
            var path = Path.Combine(bin, cmd);
            File.WriteAllText(path, $"#!/bin/sh\nHPCJOBS_STATE_DIR='{_root}/state' exec '{dotnet}' '{dll}' {cmd} \"$@\"\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var runner = new CommandDirectoryRunner(CliWrapProcessRunner.Instance, bin, new HashSet<string> { "qsub", "qstat", "qdel" });
        var version = runner.RunAsync("qstat", ["--version"]).GetAwaiter().GetResult();
        var identity = PbsIdentity.FromVersionOutput(version, PbsIdentity.IsSlurmWrapperFile(Path.Combine(bin, "qstat")));
        Assert.Equal(PbsDialect.Pro, identity.Dialect);
        _pbs = new PbsScheduler(identity, runner);
    }

    public void Dispose()
    {
        var active = Path.Combine(_root, "state", "active");
        if (!Directory.Exists(active)) return;
        var ids = Directory.GetFiles(active).Select(Path.GetFileName).ToList();
        if (ids.Count > 0) JobOperations.StopAsync(new HpcJobs.Core.Local.LocalScheduler(Path.Combine(_root, "state")), ids!).GetAwaiter().GetResult();
    }

    private JobRequest Cmd(params string[] argv) => new() { Command = argv, WorkingDirectory = _work };

    private async Task<List<JobInfo>> WaitAll(params JobInfo[] jobs)
    {
        var r = await JobWaiter.WaitAsync(_pbs, jobs.Select(j => j.JobId).ToList(), new WaitOptions { Timeout = TimeSpan.FromSeconds(60) });
        Assert.False(r.TimedOut, string.Join(", ", r.Unfinished.Select(u => $"{u.JobId} {u.State}")));
        return r.Finished.ToList();
    }

    [Fact]
    public async Task Exit_codes_signals_and_walltime_kills_come_from_Exit_status()
    {
        var ok = await _pbs.SubmitAsync(Cmd("sh", "-c", "echo in $(pwd)") with { Name = "ok" });
        var three = await _pbs.SubmitAsync(Cmd("sh", "-c", "exit 3"));
        var killed = await _pbs.SubmitAsync(Cmd("sh", "-c", "kill -9 $$"));
        var slow = await _pbs.SubmitAsync(Cmd("sleep", "60") with { Resources = new ResourceSpec { Walltime = TimeSpan.FromSeconds(1) } });
        Assert.EndsWith(".pbsdouble", ok.JobId);
        var done = (await WaitAll(ok, three, killed, slow)).ToDictionary(j => j.JobId);
        Assert.Equal((JobState.Completed, 0, "F"), (done[ok.JobId].State, done[ok.JobId].ExitCode!.Value, done[ok.JobId].NativeState));
        Assert.Equal((JobState.Failed, 3), (done[three.JobId].State, done[three.JobId].ExitCode!.Value));
        Assert.Equal((JobState.Failed, 9), (done[killed.JobId].State, done[killed.JobId].Signal!.Value));
        Assert.Equal(JobState.TimedOut, done[slow.JobId].State);
        Assert.StartsWith("JOB_EXEC_KILL_WALLTIME", done[slow.JobId].Reason);
        Assert.Equal($"in {_work}\n", File.ReadAllText(done[ok.JobId].StdOutPath!));
        Assert.Equal(_work, done[ok.JobId].WorkingDirectory);
    }

    [Fact]
    public async Task Arrays_expand_to_subjobs_with_their_own_outcome()
    {
        var array = await _pbs.SubmitAsync(Cmd("sh", "-c", "sleep 0.5; [ \"$HPCJOBS_ARRAY_TASK_ID\" = 2 ] && exit 7; exit 0") with { Array = ArrayRange.Parse("0-3%2"), Name = "arr" });
        Assert.Matches(@"^\d+\[\]\.pbsdouble$", array.JobId);
        var tasks = await WaitAll(array);
        Assert.Equal(new[] { 0, 1, 2, 3 }, tasks.Select(t => t.ArrayTaskId!.Value));
        Assert.All(tasks, t => Assert.Equal(array.JobId, t.ArrayJobId));
        Assert.All(tasks, t => Assert.Equal("X", t.NativeState));
        Assert.Equal(new[] { JobState.Completed, JobState.Completed, JobState.Failed, JobState.Completed }, tasks.Select(t => t.State));
        Assert.Equal(7, tasks[2].ExitCode);
        var one = Assert.Single((await _pbs.GetStatusAsync([tasks[2].JobId])).Jobs);
        Assert.Equal(2, one.ArrayTaskId);
    }

    [Fact]
    public async Task Deleted_jobs_are_cancelled_and_qdel_of_a_finished_job_is_no_error()
    {
        var running = await _pbs.SubmitAsync(Cmd("sleep", "60"));
        var queued = await _pbs.SubmitAsync(Cmd("true") with { Dependencies = [new JobDependency(running.JobId, DependencyKind.AfterOk)] });
        var finished = (await WaitAll(await _pbs.SubmitAsync(Cmd("true")))).Single();
        var report = await JobOperations.StopAsync(_pbs, [running.JobId, queued.JobId, finished.JobId, "424242.pbsdouble"]);
        Assert.Equal(2, report.Cancelled.Count);
        Assert.Equal(finished.JobId, Assert.Single(report.AlreadyFinished).JobId);
        Assert.Equal("424242.pbsdouble", Assert.Single(report.NotFound).JobId);
        var done = (await WaitAll(running, queued)).ToDictionary(j => j.JobId);
        Assert.Equal((JobState.Cancelled, 15), (done[running.JobId].State, done[running.JobId].Signal!.Value));
        Assert.Equal(JobState.Cancelled, done[queued.JobId].State);
        // qdel on the finished job directly: "qdel: Job has finished" is not an error
        await _pbs.CancelAsync([finished]);
    }

    [Fact]
    public async Task Dependencies_follow_success_and_failure()
    {
        var fails = await _pbs.SubmitAsync(Cmd("sh", "-c", "sleep 1; exit 1"));
        var afterOk = await _pbs.SubmitAsync(Cmd("true") with { Dependencies = [new JobDependency(fails.JobId, DependencyKind.AfterOk)] });
        var afterNotOk = await _pbs.SubmitAsync(Cmd("true") with { Dependencies = [new JobDependency(fails.JobId, DependencyKind.AfterNotOk)] });
        var done = (await WaitAll(fails, afterOk, afterNotOk)).ToDictionary(j => j.JobId);
        Assert.Equal(JobState.Cancelled, done[afterOk.JobId].State);
        Assert.Equal(JobState.Completed, done[afterNotOk.JobId].State);
        var e = await Assert.ThrowsAsync<InvalidJobRequestException>(() => _pbs.SubmitAsync(Cmd("true") with { Dependencies = [new JobDependency("999999.pbsdouble", DependencyKind.AfterOk)] }));
        Assert.Equal("HpcDependencyNotFound", e.ErrorId);
    }

    [Fact]
    public async Task Qsub_rejections_reach_the_user()
    {
        var e = await Assert.ThrowsAsync<SubmitFailedException>(() => _pbs.SubmitAsync(Cmd("true") with { Resources = new ResourceSpec { Partition = "nosuchqueue" } }));
        Assert.Contains("qsub: Unknown queue", e.Message);
    }

    [Fact]
    public async Task Status_of_many_jobs_is_one_qstat()
    {
        var jobs = new List<JobInfo>();
        for (var i = 0; i < 8; i++) jobs.Add(await _pbs.SubmitAsync(Cmd("true")));
        await WaitAll([.. jobs]);
        var before = _pbs.SchedulerCalls;
        var report = await _pbs.GetStatusAsync(jobs.Select(j => j.JobId).ToList());
        Assert.Equal(8, report.Jobs.Count);
        Assert.Equal(1, _pbs.SchedulerCalls - before);
    }
}
