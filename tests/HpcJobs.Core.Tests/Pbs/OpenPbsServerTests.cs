using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Pbs;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Tests.Support;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Pbs;

/// <summary>
/// The PBS Pro dialect end to end against a real OpenPBS 23.06.06 server on this machine (tests/cluster/start-openpbs.sh,
/// built from the source in shared/reference/pbs by CI's set-up). Tests that change server settings put them back.
/// </summary>
[Collection("pbs-server")]
public sealed partial class OpenPbsServerTests
{
    private readonly string _work = Directory.CreateTempSubdirectory("hpcjobs-openpbs-test-").FullName;
    private readonly PbsScheduler _pbs = PbsServer.IsUp ? PbsServer.Scheduler() : null!;

    private JobRequest Cmd(params string[] argv) => new() { Command = argv, WorkingDirectory = _work };

    private async Task<List<JobInfo>> WaitAll(params JobInfo[] jobs) => await WaitAll(_pbs, jobs);

    private static async Task<List<JobInfo>> WaitAll(PbsScheduler pbs, params JobInfo[] jobs)
    {
        var r = await JobWaiter.WaitAsync(
            pbs,
            jobs.Select(j => j.JobId).ToList(),
            new WaitOptions { Timeout = TimeSpan.FromSeconds(120) }
        );
        Assert.False(r.TimedOut, string.Join(", ", r.Unfinished.Select(u => $"{u.JobId} {u.State}")));
        return r.Finished.ToList();
    }

    [PbsFact]
    public async Task Exit_codes_signals_and_walltime_kills_come_from_Exit_status()
    {
        var pbs = PbsServer.Scheduler(asUser: PbsServer.TestUser); // a user's jobs: PBS's own kills read 256 + signal
        File.SetUnixFileMode(_work, (UnixFileMode)0x1FF);
        var ok = await pbs.SubmitAsync(Cmd("sh", "-c", "echo in $(pwd)") with { Name = "ok" });
        var three = await pbs.SubmitAsync(Cmd("sh", "-c", "exit 3"));
        var killedInside = await pbs.SubmitAsync(Cmd("sh", "-c", "kill -9 $$"));
        var killedByPbs = await pbs.SubmitAsync(Cmd("sleep", "60"));
        var slow = await pbs.SubmitAsync(
            Cmd("sleep", "60") with
            {
                Resources = new ResourceSpec { Walltime = TimeSpan.FromSeconds(2) },
            }
        );
        Assert.Matches(@"^\d+\.\w+$", ok.JobId);
        // the mom has started the job's session (state R comes a little earlier): only then is there a process to kill
        await Poll.Until(
            async () => (await PbsServer.Attributes(killedByPbs.JobId)).ContainsKey("session_id"),
            60,
            500
        );
        await Task.Delay(1000);
        Assert.True((await PbsServer.Run("qsig", "-s", "KILL", killedByPbs.JobId)).Succeeded);
        var done = (await WaitAll(pbs, ok, three, killedInside, killedByPbs, slow)).ToDictionary(j => j.JobId);
        Assert.Equal(
            (JobState.Completed, 0, "F"),
            (done[ok.JobId].State, done[ok.JobId].ExitCode!.Value, done[ok.JobId].NativeState)
        );
        Assert.Equal((JobState.Failed, 3), (done[three.JobId].State, done[three.JobId].ExitCode!.Value));
        Assert.Equal(
            (JobState.Failed, 137, 9),
            (
                done[killedInside.JobId].State,
                done[killedInside.JobId].ExitCode!.Value,
                done[killedInside.JobId].Signal!.Value
            )
        );
        Assert.Equal((JobState.Failed, 9), (done[killedByPbs.JobId].State, done[killedByPbs.JobId].Signal!.Value)); // Exit_status 265
        Assert.Equal(JobState.TimedOut, done[slow.JobId].State); // Exit_status -29
        Assert.StartsWith("JOB_EXEC_KILL_WALLTIME", done[slow.JobId].Reason);
        Assert.Equal($"in {_work}\n", File.ReadAllText(done[ok.JobId].StdOutPath!));
        Assert.Equal(_work, done[ok.JobId].WorkingDirectory);
    }

