using System.Globalization;
using System.Net.Sockets;
using System.Text;
using HpcJobs.Core.Model;
using HpcJobs.Core.Scheduling;

namespace HpcJobs.Core.Local;

/// <summary>
/// The Local scheduler's per-user supervisor (like slurmd or pueue's daemon): <c>HpcJobs.LocalAgent daemon STATE_DIR</c>,
/// started on demand by the first client that needs it, one per state folder (an exclusive lock), gone after an idle
/// minute. Jobs are its direct children, each in a session and process group of its own; one thread reaps them with
/// wait4, so the exit status is exact and CPU time and peak memory come for free; walltimes are timers. It keeps the
/// pending and running jobs in memory, so a scheduling pass never reads the store, and writes every change to the store,
/// which stays the source of truth: clients read status from it without the daemon.
/// <para>
/// Clients talk over <c>daemon.sock</c> in the state folder, one line per connection: <c>submitted ID…</c> (new records
/// to schedule), <c>cancel ID…</c>, <c>schedule</c>, <c>wait ID…</c> (answered when one of them ends). If the daemon is
/// killed, the jobs it ran lose their supervisor: the next client (or daemon) ends them and reports them Failed with
/// NativeState NODE_FAIL, as a batch system does after a node failure; pending jobs run under the next daemon.
/// </para>
/// </summary>
public sealed class LocalDaemon
{
    /// <summary>Grace between SIGTERM and SIGKILL, as SLURM's KillWait.</summary>
    public static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    public const string SocketName = "daemon.sock";
    public const string IdleVariable = "HPCJOBS_LOCAL_DAEMON_IDLE";

    /// <summary>Days a finished job's record is kept (like SLURM's MinJobAge and accounting purge); default 30, 0 keeps all.</summary>
    public const string RetentionVariable = "HPCJOBS_LOCAL_RETENTION_DAYS";

    private readonly LocalStateStore _store;
    private readonly object _gate = new();
    private readonly Dictionary<string, LocalJobRecord> _active = [];
    private readonly Dictionary<int, string> _byPid = [];
    private readonly Dictionary<string, (JobState State, string Native, string Reason)> _killedFor = [];
    private readonly Dictionary<string, Timer> _timers = [];
    private readonly SemaphoreSlim _children = new(0);
    private readonly int _pid = Environment.ProcessId;
    private readonly long? _startTicks = Native.ProcessStartTicks(Environment.ProcessId);
    private DateTimeOffset _lastActivity = DateTimeOffset.Now;
    private long _changes;

    private LocalDaemon(LocalStateStore store) => _store = store;

    public static string SocketPath(string stateRoot) => Path.Combine(stateRoot, SocketName);

    /// <summary>Runs the daemon until it has been idle for <see cref="IdleVariable"/> seconds (default 60). Returns 0.</summary>
    public static int Run(string stateRoot)
    {
        Native.DetachStandardStreams();
        Native.setsid();
        var store = new LocalStateStore(stateRoot);
        var fd = Native.open(
            Path.Combine(store.Root, "daemon.lock"),
            Native.O_RDWR | Native.O_CREAT | Native.O_CLOEXEC,
            0x180
        );
        if (fd < 0 || Native.flock(fd, Native.LOCK_EX | Native.LOCK_NB) != 0)
            return 0; // another daemon serves this state folder
        var idle =
            int.TryParse(Environment.GetEnvironmentVariable(IdleVariable), CultureInfo.InvariantCulture, out var s)
            && s > 0
                ? s
                : 60;
        new LocalDaemon(store).Serve(TimeSpan.FromSeconds(idle));
        return 0;
    }

    private void Serve(TimeSpan idle)
    {
        var path = SocketPath(_store.Root);
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(512);
        lock (_gate)
        {
            Recover();
            Schedule();
        }
        var nextPurge = DateTimeOffset.Now;
        new Thread(Reap) { IsBackground = true, Name = "reaper" }.Start();
        while (true)
        {
            if (listener.Poll(1_000_000, SelectMode.SelectRead))
            {
                var client = listener.Accept();
                _lastActivity = DateTimeOffset.Now;
                // short requests on the thread pool; a wait, which may block for long, moves to a thread of its own
                ThreadPool.UnsafeQueueUserWorkItem(_ => Handle(client), null);
                continue;
            }
            if (DateTimeOffset.Now >= nextPurge)
            {
                Purge();
                nextPurge = DateTimeOffset.Now.AddHours(1);
            }
            lock (_gate)
            {
                if (_active.Count == 0 && DateTimeOffset.Now - _lastActivity > idle)
                {
                    File.Delete(path);
                    return;
                }
            }
        }
    }

