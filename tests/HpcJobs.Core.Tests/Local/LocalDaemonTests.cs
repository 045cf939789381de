using System.Diagnostics;
using HpcJobs.Core.Local;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Platform;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Local;

/// <summary>The Local scheduler's daemon: on demand, idle exit, killed with jobs in every state, restarted under load.</summary>
[Collection("local-daemon")]
public sealed class LocalDaemonTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hpcjobs-daemon-test-").FullName;
    private readonly string _state;
    private readonly string _work;

    public LocalDaemonTests()
    {
        _state = Path.Combine(_root, "state");
        _work = Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(LocalSettings.IdleVariable, null);
        var active = Path.Combine(_state, "active");
        if (Directory.Exists(active))
        {
            var ids = Directory.GetFiles(active).Select(Path.GetFileName).OfType<string>().ToList();
            if (ids.Count > 0)
                JobOperations.StopAsync(new LocalScheduler(_state), ids).GetAwaiter().GetResult();
        }
        if (DaemonPid() is { } pid)
            Native.kill(pid, Native.SIGKILL);
    }

    private JobRequest Cmd(params string[] argv) => new() { Command = argv, WorkingDirectory = _work };

    /// <summary>The pid of the daemon serving this state folder (the ShepherdPid it writes on running jobs, or by its command line).</summary>
    private int? DaemonPid()
    {
        foreach (
            var dir in Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(d => d!.All(char.IsAsciiDigit))
        )
        {
            try
            {
                var cmd = File.ReadAllText($"/proc/{dir}/cmdline");
                if (cmd.Contains("HpcJobs.LocalAgent.dll\0daemon\0" + _state + "\0", StringComparison.Ordinal))
                    return int.Parse(dir!);
            }
            catch (IOException) { }
        }
        return null;
    }

    [Fact]
    public async Task The_daemon_starts_on_demand_and_exits_when_idle()
    {
        Environment.SetEnvironmentVariable(LocalSettings.IdleVariable, "2");
        var local = new LocalScheduler(_state);
        Assert.Null(DaemonPid());
        var job = await local.SubmitAsync(Cmd("true"));
        Assert.NotNull(DaemonPid());
        await JobWaiter.WaitAsync(local, [job.JobId], new WaitOptions { Timeout = TimeSpan.FromSeconds(30) });
        await Support.Poll.Until(() => DaemonPid() is null, 20);
        Assert.False(File.Exists(LocalDaemon.SocketPath(_state)));
        // and comes back for the next job
        var next = await local.SubmitAsync(Cmd("true"));
        var done = await JobWaiter.WaitAsync(
            local,
            [next.JobId],
            new WaitOptions { Timeout = TimeSpan.FromSeconds(30) }
        );
        Assert.Equal(JobState.Completed, done.Finished.Single().State);
    }

    [Fact]
    public async Task A_killed_daemon_fails_its_running_jobs_and_the_next_one_runs_the_pending_and_dependent_ones()
    {
        var local = new LocalScheduler(_state);
        var running = await local.SubmitAsync(Cmd("sleep", "30"));
        var alsoRunning = await local.SubmitAsync(Cmd("sleep", "30"));
        var pending = await local.SubmitAsync(Cmd("sh", "-c", "echo ran"));
        var dependent = await local.SubmitAsync(
            Cmd("true") with
            {
                Dependencies = [new JobDependency(pending.JobId, DependencyKind.AfterOk)],
            }
        );
        Assert.Equal(JobState.Pending, (await local.GetStatusAsync([pending.JobId])).Jobs.Single().State); // 2 slots taken
        var daemon = DaemonPid()!.Value;
        Native.kill(daemon, Native.SIGKILL);
        await Support.Poll.Until(() => !Native.ProcessAlive(daemon));

        var fresh = new LocalScheduler(_state); // another session
        var result = await JobWaiter.WaitAsync(
            fresh,
            [running.JobId, alsoRunning.JobId, pending.JobId, dependent.JobId],
            new WaitOptions { Timeout = TimeSpan.FromSeconds(60) }
        );
        var byId = result.Finished.ToDictionary(j => j.JobId);
        Assert.Equal((JobState.Failed, "NODE_FAIL"), (byId[running.JobId].State, byId[running.JobId].NativeState));
        Assert.Equal(JobState.Failed, byId[alsoRunning.JobId].State);
        Assert.Equal(JobState.Completed, byId[pending.JobId].State);
        Assert.Equal(JobState.Completed, byId[dependent.JobId].State);
        Assert.Equal("ran\n", File.ReadAllText(byId[pending.JobId].StdOutPath!));
        // the orphans were ended, not left running unsupervised
        foreach (var id in new[] { running.JobId, alsoRunning.JobId })
        {
            var record = File.ReadAllText(Path.Combine(_state, "units", id + ".json"));
            var group = int.Parse(
                System.Text.RegularExpressions.Regex.Match(record, "\"ProcessGroup\": (\\d+)").Groups[1].Value
            );
            await Support.Poll.Until(() => !Native.ProcessRunning(group), 10);
        }
        var after = await fresh.SubmitAsync(Cmd("true"));
        Assert.Equal(
            JobState.Completed,
            (await JobWaiter.WaitAsync(fresh, [after.JobId], new WaitOptions { Timeout = TimeSpan.FromSeconds(30) }))
                .Finished.Single()
                .State
        );
    }

    [Fact]
    public async Task Two_processes_submitting_200_jobs_each_while_the_daemon_restarts_get_400_unique_ids_that_all_finish()
    {
        // two submitters with scheduler objects of their own (separate pwsh processes: tests/pester/LocalDaemon.Tests.ps1);
        // the daemon is killed in the middle
        var local = new LocalScheduler(_state);
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        async Task Submitter()
        {
            var mine = new LocalScheduler(_state);
            for (var i = 0; i < 200; i++)
                ids.Add((await mine.SubmitAsync(Cmd("true") with { OutputPath = "/dev/null" })).JobId);
        }
        var a = Task.Run(Submitter);
        var b = Task.Run(Submitter);
        await Support.Poll.Until(() => ids.Count >= 100, 60);
        if (DaemonPid() is { } pid)
            Native.kill(pid, Native.SIGKILL);
        await Task.WhenAll(a, b);
        Assert.Equal(400, ids.Distinct().Count());
        var done = await JobWaiter.WaitAsync(
            local,
            ids.ToList(),
            new WaitOptions { Timeout = TimeSpan.FromSeconds(120) }
        );
        Assert.False(done.TimedOut, string.Join(", ", done.Unfinished.Select(j => $"{j.JobId} {j.State}")));
        // a job the killed daemon had started may have been failed with it; every other one completed
        Assert.Equal(400, done.Finished.Count);
        Assert.True(
            done.Finished.Count(j => j.State == JobState.Completed) >= 396,
            string.Join(
                ", ",
                done.Finished.Where(j => j.State != JobState.Completed).Select(j => $"{j.JobId} {j.NativeState}")
            )
        );
    }

    [Fact]
    public async Task Wait_wakes_when_the_job_ends_not_at_the_next_poll()
    {
        var local = new LocalScheduler(_state);
        var job = await local.SubmitAsync(Cmd("sleep", "3"));
        // a long fixed poll interval: only the daemon's notification can make the wait return promptly
        var sw = Stopwatch.StartNew();
        var result = await JobWaiter.WaitAsync(
            local,
            [job.JobId],
            new WaitOptions { PollInterval = TimeSpan.FromSeconds(30), Timeout = TimeSpan.FromSeconds(60) }
        );
        sw.Stop();
        var finished = result.Finished.Single();
        var late = DateTimeOffset.Now - finished.EndTime!.Value;
        Assert.True(late < TimeSpan.FromSeconds(2), $"Wait returned {late.TotalMilliseconds:0} ms after the job ended");
        Assert.InRange(sw.Elapsed.TotalSeconds, 2, 10);
    }

    [Fact]
    public async Task Finished_records_older_than_the_retention_are_purged_and_ids_go_on_counting()
    {
        Environment.SetEnvironmentVariable(LocalSettings.RetentionVariable, "1");
        Environment.SetEnvironmentVariable(LocalSettings.IdleVariable, "1");
        try
        {
            var local = new LocalScheduler(_state);
            var old = await local.SubmitAsync(Cmd("true"));
            var recent = await local.SubmitAsync(Cmd("true"));
            await JobWaiter.WaitAsync(
                local,
                [old.JobId, recent.JobId],
                new WaitOptions { Timeout = TimeSpan.FromSeconds(30) }
            );
            File.SetLastWriteTimeUtc(Path.Combine(_state, "units", old.JobId + ".json"), DateTime.UtcNow.AddDays(-3));
            await Support.Poll.Until(() => DaemonPid() is null, 20); // idle exit; the next daemon purges when it starts
            var next = await local.SubmitAsync(Cmd("true"));
            await Support.Poll.Until(() => !File.Exists(Path.Combine(_state, "units", old.JobId + ".json")), 10);
            Assert.Single((await local.GetStatusAsync([old.JobId])).NotFound);
            Assert.Single((await local.GetStatusAsync([recent.JobId])).Jobs);
            Assert.Equal(long.Parse(recent.JobId) + 1, long.Parse(next.JobId));
        }
        finally
        {
            Environment.SetEnvironmentVariable(LocalSettings.RetentionVariable, null);
        }
    }
}

[CollectionDefinition("local-daemon", DisableParallelization = true)]
public sealed class LocalDaemonCollection;