    [PbsFact]
    public async Task Every_resource_lands_in_Resource_List()
    {
        var spec = new ResourceSpec
        {
            CpusPerTask = 2,
            Memory = ByteSize.Parse("100MB"),
            Walltime = TimeSpan.FromMinutes(5),
            Partition = "workq",
            Account = "proj42",
        };
        var job = await _pbs.SubmitAsync(Cmd("true") with { Resources = spec, Name = "resources" });
        var a = await PbsServer.Attributes(job.JobId);
        Assert.Equal("2", a["Resource_List.ncpus"]);
        Assert.Equal("100mb", a["Resource_List.mem"]);
        Assert.Equal("00:05:00", a["Resource_List.walltime"]);
        Assert.Equal("1:ncpus=2:mem=100mb", a["Resource_List.select"]);
        Assert.Equal("workq", a["queue"]);
        Assert.Equal("proj42", a["Account_Name"]);
        Assert.Equal("resources", a["Job_Name"]);
        await WaitAll(job);
    }

    [PbsFact]
    public async Task An_impossible_request_is_reported_and_never_waited_for()
    {
        // accepted by default, then "Can Never Run" in the comment: Wait stops waiting for it
        var stuck = await NeverWaitedFor(new ResourceSpec { CpusPerTask = 999 });
        Assert.Equal(JobState.Pending, stuck.State);
        Assert.StartsWith("CanNeverRun: Insufficient amount of resource: ncpus", stuck.Reason);

        // with a queue limit, qsub refuses it outright (exit 188)
        await PbsServer.Qmgr("set queue workq resources_max.ncpus = 2");
        try
        {
            var e = await Assert.ThrowsAsync<SubmitFailedException>(() =>
                _pbs.SubmitAsync(Cmd("true") with { Resources = new ResourceSpec { CpusPerTask = 999 } })
            );
            Assert.Equal(188, e.ExitCode);
            Assert.Contains("Job violates queue and/or server resource limits", e.Message);
        }
        finally
        {
            await PbsServer.Qmgr("unset queue workq resources_max.ncpus");
        }
    }

