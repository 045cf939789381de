using HpcJobs.Core.Platform;

namespace HpcJobs.Core.Local;

/// <summary>
/// The Local daemon's reaper: one thread blocks in wait4 for any child, so a job's end is seen the moment it happens,
/// with its exact exit status and resource use. It knows which child is which job; the daemon is told under its lock.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Design",
    "CA1001",
    Justification = "One per daemon, for the daemon process's life; its semaphore never makes a wait handle."
)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class JobReaper(object gate, Action<string, int, Native.Rusage> ended)
{
    private readonly Dictionary<int, string> _byPid = [];
    private readonly SemaphoreSlim _children = new(0);

    public void Start() => new Thread(Run) { IsBackground = true, Name = "reaper" }.Start();

    /// <summary>A job's process was started (call under the daemon's lock).</summary>
    public void Started(int pid, string id)
    {
        _byPid[pid] = id;
        _children.Release();
    }

    private void Run()
    {
        while (true)
        {
            var pid = Native.wait4(-1, out var status, 0, out var usage);
            if (pid < 0)
            {
                _children.Wait(); // no children (ECHILD): sleep until one is started
                continue;
            }
            lock (gate)
                if (_byPid.Remove(pid, out var id))
                    ended(id, status, usage);
        }
    }
}

/// <summary>
/// A job's peak memory. wait4's ru_maxrss of a job starts at the daemon's own peak (posix_spawn's child shares our memory
/// until its exec, and the kernel keeps that peak): below it the figure says nothing of the job, and only samples of the
/// job's own VmHWM (every second, as SLURM's jobacct_gather) are told.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class JobPeakMemory
{
    private readonly Dictionary<string, long> _daemonPeakAtSpawnKiB = [];
    private readonly Dictionary<string, long> _sampledPeakKiB = [];

    public void Spawned(string id) => _daemonPeakAtSpawnKiB[id] = Native.PeakRssKiB(Environment.ProcessId) ?? 0;

    public void Sample(IEnumerable<LocalJobRecord> running)
    {
        foreach (var unit in running.Where(u => u.ProcessGroup is not null))
            if (Native.PeakRssKiB(unit.ProcessGroup!.Value) is { } kib)
                _sampledPeakKiB[unit.Id] = Math.Max(kib, _sampledPeakKiB.GetValueOrDefault(unit.Id));
    }

    /// <summary>The job's peak in bytes: wait4's when above the daemon's own peak at the spawn, else the samples (or null).</summary>
    public long? EndedBytes(string id, long waitedKiB)
    {
        _daemonPeakAtSpawnKiB.Remove(id, out var floor);
        _sampledPeakKiB.Remove(id, out var sampled);
        if (waitedKiB > floor)
            return waitedKiB * 1024;
        return sampled > 0 ? sampled * 1024 : null;
    }
}
