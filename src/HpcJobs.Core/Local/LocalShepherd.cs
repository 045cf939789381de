using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Local;

/// <summary>
/// Runs one unit to its end, in a detached process of its own (like slurmstepd): starts the job as a new session, enforces
/// the walltime, carries out cancel requests on the whole process group, records the exact exit code or signal, then lets
/// the Local scheduler start whatever can run next.
/// </summary>
public static class LocalShepherd
{
    /// <summary>Grace between SIGTERM and SIGKILL, as SLURM's KillWait.</summary>
    public static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task<int> RunAsync(string stateRoot, string unitId)
    {
        Native.DetachStandardStreams();
        Native.setsid(); // no-op when setsid(1) already made us a session leader
        var store = new LocalStateStore(stateRoot);
        var scheduler = new LocalScheduler(store, CliWrapProcessRunner.Instance);
        LocalJobRecord unit;
        int pid;
        using (store.Lock())
        {
            var loaded = store.LoadUnit(unitId);
            if (loaded is null || loaded.State != JobState.Running || loaded.ShepherdPid is not null)
                return 0;
            unit = loaded;
            unit.ShepherdPid = Environment.ProcessId;
            unit.ShepherdStartTicks = Native.ProcessStartTicks(Environment.ProcessId);
            try
            {
                pid = Native.SpawnJob(
                    unit.Argv,
                    unit.Environment,
                    unit.WorkingDirectory,
                    unit.StdOutPath,
                    unit.StdErrPath
                );
            }
            catch (IOException e)
            {
                unit.Finish(JobState.Failed, "FAILED", $"LaunchFailed: {e.Message}", exitCode: 127);
                store.SaveUnit(unit);
                pid = -1;
            }
            if (pid > 0)
            {
                unit.ProcessGroup = pid;
                unit.NativeState = "RUNNING";
                unit.Reason = null;
                store.SaveUnit(unit);
            }
        }
        if (pid > 0)
            Supervise(store, unit, pid);
        await scheduler.ScheduleAsync(CancellationToken.None).ConfigureAwait(false);
        return 0;
    }

    private static void Supervise(LocalStateStore store, LocalJobRecord unit, int pid)
    {
        var deadline = unit.Resources?.Walltime is { } wall ? unit.StartTime!.Value + wall : (DateTimeOffset?)null;
        (JobState State, string Native, string Reason)? killedFor = null;
        DateTimeOffset? killAt = null;
        int status;
        Native.Rusage usage;
        while (true)
        {
            // reaped with wait4: the exit status and, for free, the job's CPU time and peak memory
            var rc = Native.wait4(pid, out status, Native.WNOHANG, out usage);
            if (rc == pid)
                break;
            if (rc < 0)
            {
                status = -1;
                break;
            }
            if (killedFor is null)
            {
                if (store.IsCancelRequested(unit.Id))
                    killedFor = (JobState.Cancelled, "CANCELLED", "Cancelled by user");
                else if (deadline is not null && DateTimeOffset.Now >= deadline)
                    killedFor = (JobState.TimedOut, "TIMEOUT", "TimeLimit");
                if (killedFor is not null)
                {
                    Native.kill(-pid, Native.SIGCONT);
                    Native.kill(-pid, Native.SIGTERM);
                    killAt = DateTimeOffset.Now + KillWait;
                }
            }
            else if (killAt is not null && DateTimeOffset.Now >= killAt)
            {
                Native.kill(-pid, Native.SIGKILL);
                killAt = null;
            }
            Thread.Sleep(PollInterval);
        }
        // like a batch system, the job's end ends every process it left in its group
        if (Native.ProcessGroupAlive(pid))
        {
            Native.kill(-pid, Native.SIGTERM);
            var until = DateTimeOffset.Now + TimeSpan.FromSeconds(2);
            while (Native.ProcessGroupAlive(pid) && DateTimeOffset.Now < until)
                Thread.Sleep(PollInterval);
            Native.kill(-pid, Native.SIGKILL);
        }
        using (store.Lock())
        {
            var current = store.LoadUnit(unit.Id) ?? unit;
            if (status != -1)
            {
                current.CpuTime = usage.CpuTime;
                current.MaxRssBytes = usage.MaxRssKiB * 1024;
            }
            if (status == -1)
                current.Finish(JobState.Failed, "FAILED", "The job's exit status was lost");
            else
            {
                var (exitCode, signal) = Native.DecodeWaitStatus(status);
                var code = signal is null ? exitCode : 128 + signal;
                if (killedFor is { } k)
                    current.Finish(k.State, k.Native, k.Reason, code, signal);
                else if (signal is not null)
                    current.Finish(JobState.Failed, "FAILED", $"Killed by signal {signal}", code, signal);
                else if (exitCode == 0)
                    current.Finish(JobState.Completed, "COMPLETED", null, 0);
                else
                    current.Finish(JobState.Failed, "FAILED", "NonZeroExitCode", exitCode);
            }
            store.SaveUnit(current);
        }
    }
}