    [PbsFact]
    public async Task Arrays_throttle_report_each_subjob_and_cancel_one_subjob()
    {
        var array = await _pbs.SubmitAsync(
            Cmd("sh", "-c", "sleep 2; [ \"$PBS_ARRAY_INDEX\" = 2 ] && exit 7; exit 0") with
            {
                Array = ArrayRange.Parse("1-4%2"),
                Name = "arr",
            }
        );
        Assert.Matches(@"^\d+\[\]\.\w+$", array.JobId);
        var mostRunning = 0;
        var poll = Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                var now = await _pbs.GetStatusAsync([array.JobId]);
                // R only: a subjob still exiting (E, also Running to us) no longer counts against the throttle, and with
                // the vnodes' spare CPUs a third one starts while it exits
                mostRunning = Math.Max(mostRunning, now.Jobs.Count(j => j.NativeState == "R"));
                if (now.Jobs.Count == 4 && now.Jobs.All(j => j.IsFinished))
                    return;
                await Task.Delay(1000);
            }
        });
        var tasks = await WaitAll(array);
        await poll;
        Assert.InRange(mostRunning, 1, 2);
        Assert.Equal(new[] { 1, 2, 3, 4 }, tasks.Select(t => t.ArrayTaskId!.Value));
        Assert.All(tasks, t => Assert.Equal(array.JobId, t.ArrayJobId));
        Assert.Equal(
            new[] { JobState.Completed, JobState.Failed, JobState.Completed, JobState.Completed },
            tasks.Select(t => t.State)
        );
        Assert.Equal(7, tasks[1].ExitCode);
        var one = Assert.Single((await _pbs.GetStatusAsync([tasks[1].JobId])).Jobs);
        Assert.Equal(2, one.ArrayTaskId);

        var second = await _pbs.SubmitAsync(Cmd("sleep", "30") with { Array = ArrayRange.Parse("1-3") });
        var third = second.JobId.Replace("[]", "[3]", StringComparison.Ordinal);
        var stop = await JobOperations.StopAsync(_pbs, [third]);
        Assert.Equal(third, Assert.Single(stop.Cancelled).JobId);
        var after = (await _pbs.GetStatusAsync([second.JobId])).Jobs.ToDictionary(j => j.ArrayTaskId!.Value);
        Assert.Equal(JobState.Cancelled, (await WaitAll(stop.Cancelled[0])).Single().State);
        Assert.False(after[1].IsFinished);
        await JobOperations.StopAsync(_pbs, [second.JobId]);
    }

    [PbsFact]
    public async Task Dependencies_follow_success_and_failure()
    {
        var fails = await _pbs.SubmitAsync(Cmd("sh", "-c", "sleep 1; exit 1"));
        var afterOk = await _pbs.SubmitAsync(
            Cmd("true") with
            {
                Dependencies = [new JobDependency(fails.JobId, DependencyKind.AfterOk)],
            }
        );
        var afterNotOk = await _pbs.SubmitAsync(
            Cmd("true") with
            {
                Dependencies = [new JobDependency(fails.JobId, DependencyKind.AfterNotOk)],
            }
        );
        var afterAny = await _pbs.SubmitAsync(
            Cmd("true") with
            {
                Dependencies = [new JobDependency(fails.JobId, DependencyKind.AfterAny)],
            }
        );
        var done = (await WaitAll(fails, afterOk, afterNotOk, afterAny)).ToDictionary(j => j.JobId);
        // the afterok child is deleted by the server without running: no Exit_status, no comment
        Assert.Equal((JobState.Cancelled, (int?)null), (done[afterOk.JobId].State, done[afterOk.JobId].ExitCode));
        Assert.Equal(JobState.Completed, done[afterNotOk.JobId].State);
        Assert.Equal(JobState.Completed, done[afterAny.JobId].State);
        var e = await Assert.ThrowsAsync<InvalidJobRequestException>(() =>
            _pbs.SubmitAsync(
                Cmd("true") with
                {
                    Dependencies = [new JobDependency("999999.vm", DependencyKind.AfterOk)],
                }
            )
        );
        Assert.Equal("HpcDependencyNotFound", e.ErrorId);
    }

    [PbsFact]
    public async Task Deleted_running_queued_and_finished_jobs()
    {
        var running = await _pbs.SubmitAsync(Cmd("sleep", "120"));
        var queued = await _pbs.SubmitAsync(
            Cmd("true") with
            {
                Dependencies = [new JobDependency(running.JobId, DependencyKind.AfterOk)],
            }
        );
        var finished = (await WaitAll(await _pbs.SubmitAsync(Cmd("true")))).Single();
        await Poll.Until(
            async () => (await _pbs.GetStatusAsync([running.JobId])).Jobs.Single().State == JobState.Running,
            30
        );
        var report = await JobOperations.StopAsync(_pbs, [running.JobId, queued.JobId, finished.JobId, "424242.vm"]);
        Assert.Equal(2, report.Cancelled.Count);
        Assert.Equal(finished.JobId, Assert.Single(report.AlreadyFinished).JobId);
        Assert.Equal("424242.vm", Assert.Single(report.NotFound).JobId);
        // a fresh session, with no memory of the qdel: the server's own record must say Cancelled (it says Exit_status 0)
        var fresh = PbsServer.Scheduler();
        var done = (await WaitAll(fresh, running, queued)).ToDictionary(j => j.JobId);
        Assert.Equal(JobState.Cancelled, done[running.JobId].State);
        Assert.StartsWith("Deleted (qdel) by root@", done[running.JobId].Reason);
        Assert.Equal(JobState.Cancelled, done[queued.JobId].State);
        await _pbs.CancelAsync([finished]); // "qdel: Job has finished" is no error
    }

    [PbsFact]
    public async Task A_held_job_reads_Held_and_a_raw_qsub_job_can_be_attached_by_id()
    {
        var raw = await PbsServer.Runner.RunAsync(
            "qsub",
            ["-h", "--", "/bin/true"],
            new HpcJobs.Core.Processes.ProcessOptions { WorkingDirectory = _work }
        );
        var id = raw.StandardOutput.Trim();
        var fresh = PbsServer.Scheduler();
        var held = Assert.Single((await fresh.GetStatusAsync([id])).Jobs);
        Assert.Equal((JobState.Held, "H"), (held.State, held.NativeState));
        await PbsServer.Run("qrls", id);
        Assert.Equal(JobState.Completed, (await WaitAll(fresh, held)).Single().State);
    }

    [PbsFact]
    public async Task Status_of_many_jobs_answers_every_one_in_at_most_two_calls()
    {
        var jobs = new List<JobInfo>();
        for (var i = 0; i < 32; i++)
            jobs.Add(await _pbs.SubmitAsync(Cmd("true")));
        await WaitAll([.. jobs]);
        var fresh = PbsServer.Scheduler(); // has not yet learnt that this server's JSON lists only the first job
        var report = await fresh.GetStatusAsync(jobs.Select(j => j.JobId).ToList());
        Assert.Equal(32, report.Jobs.Count);
        Assert.All(report.Jobs, j => Assert.Equal(JobState.Completed, j.State));
        Assert.Empty(report.NotFound);
        Assert.InRange(fresh.SchedulerCalls, 1, 2);
        var before = fresh.SchedulerCalls;
        Assert.Equal(32, (await fresh.GetStatusAsync(jobs.Select(j => j.JobId).ToList())).Jobs.Count);
        Assert.Equal(1, fresh.SchedulerCalls - before); // learnt: one call
    }

    [PbsFact]
    public async Task Without_job_history_a_finished_job_is_Unknown_never_Completed_by_guess()
    {
        await PbsServer.Qmgr("set server job_history_enable = False");
        try
        {
            var job = await _pbs.SubmitAsync(Cmd("true"));
            Assert.False((await _pbs.GetStatusAsync([job.JobId])).Jobs.Single().IsFinished); // seen live by this session
            // without history the server forgets the job as soon as it ends ("qstat: Unknown Job Id")
            await Poll.Until(async () => (await PbsServer.Run("qstat", job.JobId)).ExitCode == 153, 60, 500);
            var gone = Assert.Single((await _pbs.GetStatusAsync([job.JobId])).Jobs);
            Assert.Equal(JobState.Unknown, gone.State);
            Assert.Contains("no history is kept", gone.Reason);
            Assert.Single((await PbsServer.Scheduler().GetStatusAsync([job.JobId])).NotFound); // a new session knows nothing of it
        }
        finally
        {
            await PbsServer.Qmgr("set server job_history_enable = True");
        }
    }

    [PbsFact]
    public async Task Wait_survives_a_server_restart_and_polls_no_faster_than_qstat_allows()
    {
        var pbs = PbsServer.Scheduler(new RetryPolicy(MaxAttempts: 2, FirstDelaySeconds: 0.2));
        var job = await pbs.SubmitAsync(Cmd("sh", "-c", "sleep 15; exit 0"));
        var started = DateTimeOffset.Now;
        var waiting = JobWaiter.WaitAsync(
            pbs,
            [job.JobId],
            new WaitOptions { Timeout = TimeSpan.FromSeconds(180), MaxPollInterval = TimeSpan.FromSeconds(1) }
        );
        await Task.Delay(2000);
        Assert.True((await PbsServer.ClusterScript("stop-openpbs.sh")).Succeeded);
        await Task.Delay(3000);
        var start = await PbsServer.ClusterScript("start-openpbs.sh");
        Assert.True(start.Succeeded, start.StandardError);
        var result = await waiting;
        Assert.False(result.TimedOut);
        Assert.Equal(JobState.Completed, result.Finished.Single().State);
        // a 1 s floor between polls (qstat pauses 200 ms when called twice within a second)
        var seconds = (DateTimeOffset.Now - started).TotalSeconds;
        Assert.True(pbs.SchedulerCalls <= seconds + 6, $"{pbs.SchedulerCalls} calls in {seconds:0} s");
    }

    [PbsFact]
    public async Task Qsub_rejections_reach_the_user()
    {
        var e = await Assert.ThrowsAsync<SubmitFailedException>(() =>
            _pbs.SubmitAsync(Cmd("true") with { Resources = new ResourceSpec { Partition = "nosuchqueue" } })
        );
        Assert.Contains("qsub: Unknown queue", e.Message);
    }

    [PbsFact]
    public async Task A_refused_qdel_is_that_jobs_error_and_the_others_are_deleted()
    {
        var user = PbsServer.Scheduler(asUser: PbsServer.TestUser);
        File.SetUnixFileMode(_work, (UnixFileMode)0x1FF);
        var roots = await _pbs.SubmitAsync(Cmd("sleep", "60"));
        var theirs = await user.SubmitAsync(Cmd("sleep", "60"));
        try
        {
            var report = await JobOperations.StopAsync(user, [roots.JobId, theirs.JobId]);
            Assert.Equal(theirs.JobId, Assert.Single(report.Cancelled).JobId);
            var refused = Assert.Single(report.Refused);
            Assert.Equal((roots.JobId, "HpcOperationRefused"), (refused.JobId, refused.ErrorKind.Id));
            Assert.Contains("Unauthorized Request", refused.Message);
            Assert.False((await _pbs.GetStatusAsync([roots.JobId])).Jobs.Single().IsFinished);
        }
        finally
        {
            await _pbs.CancelAsync([roots]);
        }
    }
}