    private void Handle(Socket client)
    {
        var stream = new NetworkStream(client, ownsSocket: true);
        var reader = new StreamReader(stream, Encoding.UTF8);
        var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        var handedOver = false;
        try
        {
            var line = reader.ReadLine();
            if (line is null)
                return;
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var ids = words.Skip(1).Where(LocalStateStore.IsValidId).ToList();
            switch (words.FirstOrDefault())
            {
                case "submitted":
                    lock (_gate)
                    {
                        foreach (var id in ids)
                            if (_store.LoadUnit(id) is { IsFinished: false } unit)
                                _active[unit.Id] = unit;
                        Schedule();
                    }
                    break;
                case "schedule":
                    lock (_gate)
                        Schedule();
                    break;
                case "cancel":
                    lock (_gate)
                    {
                        foreach (var id in ids)
                            Cancel(id);
                        Schedule();
                    }
                    break;
                case "wait":
                    var waiter = new Thread(() =>
                    {
                        try
                        {
                            WaitForAnyEnd(ids);
                            writer.WriteLine("ok");
                        }
                        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
                        finally
                        {
                            writer.Dispose();
                            stream.Dispose();
                        }
                    })
                    {
                        IsBackground = true,
                    };
                    handedOver = true;
                    waiter.Start();
                    return;
                default:
                    writer.WriteLine($"error unknown request '{line}'");
                    return;
            }
            writer.WriteLine("ok");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or LocalStateException)
        {
            // the client went away (a wait it stopped), or a record cannot be read: that request alone fails
        }
        finally
        {
            _lastActivity = DateTimeOffset.Now;
            if (!handedOver)
            {
                writer.Dispose();
                stream.Dispose();
            }
        }
    }

    /// <summary>Returns when one of <paramref name="ids"/> (a unit, or any task of an array) is not pending or running.</summary>
    private void WaitForAnyEnd(List<string> ids)
    {
        while (true)
        {
            long seen;
            lock (_gate)
            {
                seen = _changes;
                if (ids.Count == 0 || ids.Any(id => !_active.Values.Any(u => u.Id == id || u.ArrayJobId == id)))
                    return;
            }
            lock (_gate)
                while (_changes == seen)
                    Monitor.Wait(_gate);
        }
    }

    /// <summary>
    /// Forgets finished jobs older than the retention (by their record's last write, which is their end), so the store
    /// does not grow without bound. Ids are not reused: next-id keeps counting.
    /// </summary>
    private void Purge()
    {
        var days =
            int.TryParse(Environment.GetEnvironmentVariable(RetentionVariable), CultureInfo.InvariantCulture, out var d)
            && d >= 0
                ? d
                : 30;
        if (days == 0)
            return;
        var cutoff = DateTime.UtcNow.AddDays(-days);
        var active = _store.ActiveUnitIds().ToHashSet();
        foreach (var path in Directory.EnumerateFiles(Path.Combine(_store.Root, "units"), "*.json"))
        {
            var id = Path.GetFileNameWithoutExtension(path);
            if (!active.Contains(id) && File.GetLastWriteTimeUtc(path) < cutoff)
                File.Delete(path);
        }
        // an array or script goes with the last record of its job
        var kept = _store.AllUnitIds().Select(id => id.Split('_')[0]).ToHashSet();
        foreach (var dir in new[] { "arrays", "scripts" })
        foreach (var path in Directory.EnumerateFiles(Path.Combine(_store.Root, dir)))
            if (!kept.Contains(Path.GetFileNameWithoutExtension(path)) && File.GetLastWriteTimeUtc(path) < cutoff)
                File.Delete(path);
    }

    /// <summary>
    /// Running jobs a previous daemon (or a previous version's per-job supervisor) left behind: without their supervisor
    /// their exit status can never be known, so they are ended and reported like a node failure.
    /// </summary>
    private void Recover()
    {
        foreach (var unit in _store.LoadActiveUnits())
        {
            if (
                unit.State == JobState.Running
                && unit.ShepherdPid is { } pid
                && pid != _pid
                && Native.ProcessRunning(pid)
                && Native.ProcessStartTicks(pid) == unit.ShepherdStartTicks
            )
                continue; // an old per-job supervisor still runs it: leave it to that one
            if (unit.State == JobState.Running)
            {
                if (unit.ProcessGroup is { } group && Native.ProcessGroupAlive(group))
                    Native.kill(-group, Native.SIGKILL);
                unit.Finish(
                    JobState.Failed,
                    "NODE_FAIL",
                    "The Local scheduler's daemon died while the job ran; the job was ended"
                );
                Save(unit);
                continue;
            }
            _active[unit.Id] = unit;
        }
    }

