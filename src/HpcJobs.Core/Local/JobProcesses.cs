using System.Globalization;
using System.Text;
using HpcJobs.Core.Model;
using HpcJobs.Core.Platform;

namespace HpcJobs.Core.Local;

/// <summary>
/// Signals a Local job's processes only when it can prove they are still the job's. A process group number is reused
/// once the group is gone, and a record can outlive its daemon (a reboot, an OOM kill), so "the group in the record" may
/// be anybody's now. Proof is one of: the group's leader still runs with the start time recorded at launch, in the same
/// boot; or a process of the group carries the job's token in its environment (each job gets a random one).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class JobProcesses
{
    public const string TokenVariable = "HPCJOBS_JOB_TOKEN";

    /// <summary>
    /// Starts the job as a child of this process, in a session and process group of its own, under the submitter's umask
    /// (its output files are created with it), and records what identifies its processes. Returns the leader's pid;
    /// throws <see cref="IOException"/> naming the step that failed (a missing output folder, a program not found).
    /// </summary>
    public static int Start(LocalJobRecord unit)
    {
        var ownUmask = Native.umask((uint)(unit.Umask ?? 0x12));
        int pid;
        try
        {
            pid = JobSpawn.SpawnJob(
                unit.Argv,
                unit.Environment,
                unit.WorkingDirectory,
                unit.StdOutPath,
                unit.StdErrPath
            );
        }
        finally
        {
            _ = Native.umask(ownUmask); // umask cannot fail: it returns the previous mask
        }
        Remember(unit, pid);
        return pid;
    }

    /// <summary>Records what identifies a job's processes, right after it was started with leader <paramref name="pid"/>.</summary>
    private static void Remember(LocalJobRecord unit, int pid)
    {
        unit.ProcessGroup = pid;
        unit.LeaderStartTicks = Native.ProcessStartTicks(pid);
        unit.BootId = Native.BootId();
    }

    /// <summary>
    /// Sends <paramref name="signal"/> to the job's leader alone (its first process: the command, or the batch script's
    /// shell, as SLURM's --signal=B:), when it provably still is the job's.
    /// </summary>
    public static bool SignalLeader(LocalJobRecord unit, int signal) =>
        unit.ProcessGroup is { } leader
        && leader > 1
        && unit.BootId == Native.BootId()
        && unit.LeaderStartTicks is { } ticks
        && Native.ProcessStartTicks(leader) == ticks
        && Native.kill(leader, signal) == 0;

    /// <summary>Sends <paramref name="signal"/> to what is provably left of the job; returns how many were signalled.</summary>
    public static int Signal(LocalJobRecord unit, int signal)
    {
        if (unit.ProcessGroup is not { } group || group <= 1)
            return 0;
        if (!Native.ProcessGroupExists(group))
            return 0; // no process has that group number: nothing to hit, nothing to prove (the common case, one syscall)
        if (unit.BootId is null || unit.BootId != Native.BootId())
            return 0; // another boot (or a record from before tokens): nothing of it can be running, nothing is proven
        if (unit.LeaderStartTicks is { } ticks && Native.ProcessStartTicks(group) == ticks)
            return Native.kill(-group, signal) == 0 ? 1 : 0;
        if (unit.Environment.GetValueOrDefault(TokenVariable) is not { Length: > 0 } token)
            return 0;
        var count = 0;
        foreach (var pid in ProcessesInGroup(group))
            if (CarriesToken(pid, token) && Native.kill(pid, signal) == 0)
                count++;
        return count;
    }

    /// <summary>True while the daemon that started <paramref name="unit"/> runs (or it is still being launched).</summary>
    public static bool DaemonAlive(LocalJobRecord unit)
    {
        if (unit.DaemonPid is not { } pid)
            return DateTimeOffset.Now - unit.StartTime < TimeSpan.FromSeconds(60);
        return Native.ProcessRunning(pid) && Native.ProcessStartTicks(pid) == unit.DaemonStartTicks;
    }

    /// <summary>
    /// Ends a running unit whose daemon is gone: nobody can learn its exit status any more, so what is provably left of
    /// it is killed and it is reported as a batch system reports a node failure.
    /// </summary>
    public static void EndOrphan(LocalJobRecord unit)
    {
        Signal(unit, Native.SIGKILL);
        if (unit.Requeue == true)
        {
            unit.Requeued("NodeFail: the Local scheduler's daemon died while the job ran; requeued (-Requeue)");
            return;
        }
        unit.Finish(
            Model.JobState.Failed,
            "NODE_FAIL",
            "The Local scheduler's daemon died while the job ran; the job was ended and its exit status is unknown"
        );
    }

    private static IEnumerable<int> ProcessesInGroup(int group)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateDirectories("/proc").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (var dir in entries)
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            if (ProcessGroupOf(pid) == group)
                yield return pid;
        }
    }

    private static int? ProcessGroupOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // state ppid pgrp ...
            return int.Parse(fields[2], CultureInfo.InvariantCulture);
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static bool CarriesToken(int pid, string token)
    {
        try
        {
            var wanted = Encoding.UTF8.GetBytes($"{TokenVariable}={token}\0");
            var environ = File.ReadAllBytes($"/proc/{pid}/environ");
            return environ.AsSpan().IndexOf(wanted) >= 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
