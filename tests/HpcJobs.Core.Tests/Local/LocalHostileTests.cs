using System.Diagnostics;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Local;
using HpcJobs.Core.Model;
using HpcJobs.Core.Platform;
using HpcJobs.Core.Tests.Support;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Local;

/// <summary>
/// The Local back end against a hostile-but-fair world (issue 20): a second Unix user who plants jobs or links, a
/// session's umask, stale records after a daemon's death, bad settings, a full disk, a FIFO as output, a stopped daemon.
/// Each test failed before the fix it stands for.
/// </summary>
[Collection("local-daemon")]
public sealed class LocalHostileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hpcjobs-hostile-").FullName;
    private readonly string _state;
    private readonly string _work;
    private readonly List<Process> _strays = [];

    public LocalHostileTests()
    {
        _state = Path.Combine(_root, "state");
        _work = Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;
    }

    public void Dispose()
    {
        foreach (
            var v in new[]
            {
                LocalSettings.RetentionVariable,
                LocalSettings.IdleVariable,
                "HPCJOBS_LOCAL_REQUEST_TIMEOUT",
            }
        )
            Environment.SetEnvironmentVariable(v, null);
        foreach (var p in _strays)
            if (!p.HasExited)
                p.Kill(entireProcessTree: true);
        if (DaemonPid(_state) is { } pid)
        {
            Native.kill(pid, Native.SIGCONT);
            Native.kill(pid, Native.SIGKILL);
        }
    }

    private JobRequest Cmd(params string[] argv) => new() { Command = argv, WorkingDirectory = _work };

    private static async Task<JobInfo> Finished(LocalScheduler local, string id) =>
        (
            await JobWaiter.WaitAsync(local, [id], new WaitOptions { Timeout = TimeSpan.FromSeconds(30) })
        ).Finished.Single();

    private static int? DaemonPid(string state) => LocalDaemons.Pid(state);

    /// <summary>What another user would plant: a pending record (and its active marker) that writes a file when run.</summary>
    private string Plant(string state, string id)
    {
        var marker = Path.Combine(_root, $"planted-{id}-ran");
        Directory.CreateDirectory(Path.Combine(state, "units"));
        Directory.CreateDirectory(Path.Combine(state, "active"));
        File.WriteAllText(
            Path.Combine(state, "units", id + ".json"),
            $$"""
            {"Id":"{{id}}","Name":"planted","Argv":["touch","{{marker}}"],"Environment":{"PATH":"/usr/bin:/bin"},
             "WorkingDirectory":"/","StdOutPath":"/dev/null","State":"Pending","NativeState":"PENDING",
             "SubmitTime":"2026-01-01T00:00:00+00:00"}
            """
        );
        File.WriteAllText(Path.Combine(state, "active", id), "");
        return marker;
    }

    [RootFact]
    public async Task A_state_folder_another_user_owns_is_refused_and_its_planted_job_never_runs()
    {
        var marker = Plant(_state, "1");
        OtherUser.Run("chown", "-R", $"{OtherUser.Uid}", _state);
        var e = Assert.Throws<LocalStateException>(() => new LocalScheduler(_state));
        Assert.Equal("HpcStateUntrusted", e.ErrorId);
        Assert.Contains(_state, e.Message);
        Assert.Contains(OtherUser.Name, e.Message);
        await Task.Delay(1500);
        Assert.False(File.Exists(marker));
        Assert.Null(DaemonPid(_state));
    }

    [RootFact]
    public void A_symlink_another_user_owns_on_the_way_is_refused()
    {
        var theirs = Directory.CreateDirectory(Path.Combine(_root, "theirs")).FullName;
        Plant(theirs, "1");
        var link = Path.Combine(_root, "link");
        File.CreateSymbolicLink(link, theirs);
        OtherUser.Own(link);
        var e = Assert.Throws<LocalStateException>(() => new LocalScheduler(link));
        Assert.Equal("HpcStateUntrusted", e.ErrorId);
        Assert.Contains("symbolic link", e.Message);
    }

    [Fact]
    public void A_folder_others_may_write_is_refused_and_left_as_it_was()
    {
        Directory.CreateDirectory(_state);
        File.SetUnixFileMode(_state, (UnixFileMode)Convert.ToInt32("1777", 8));
        var e = Assert.Throws<LocalStateException>(() => new LocalScheduler(_state));
        Assert.Equal("HpcStateUntrusted", e.ErrorId);
        Assert.Contains("1777", e.Message);
        Assert.Equal((UnixFileMode)Convert.ToInt32("1777", 8), File.GetUnixFileMode(_state));
    }

    [Fact]
    public async Task An_existing_folder_of_mine_is_used_as_it_is_and_records_are_private()
    {
        Directory.CreateDirectory(_state);
        File.SetUnixFileMode(_state, (UnixFileMode)Convert.ToInt32("755", 8));
        var local = new LocalScheduler(_state);
        var job = await local.SubmitAsync(Cmd("true"));
        Assert.Equal((UnixFileMode)Convert.ToInt32("755", 8), File.GetUnixFileMode(_state));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite,
            File.GetUnixFileMode(Path.Combine(_state, "units", job.JobId + ".json"))
        );
        Assert.Equal((UnixFileMode)Convert.ToInt32("700", 8), File.GetUnixFileMode(Path.Combine(_state, "units")));
    }

    [Fact]
    public async Task A_record_others_may_write_is_neither_run_nor_read()
    {
        var local = new LocalScheduler(_state);
        await local.SubmitAsync(Cmd("true")); // the daemon and the folders exist
        var marker = Plant(_state, "900");
        File.SetUnixFileMode(Path.Combine(_state, "units", "900.json"), (UnixFileMode)Convert.ToInt32("666", 8));
        await local.ScheduleAsync(CancellationToken.None);
        var report = await local.GetStatusAsync(["900"]);
        Assert.Empty(report.Jobs);
        Assert.Equal("HpcStateUntrusted", Assert.Single(report.NotFound).ErrorKind.Id);
        // a new daemon's recovery does not run it either
        Native.kill(DaemonPid(_state)!.Value, Native.SIGKILL);
        await new LocalScheduler(_state).SubmitAsync(Cmd("true"));
        await Task.Delay(1000);
        Assert.False(File.Exists(marker));
    }

    /// <summary>A folder like /tmp (1777) with my precious file outside it.</summary>
    private (string Shared, string Precious) SharedFolderAndPrecious()
    {
        var shared = Directory.CreateDirectory(Path.Combine(_root, "tmp")).FullName;
        File.SetUnixFileMode(shared, (UnixFileMode)Convert.ToInt32("1777", 8));
        var precious = Path.Combine(_root, "precious.txt");
        File.WriteAllText(precious, "mine");
        return (shared, precious);
    }

    [RootFact]
    public async Task A_link_another_user_put_where_my_output_goes_in_a_shared_folder_is_refused_at_submission()
    {
        var (shared, precious) = SharedFolderAndPrecious();
        var link = Path.Combine(shared, "job.out");
        File.CreateSymbolicLink(link, precious);
        OtherUser.Own(link);
        var local = new LocalScheduler(_state);
        var e = await Assert.ThrowsAsync<InvalidJobRequestException>(() =>
            local.SubmitAsync(Cmd("echo", "overwritten") with { OutputPath = link })
        );
        Assert.Equal("HpcInvalidOutputPath", e.ErrorId);
        Assert.Contains("symbolic link", e.Message);
        Assert.Contains(shared, e.Message);
        Assert.Equal("mine", File.ReadAllText(precious));
    }

    [RootFact]
    public async Task A_file_another_user_made_where_my_output_goes_in_a_shared_folder_is_refused_at_submission()
    {
        var (shared, _) = SharedFolderAndPrecious();
        var theirs = Path.Combine(shared, "job.out");
        File.WriteAllText(theirs, "");
        File.SetUnixFileMode(theirs, (UnixFileMode)Convert.ToInt32("666", 8));
        OtherUser.Own(theirs);
        var local = new LocalScheduler(_state);
        var e = await Assert.ThrowsAsync<InvalidJobRequestException>(() =>
            local.SubmitAsync(Cmd("echo", "secret") with { OutputPath = theirs })
        );
        Assert.Equal("HpcInvalidOutputPath", e.ErrorId);
        Assert.Contains($"user id {OtherUser.Uid}", e.Message);
        Assert.Equal("", File.ReadAllText(theirs));
    }

    /// <summary>
    /// Planted between submission and start (the job held meanwhile): the daemon opens the output itself and refuses.
    /// </summary>
    private async Task<(JobInfo Ended, string Precious, string Output)> PlantWhileHeld(bool link)
    {
        var (shared, precious) = SharedFolderAndPrecious();
        var output = Path.Combine(shared, "later.out");
        var local = new LocalScheduler(_state);
        var job = await local.SubmitAsync(Cmd("echo", "secret") with { OutputPath = output, Hold = true });
        if (link)
            File.CreateSymbolicLink(output, precious);
        else
        {
            File.WriteAllText(output, "");
            File.SetUnixFileMode(output, (UnixFileMode)Convert.ToInt32("666", 8));
        }
        OtherUser.Own(output);
        await local.ControlAsync(JobAction.Release, [job]);
        return (await Finished(local, job.JobId), precious, output);
    }

    [RootFact]
    public async Task A_link_planted_after_submission_is_not_followed_when_the_job_starts()
    {
        var (ended, precious, _) = await PlantWhileHeld(link: true);
        Assert.Equal(JobState.Failed, ended.State);
        Assert.Contains("symbolic link", ended.Reason);
        Assert.Equal("mine", File.ReadAllText(precious));
    }

    [RootFact]
    public async Task A_file_planted_after_submission_is_not_written_into_when_the_job_starts()
    {
        var (ended, _, output) = await PlantWhileHeld(link: false);
        Assert.Equal(JobState.Failed, ended.State);
        Assert.Contains("belongs to user id", ended.Reason);
        Assert.Equal("", File.ReadAllText(output));
    }

    [Fact]
    public async Task In_a_folder_of_mine_a_link_I_made_is_still_followed()
    {
        var target = Path.Combine(_work, "target.out");
        var link = Path.Combine(_work, "latest.out");
        File.CreateSymbolicLink(link, target);
        var local = new LocalScheduler(_state);
        var job = await local.SubmitAsync(Cmd("echo", "through the link") with { OutputPath = link });
        Assert.Equal(JobState.Completed, (await Finished(local, job.JobId)).State);
        Assert.Equal("through the link\n", File.ReadAllText(target));
    }

    /// <summary>
    /// Issue 28: after the state folder was deleted, every later submit of the same session failed (a new session
    /// worked), and the old daemon lived on for good, holding its deleted lock.
    /// </summary>
    [Fact]
    public async Task A_deleted_state_folder_is_laid_out_again_in_the_same_session_and_its_old_daemon_ends()
    {
        var local = new LocalScheduler(_state);
        await local.SubmitAsync(Cmd("sleep", "2"));
        var daemon = DaemonPid(_state)!.Value;
        Directory.Delete(_state, recursive: true);
        var again = await local.SubmitAsync(Cmd("true"));
        Assert.Equal(JobState.Completed, (await Finished(local, again.JobId)).State);
        // the old daemon lets its running job end, then exits: nothing could reach it any more
        await Poll.Until(() => !Native.ProcessRunning(daemon), seconds: 30);
    }

    [Fact]
    public async Task A_job_gets_the_umask_of_the_session_that_submitted_it()
    {
        var local = new LocalScheduler(_state);
        await local.SubmitAsync(Cmd("true")); // the daemon starts under the default umask
        var old = Native.umask(Convert.ToUInt32("077", 8));
        JobInfo job;
        try
        {
            job = await local.SubmitAsync(Cmd("true") with { OutputPath = "private.out" });
        }
        finally
        {
            Native.umask(old);
        }
        await Poll.Until(async () => (await local.GetStatusAsync([job.JobId])).Jobs[0].IsFinished);
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite,
            File.GetUnixFileMode(Path.Combine(_work, "private.out"))
        );
        var shared = await local.SubmitAsync(Cmd("true") with { OutputPath = "shared.out" });
        await Poll.Until(async () => (await local.GetStatusAsync([shared.JobId])).Jobs[0].IsFinished);
        Assert.Equal((UnixFileMode)(0x1B6 & ~(int)old), File.GetUnixFileMode(Path.Combine(_work, "shared.out")));
    }

    [Fact]
    public async Task A_stale_running_record_never_signals_a_process_group_it_cannot_prove_is_the_jobs()
    {
        var local = new LocalScheduler(_state);
        var job = await local.SubmitAsync(Cmd("sleep", "60"));
        await Poll.Until(async () => (await local.GetStatusAsync([job.JobId])).Jobs[0].State == JobState.Running);
        // the daemon dies (an OOM kill) and then the job's processes; later, an unrelated group has the recorded number
        var unit = Path.Combine(_state, "units", job.JobId + ".json");
        var daemon = DaemonPid(_state)!.Value;
        Native.kill(daemon, Native.SIGKILL);
        await Poll.Until(() => !Native.ProcessRunning(daemon)); // a SIGKILL lands a moment later, not at once
        var text = File.ReadAllText(unit);
        var group = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("ProcessGroup").GetInt32();
        Native.kill(-group, Native.SIGKILL);
        var stranger = Process.Start(new ProcessStartInfo("setsid", ["sleep", "60"]))!;
        _strays.Add(stranger);
        await Poll.Until(() => Native.ProcessStartTicks(stranger.Id) is not null);
        File.WriteAllText(unit, text.Replace($"\"ProcessGroup\": {group}", $"\"ProcessGroup\": {stranger.Id}"));
        var after = (await local.GetStatusAsync([job.JobId])).Jobs[0];
        Assert.Equal("NODE_FAIL", after.NativeState);
        await Task.Delay(300);
        Assert.False(stranger.HasExited, "a status call killed a process HpcJobs never started");
    }

    [Theory]
    [InlineData("2147483647")]
    [InlineData("1000000")]
    public async Task A_keep_forever_retention_does_not_kill_the_daemon(string days)
    {
        Environment.SetEnvironmentVariable(LocalSettings.RetentionVariable, days);
        var local = new LocalScheduler(_state);
        var job = await local.SubmitAsync(Cmd("sleep", "2"));
        await Task.Delay(1500);
        Assert.Equal(JobState.Completed, (await Finished(local, job.JobId)).State);
    }

    [Theory]
    [InlineData(LocalSettings.RetentionVariable, "365d")]
    [InlineData(LocalSettings.RetentionVariable, "-5")]
    [InlineData(LocalSettings.IdleVariable, "abc")]
    [InlineData(LocalSettings.IdleVariable, "0")]
    public async Task A_bad_setting_is_an_error_naming_it_not_silently_the_default(string variable, string value)
    {
        Environment.SetEnvironmentVariable(variable, value);
        var e = await Assert.ThrowsAsync<HpcErrorException>(() => new LocalScheduler(_state).SubmitAsync(Cmd("true")));
        Assert.Equal("HpcInvalidSetting", e.ErrorId);
        Assert.Contains(variable, e.Message);
        Assert.Contains($"'{value}'", e.Message);
    }

    [Fact]
    public async Task A_fifo_as_output_is_refused_before_submitting_and_never_wedges_the_daemon()
    {
        var fifo = Path.Combine(_work, "fifo.out");
        OtherUser.Run("mkfifo", fifo);
        var local = new LocalScheduler(_state);
        var refused = await Assert.ThrowsAsync<InvalidJobRequestException>(() =>
            local.SubmitAsync(Cmd("echo", "hi") with { OutputPath = fifo })
        );
        Assert.Equal("HpcInvalidOutputPath", refused.ErrorId);
        Assert.Contains("FIFO", refused.Message);
        // one that appears after the submission (the job waits for a slot): that job fails, the daemon goes on
        var later = Path.Combine(_work, "later.out");
        var blocker = await local.SubmitAsync(
            Cmd("sleep", "1") with
            {
                Resources = new ResourceSpec { CpusPerTask = LocalScheduler.Slots },
            }
        );
        var job = await local.SubmitAsync(Cmd("echo", "hi") with { OutputPath = later });
        OtherUser.Run("mkfifo", later);
        var ended = await Finished(local, job.JobId);
        Assert.Equal(JobState.Failed, ended.State);
        Assert.Contains("FIFO", ended.Reason);
        var next = await local.SubmitAsync(Cmd("true"));
        Assert.Equal(JobState.Completed, (await Finished(local, next.JobId)).State);
        _ = blocker;
    }

    [Fact]
    public async Task A_stopped_daemon_makes_submit_fail_in_bounded_time_leaving_nothing_pending()
    {
        Environment.SetEnvironmentVariable("HPCJOBS_LOCAL_REQUEST_TIMEOUT", "2");
        var local = new LocalScheduler(_state);
        await local.SubmitAsync(Cmd("true"));
        var daemon = DaemonPid(_state)!.Value;
        Native.kill(daemon, Native.SIGSTOP);
        try
        {
            var clock = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<SchedulerUnavailableException>(() => local.SubmitAsync(Cmd("true")));
            Assert.InRange(clock.Elapsed.TotalSeconds, 1, 10);
            Assert.Contains("did not answer", e.Message);
            Assert.Contains("Nothing was submitted", e.Message);
            var cancel = Stopwatch.StartNew();
            await Assert.ThrowsAsync<SchedulerUnavailableException>(() =>
                local.CancelAsync([new JobInfo { JobId = "1", Scheduler = "Local" }])
            );
            Assert.InRange(cancel.Elapsed.TotalSeconds, 1, 10);
        }
        finally
        {
            Native.kill(daemon, Native.SIGCONT);
        }
        var pending = Directory.GetFiles(Path.Combine(_state, "active"));
        await Poll.Until(() => Directory.GetFiles(Path.Combine(_state, "active")).Length == 0);
        Assert.NotNull(pending);
    }

    [RootFact]
    public async Task A_full_disk_keeps_the_exit_status_and_the_daemon_alive()
    {
        var mount = Directory.CreateDirectory(Path.Combine(_root, "small")).FullName;
        OtherUser.Run("mount", "-t", "tmpfs", "-o", "size=400k,mode=700", "tmpfs", mount);
        try
        {
            var state = Path.Combine(mount, "state");
            var local = new LocalScheduler(state);
            var job = await local.SubmitAsync(Cmd("sh", "-c", "sleep 2; exit 3"));
            var filler = Path.Combine(mount, "filler");
            using (var f = File.Create(filler))
            {
                try
                {
                    f.Write(new byte[1024 * 1024]);
                    f.Flush();
                }
                catch (IOException) { } // the disk is full now
            }
            await Task.Delay(3500); // the job ends while no record can be written
            Assert.NotNull(DaemonPid(state));
            Assert.Empty(Directory.GetFiles(Path.Combine(state, "units"), "*.tmp"));
            File.Delete(filler);
            var ended = await Finished(local, job.JobId);
            Assert.Equal((JobState.Failed, 3), (ended.State, ended.ExitCode));
            var log = File.ReadAllText(Path.Combine(state, "daemon.log"));
            Assert.True(log.Contains($"job {job.JobId}: record written"), log); // held in memory, written once there was room
        }
        finally
        {
            if (DaemonPid(Path.Combine(mount, "state")) is { } pid)
                Native.kill(pid, Native.SIGKILL);
            await Task.Delay(200);
            OtherUser.Run("umount", "-l", mount);
        }
    }

    [Fact]
    public async Task A_store_folder_removed_while_a_job_runs_is_laid_out_again_with_the_jobs_outcome()
    {
        var local = new LocalScheduler(_state);
        var job = await local.SubmitAsync(Cmd("sh", "-c", "sleep 1; exit 4"));
        await Poll.Until(async () => (await local.GetStatusAsync([job.JobId])).Jobs[0].State == JobState.Running);
        Directory.Delete(Path.Combine(_state, "units"), recursive: true);
        Directory.Delete(Path.Combine(_state, "active"), recursive: true);
        await Poll.Until(() => File.Exists(Path.Combine(_state, "units", job.JobId + ".json")), 20);
        var ended = (await local.GetStatusAsync([job.JobId])).Jobs.Single();
        Assert.Equal((JobState.Failed, 4), (ended.State, ended.ExitCode));
        Assert.NotNull(DaemonPid(_state));
    }

    [Fact]
    public async Task The_daemon_schedules_with_the_slots_of_the_session_that_spoke_last()
    {
        Environment.SetEnvironmentVariable(LocalSettings.CpusVariable, "1");
        try
        {
            var local = new LocalScheduler(_state);
            await local.SubmitAsync(Cmd("true")); // the daemon starts with 1 slot in its environment
            Environment.SetEnvironmentVariable(LocalSettings.CpusVariable, "2");
            var a = await local.SubmitAsync(Cmd("sleep", "3"));
            var b = await local.SubmitAsync(Cmd("sleep", "3"));
            await Poll.Until(async () =>
                (await local.GetStatusAsync([a.JobId, b.JobId])).Jobs.All(j => j.State == JobState.Running)
            );
        }
        finally
        {
            Environment.SetEnvironmentVariable(LocalSettings.CpusVariable, null);
        }
    }

    [Fact]
    public async Task A_launch_that_fails_names_the_step_that_failed_not_the_program()
    {
        var local = new LocalScheduler(_state);
        var blocker = await local.SubmitAsync(
            Cmd("sleep", "2") with
            {
                Resources = new ResourceSpec { CpusPerTask = LocalScheduler.Slots },
            }
        );
        var gone = Directory.CreateDirectory(Path.Combine(_work, "gone")).FullName;
        var job = await local.SubmitAsync(Cmd("echo", "hi") with { OutputPath = Path.Combine(gone, "x.out") });
        Directory.Delete(gone);
        var ended = await Finished(local, job.JobId);
        Assert.Equal(JobState.Failed, ended.State);
        Assert.Contains($"the output folder '{gone}' does not exist", ended.Reason);
        Assert.DoesNotContain("cannot start 'echo'", ended.Reason);
        _ = blocker;
    }

    [Fact]
    public async Task Jobs_that_cannot_be_launched_free_their_CPUs_for_the_jobs_waiting_behind_them()
    {
        // every pass used to count a launch that failed as started, leaving the jobs behind it Pending (Resources) with
        // nothing running, until something else (a new submission) ran the next pass
        var local = new LocalScheduler(_state);
        var array = await local.SubmitAsync(
            Cmd("no-such-program-here") with
            {
                Array = ArrayRange.Parse("1-" + (3 * LocalScheduler.Slots)),
                Resources = new ResourceSpec { CpusPerTask = 1 },
            }
        );
        var after = await local.SubmitAsync(Cmd("true"));
        var tasks = (await local.GetStatusAsync([array.JobId])).Jobs.Select(j => j.JobId).ToList();
        foreach (var id in tasks)
            Assert.Equal(JobEndCause.LaunchFailure, (await Finished(local, id)).EndCause);
        Assert.Equal(JobState.Completed, (await Finished(local, after.JobId)).State);
    }

    [Fact]
    public async Task A_state_folder_whose_path_is_too_long_for_a_socket_still_works()
    {
        var deep = Path.Combine(_root, new string('d', 60), new string('e', 60), "state");
        var local = new LocalScheduler(deep);
        var job = await local.SubmitAsync(Cmd("true"));
        Assert.Equal(JobState.Completed, (await Finished(local, job.JobId)).State);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(Path.Combine(deep, LocalDaemon.SocketName)) > 108);
        if (DaemonPid(deep) is { } pid)
            Native.kill(pid, Native.SIGKILL);
    }

    [Theory]
    [InlineData("/bin/false")]
    [InlineData("/nonexistent/dotnet")]
    public async Task A_daemon_that_cannot_start_is_an_error_at_once_and_nothing_stays_pending(string host)
    {
        Environment.SetEnvironmentVariable("HPCJOBS_DOTNET", host);
        try
        {
            var local = new LocalScheduler(_state);
            var clock = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<SchedulerUnavailableException>(() => local.SubmitAsync(Cmd("true")));
            Assert.InRange(clock.Elapsed.TotalSeconds, 0, 2.5);
            Assert.Equal("HpcSchedulerUnavailable", e.ErrorId);
            Assert.Contains(host, e.Message);
            Assert.Contains("Nothing was submitted", e.Message);
            Assert.Empty(Directory.GetFiles(Path.Combine(_state, "active")));
            var probe = await new LocalProbe().ProbeAsync(requestedByName: true, CancellationToken.None);
            Assert.Equal(host == "/bin/false", probe.Available); // a host that exists but dies is only seen by trying
        }
        finally
        {
            Environment.SetEnvironmentVariable("HPCJOBS_DOTNET", null);
        }
    }
}