    /// <summary>
    /// The scheduling pass, in memory: cancels jobs whose dependencies can never be met, then starts pending jobs in
    /// submission order while CPU slots, dependencies and array throttles allow.
    /// </summary>
    private void Schedule()
    {
        var finished = new Dictionary<string, List<LocalJobRecord>?>();
        List<LocalJobRecord>? Targets(string id) => TargetsOf(id, finished);
        var pending = _active
            .Values.Where(u => u.State == JobState.Pending)
            .OrderBy(u => u.SubmitTime)
            .ThenBy(u => LocalStateStore.IdOrder(u.Id))
            .ToList();
        bool changed;
        do
        {
            changed = false;
            foreach (var unit in pending.Where(u => u.State == JobState.Pending))
            {
                if (EvaluateDependencies(unit, Targets) is not false)
                    continue;
                unit.Finish(JobState.Cancelled, "CANCELLED", "DependencyNeverSatisfied");
                End(unit);
                finished.Clear();
                changed = true;
            }
        } while (changed);

        var slots = SlotsForScheduling();
        var running = _active.Values.Where(u => u.State == JobState.Running).ToList();
        var used = running.Sum(u => u.Cpus);
        var perArray = running
            .Where(u => u.ArrayJobId is not null)
            .GroupBy(u => u.ArrayJobId!)
            .ToDictionary(g => g.Key, g => g.Count());
        foreach (var unit in pending.Where(u => u.State == JobState.Pending))
        {
            string reason;
            if (EvaluateDependencies(unit, Targets) is null)
                reason = "Dependency";
            else if (
                unit.ArrayJobId is not null
                && unit.ArrayThrottle is { } limit
                && perArray.GetValueOrDefault(unit.ArrayJobId) >= limit
            )
                reason = "JobArrayTaskLimit";
            else if (used + unit.Cpus > slots)
                reason = "Resources";
            else
            {
                used += unit.Cpus;
                if (unit.ArrayJobId is not null)
                    perArray[unit.ArrayJobId] = perArray.GetValueOrDefault(unit.ArrayJobId) + 1;
                Start(unit);
                continue;
            }
            if (unit.Reason != reason)
            {
                unit.Reason = reason;
                Save(unit);
            }
        }
    }

    /// <summary>
    /// The slots the scheduling pass may fill: as <see cref="LocalScheduler.TotalCpus"/>, but a bad setting never stops running jobs'
    /// successors.
    /// </summary>
    private static int SlotsForScheduling()
    {
        try
        {
            return LocalScheduler.TotalCpus;
        }
        catch (HpcErrorException)
        {
            return Environment.ProcessorCount;
        }
    }

    /// <summary>True: can start. False: can never start. Null: must wait.</summary>
    private static bool? EvaluateDependencies(LocalJobRecord unit, Func<string, List<LocalJobRecord>?> targets)
    {
        bool? result = true;
        foreach (var dep in unit.Dependencies)
        {
            List<LocalJobRecord>? t;
            try
            {
                t = targets(dep.JobId);
            }
            catch (LocalStateException)
            {
                result = null; // the record it waits for is unreadable: wait rather than guess
                continue;
            }
            var met = DependencyRule.IsMet(dep.Kind, t?.Select(x => x.State).ToList() ?? []);
            if (met is false)
                return false;
            if (met is null)
                result = null;
        }
        return result;
    }

    /// <summary>The units a dependency names: from memory when active, else the store (finished ones never change).</summary>
    private List<LocalJobRecord>? TargetsOf(string id, Dictionary<string, List<LocalJobRecord>?> finished)
    {
        if (_active.TryGetValue(id, out var live))
            return [live];
        if (finished.TryGetValue(id, out var known))
            return known;
        List<LocalJobRecord>? result;
        if (_store.LoadArray(id) is { } array)
            result = array
                .TaskIds.Select(t => _active.TryGetValue(t, out var u) ? u : _store.LoadUnit(t))
                .OfType<LocalJobRecord>()
                .ToList();
        else
            result = _store.LoadUnit(id) is { } unit ? [unit] : null;
        finished[id] = result;
        return result;
    }

    private void Start(LocalJobRecord unit)
    {
        unit.State = JobState.Running;
        unit.NativeState = "RUNNING";
        unit.Reason = null;
        unit.StartTime = DateTimeOffset.Now;
        unit.ShepherdPid = _pid;
        unit.ShepherdStartTicks = _startTicks;
        try
        {
            var pid = Native.SpawnJob(
                unit.Argv,
                unit.Environment,
                unit.WorkingDirectory,
                unit.StdOutPath,
                unit.StdErrPath
            );
            unit.ProcessGroup = pid;
            _byPid[pid] = unit.Id;
            _children.Release();
            if (unit.Resources?.Walltime is { } wall)
                _timers[unit.Id] = new Timer(
                    _ => Kill(unit.Id, (JobState.TimedOut, "TIMEOUT", "TimeLimit")),
                    null,
                    wall,
                    Timeout.InfiniteTimeSpan
                );
            Save(unit);
        }
        catch (IOException e)
        {
            unit.Finish(JobState.Failed, "FAILED", $"LaunchFailed: {e.Message}", exitCode: 127);
            End(unit);
        }
    }

    private void Cancel(string id)
    {
        if (!_active.TryGetValue(id, out var unit))
            return;
        if (unit.State == JobState.Pending)
        {
            unit.Finish(JobState.Cancelled, "CANCELLED", "Cancelled by user");
            End(unit);
        }
        else
            Kill(id, (JobState.Cancelled, "CANCELLED", "Cancelled by user"));
    }

    /// <summary>
    /// SIGTERM to the job's process group (after SIGCONT, so a stopped job can act on it), SIGKILL after <see
    /// cref="KillWait"/>.
    /// </summary>
    private void Kill(string id, (JobState, string, string) why)
    {
        lock (_gate)
        {
            if (
                !_active.TryGetValue(id, out var unit)
                || unit.ProcessGroup is not { } group
                || _killedFor.ContainsKey(id)
            )
                return;
            _killedFor[id] = why;
            Native.kill(-group, Native.SIGCONT);
            Native.kill(-group, Native.SIGTERM);
            _timers.Remove(id, out var old);
            old?.Dispose();
            _timers[id] = new Timer(_ => Native.kill(-group, Native.SIGKILL), null, KillWait, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The reaper: blocks in wait4 for any child, so a job's end is seen the moment it happens.</summary>
    private void Reap()
    {
        while (true)
        {
            var pid = Native.wait4(-1, out var status, 0, out var usage);
            if (pid < 0)
            {
                _children.Wait(); // no children (ECHILD): sleep until one is started
                continue;
            }
            lock (_gate)
            {
                if (!_byPid.Remove(pid, out var id) || !_active.TryGetValue(id, out var unit))
                    continue;
                // like a batch system, the job's end ends every process it left in its group
                if (Native.ProcessGroupAlive(pid))
                {
                    Native.kill(-pid, Native.SIGTERM);
                    _ = Task.Delay(TimeSpan.FromSeconds(2))
                        .ContinueWith(_ => Native.kill(-pid, Native.SIGKILL), TaskScheduler.Default);
                }
                unit.CpuTime = usage.CpuTime;
                unit.MaxRssBytes = usage.MaxRssKiB * 1024;
                var (exitCode, signal) = Native.DecodeWaitStatus(status);
                var code = signal is null ? exitCode : 128 + signal;
                if (_killedFor.Remove(id, out var k))
                    unit.Finish(k.State, k.Native, k.Reason, code, signal);
                else if (signal is not null)
                    unit.Finish(JobState.Failed, "FAILED", $"Killed by signal {signal}", code, signal);
                else if (exitCode == 0)
                    unit.Finish(JobState.Completed, "COMPLETED", null, 0);
                else
                    unit.Finish(JobState.Failed, "FAILED", "NonZeroExitCode", exitCode);
                End(unit);
                Schedule();
            }
        }
    }

    /// <summary>A unit left the active set: its record is written, its timers dropped, waiting clients woken.</summary>
    private void End(LocalJobRecord unit)
    {
        _active.Remove(unit.Id);
        if (_timers.Remove(unit.Id, out var timer))
            timer.Dispose();
        Save(unit);
        _changes++;
        _lastActivity = DateTimeOffset.Now;
        Monitor.PulseAll(_gate);
    }

    private void Save(LocalJobRecord unit)
    {
        using (_store.Lock())
            _store.SaveUnit(unit);
    }
}
