using System.Globalization;
using System.Net.Sockets;
using System.Text;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Platform;

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
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LocalDaemon
{
    /// <summary>Grace between SIGTERM and SIGKILL, as SLURM's KillWait.</summary>
    public static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    public const string SocketName = "daemon.sock";

    private readonly LocalStateStore _store;
    private readonly object _gate = new();
    private readonly Dictionary<string, LocalJobRecord> _active = [];
    private readonly Dictionary<string, (JobState State, string Native, string Reason)> _killedFor = [];
    private readonly Dictionary<string, Timer> _timers = [];
    private readonly int _pid = Environment.ProcessId;
    private readonly long? _startTicks = Native.ProcessStartTicks(Environment.ProcessId);
    private readonly Dictionary<string, LocalJobRecord> _unsaved = [];

    private readonly JobPeakMemory _peakMemory = new();
    private readonly JobReaper _reaper;
    private readonly DaemonLog _log;
    private DateTimeOffset _lastActivity = DateTimeOffset.Now;
    private long _changes;
    private volatile int _slots = LocalSettings.Cpus(orDefault: true);

    private LocalDaemon(LocalStateStore store)
    {
        _store = store;
        _log = new DaemonLog(Path.Combine(store.Root, "daemon.log"));
        _reaper = new JobReaper(
            _gate,
            (id, status, usage) => Guarded($"recording the end of job {id}", () => Reaped(id, status, usage))
        );
    }

    public static string SocketPath(string stateRoot) => Path.Combine(stateRoot, SocketName);

    /// <summary>Runs the daemon until it has been idle for <see cref="LocalSettings.DaemonIdle"/>. Returns 0.</summary>
    public static int Run(string stateRoot)
    {
        JobSpawn.DetachStandardStreams();
        Native.setsid();
        Native.umask(0x3F); // 077: what the daemon itself creates is private; each job gets its submitter's umask
        var store = new LocalStateStore(stateRoot);
        FileLock daemonLock;
        try
        {
            daemonLock = FileLock.Open(Path.Combine(store.Root, "daemon.lock"));
        }
        catch (IOException)
        {
            return 0;
        }
        using var held = daemonLock; // for as long as this daemon serves
        if (!daemonLock.TryTake())
            return 0; // another daemon serves this state folder
        var daemon = new LocalDaemon(store);
        try
        {
            daemon.Serve(LocalSettings.DaemonIdle(orDefault: true));
        }
        catch (Exception e)
        {
            daemon._log.Write($"start failed or the daemon stopped: {e.Message}");
            return 1;
        }
        return 0;
    }

    private void Serve(TimeSpan idle)
    {
        var path = SocketPath(_store.Root);
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        DaemonSocket.Use(path, listener.Bind);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(512);
        lock (_gate)
        {
            Guarded(
                "recovery",
                () =>
                {
                    Recover();
                    Schedule();
                }
            );
        }
        var nextPurge = DateTimeOffset.Now;
        var folder = Native.LStat(_store.Root);
        _reaper.Start();
        var nextHousekeeping = DateTimeOffset.Now;
        while (true)
        {
            if (listener.Poll(1_000_000, SelectMode.SelectRead))
            {
                var client = listener.Accept();
                _lastActivity = DateTimeOffset.Now;
                // short requests on the thread pool; a wait, which may block for long, moves to a thread of its own
                ThreadPool.UnsafeQueueUserWorkItem(_ => Handle(client), null);
            }
            // once a second however busy the socket is: records that could not be written are tried again
            if (DateTimeOffset.Now < nextHousekeeping)
                continue;
            nextHousekeeping = DateTimeOffset.Now.AddSeconds(1);
            if (DateTimeOffset.Now >= nextPurge)
            {
                Guarded("retention purge", Purge);
                nextPurge = DateTimeOffset.Now.AddHours(1);
            }
            lock (_gate)
            {
                Guarded("saving records", SaveUnsaved);
                if (_active.Values.Any(u => u.Reason == "BeginTime" && u.BeginTime <= DateTimeOffset.Now))
                    Guarded("starting jobs whose begin time came", Schedule);
                Guarded(
                    "sampling memory",
                    () => _peakMemory.Sample(_active.Values.Where(u => u.State == JobState.Running))
                );
                if (FolderGone(folder))
                {
                    // the state folder was deleted (or replaced): its records cannot be saved and its socket is gone, so
                    // no client can reach this daemon; it ends when the jobs it runs have ended (their records lost)
                    _unsaved.Clear();
                    foreach (var waiting in _active.Values.Where(u => u.State != JobState.Running).ToList())
                        _active.Remove(waiting.Id);
                    if (_active.Count == 0)
                        return;
                }
                if (_active.Count == 0 && _unsaved.Count == 0 && DateTimeOffset.Now - _lastActivity > idle)
                {
                    File.Delete(path);
                    return;
                }
            }
        }
    }

    private bool FolderGone(Native.FileStatus? atStart) =>
        Native.LStat(_store.Root) is not { } now
        || atStart is not { } was
        || now.Inode != was.Inode
        || now.Device != was.Device;

    /// <summary>
    /// Runs one piece of the daemon's work so that no exception can end the daemon (and with it every running job's
    /// exit status): a failure is written to <c>daemon.log</c> in the state folder and the daemon carries on.
    /// </summary>
    private void Guarded(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            _log.Write($"{what} failed: {e}");
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
            if (PeerUid(client) is { } uid && uid != StateFolderTrust.CurrentUser)
            {
                writer.WriteLine(
                    $"{LocalDaemonProtocol.Error} this daemon serves uid {StateFolderTrust.CurrentUser} only"
                );
                return;
            }
            var line = reader.ReadLine();
            if (line is null)
                return;
            var (verb, slots, ids) = LocalDaemonProtocol.Parse(line);
            if (slots is { } n)
                _slots = n;
            switch (verb)
            {
                case LocalDaemonProtocol.Submitted:
                    lock (_gate)
                    {
                        foreach (var id in ids)
                            if (_store.LoadUnit(id) is { IsFinished: false } unit)
                                _active[unit.Id] = unit;
                        Schedule();
                    }
                    break;
                case LocalDaemonProtocol.Schedule:
                    lock (_gate)
                        Schedule();
                    break;
                case LocalDaemonProtocol.Cancel:
                    lock (_gate)
                    {
                        foreach (var id in ids)
                            Cancel(id);
                        Schedule();
                    }
                    break;
                case LocalDaemonProtocol.Hold or LocalDaemonProtocol.Release or LocalDaemonProtocol.Requeue:
                    lock (_gate)
                    {
                        foreach (var id in ids)
                            Control(verb, id);
                        Schedule();
                    }
                    break;
                case LocalDaemonProtocol.Wait:
                    var waiter = new Thread(() =>
                    {
                        try
                        {
                            WaitForAnyEnd(ids);
                            writer.WriteLine(LocalDaemonProtocol.Ok);
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
                    writer.WriteLine($"{LocalDaemonProtocol.Error} unknown request '{line}'");
                    return;
            }
            writer.WriteLine(LocalDaemonProtocol.Ok);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // the client went away (a wait it stopped): that request alone ends
        }
        catch (Exception e)
        {
            // a record that cannot be read or written, or a bug: that request fails, the daemon carries on
            _log.Write($"request failed: {e}");
            try
            {
                writer.WriteLine($"{LocalDaemonProtocol.Error} {e.Message.ReplaceLineEndings(" ")}");
            }
            catch (Exception) { }
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

    /// <summary>The uid of the process at the other end of a Unix socket (SO_PEERCRED: struct ucred {pid, uid, gid}).</summary>
    private static uint? PeerUid(Socket socket)
    {
        var credentials = new byte[12];
        try
        {
            return socket.GetRawSocketOption(1, 17, credentials) == 12 ? BitConverter.ToUInt32(credentials, 4) : null;
        }
        catch (SocketException)
        {
            return null;
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
                // a job has ended for its waiters once its end is on record (not while the record waits to be written)
                if (
                    ids.Count == 0
                    || ids.Any(id => !_active.Values.Concat(_unsaved.Values).Any(u => u.Id == id || u.ArrayJobId == id))
                )
                    return;
            }
            lock (_gate)
                while (_changes == seen)
                    Monitor.Wait(_gate);
        }
    }

    /// <summary>Forgets finished jobs older than the retention, so the store does not grow without bound.</summary>
    private void Purge()
    {
        if (LocalSettings.RetentionDays(orDefault: true) is { } days)
            _store.PurgeFinishedBefore(DateTime.UtcNow - days);
    }

    /// <summary>
    /// Running jobs a previous daemon left behind: without their supervisor their exit status can never be known, so
    /// they are ended and reported like a node failure. Pending ones are taken over.
    /// </summary>
    private void Recover()
    {
        foreach (var unit in _store.LoadActiveUnits())
        {
            if (unit.State == JobState.Running)
            {
                if (unit.DaemonPid != _pid && JobProcesses.DaemonAlive(unit))
                    continue; // another daemon (of an older version, say) still runs it
                JobProcesses.EndOrphan(unit);
                Save(unit);
                continue;
            }
            _active[unit.Id] = unit;
        }
    }

    /// <summary>Runs the scheduling pass (<see cref="LocalSchedulingPass"/>) over the jobs in memory and carries it out.</summary>
    private void Schedule()
    {
        // a job that cannot be launched ends at once: its CPUs are free again for the jobs this pass left waiting
        while (SchedulingPass() is false) { }
    }

    /// <summary>One pass; false when a job it started could not be launched, so that another pass is due.</summary>
    private bool SchedulingPass()
    {
        var launched = true;
        var finished = new Dictionary<string, List<LocalJobRecord>?>();
        var outcomes = LocalSchedulingPass.Decide(
            _active.Values.Where(u => u.State == JobState.Pending).ToList(),
            _active.Values.Where(u => u.State == JobState.Running).ToList(),
            _slots,
            DateTimeOffset.Now,
            id => TargetsOf(id, finished)
        );
        foreach (var (unit, decision, reason) in outcomes)
        {
            switch (decision)
            {
                case PassDecision.NeverRuns:
                    unit.Finish(JobState.Cancelled, "CANCELLED", reason);
                    End(unit);
                    break;
                case PassDecision.Start:
                    launched &= Start(unit);
                    break;
                case PassDecision.Wait when unit.Reason != reason:
                    unit.Reason = reason;
                    Save(unit);
                    break;
            }
        }
        return launched;
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

    /// <summary>Starts the unit's processes; false when they could not be launched (the unit has then ended, Failed).</summary>
    private bool Start(LocalJobRecord unit)
    {
        unit.State = JobState.Running;
        unit.NativeState = "RUNNING";
        unit.Reason = null;
        unit.StartTime = DateTimeOffset.Now;
        unit.DaemonPid = _pid;
        unit.DaemonStartTicks = _startTicks;
        int pid;
        try
        {
            pid = JobProcesses.Start(unit);
        }
        catch (IOException e)
        {
            unit.Finish(JobState.Failed, "FAILED", $"LaunchFailed: {e.Message}", exitCode: 127);
            End(unit);
            return false;
        }
        _peakMemory.Spawned(unit.Id);
        _reaper.Started(pid, unit.Id);
        if (unit.Resources?.Walltime is { } wall)
        {
            _timers[unit.Id] = new Timer(
                _ => Kill(unit.Id, (JobState.TimedOut, "TIMEOUT", "TimeLimit")),
                null,
                wall,
                Timeout.InfiniteTimeSpan
            );
            if (unit.WarnSignal is { } warn && unit.WarnSeconds is { } before)
                _timers[unit.Id + "#signal"] = new Timer(
                    _ => Guarded($"signalling job {unit.Id}", () => JobProcesses.SignalLeader(unit, warn)),
                    null,
                    wall - TimeSpan.FromSeconds(Math.Min(before, wall.TotalSeconds)),
                    Timeout.InfiniteTimeSpan
                );
        }
        Save(unit);
        return true;
    }

    /// <summary>Hold a pending job, release a held one, or end a running one to queue it again (<see cref="Reaped"/>).</summary>
    private void Control(string verb, string id)
    {
        if (!_active.TryGetValue(id, out var unit))
            return;
        switch (verb)
        {
            case LocalDaemonProtocol.Hold when unit.State == JobState.Pending:
                unit.State = JobState.Held;
                unit.NativeState = "HELD";
                unit.Reason = "JobHeldUser";
                Save(unit);
                break;
            case LocalDaemonProtocol.Release when unit.State == JobState.Held:
                unit.State = JobState.Pending;
                unit.NativeState = "PENDING";
                unit.Reason = null;
                Save(unit);
                break;
            case LocalDaemonProtocol.Requeue when unit.State == JobState.Running:
                Kill(id, (JobState.Pending, "REQUEUED", "Requeued by user"));
                break;
        }
        _changes++;
        Monitor.PulseAll(_gate);
    }

    private void Cancel(string id)
    {
        if (!_active.TryGetValue(id, out var unit))
            return;
        if (unit.State is JobState.Pending or JobState.Held)
        {
            unit.Finish(JobState.Cancelled, "CANCELLED", LocalJobRecord.CancelledByUser);
            End(unit);
        }
        else
            Kill(id, (JobState.Cancelled, "CANCELLED", LocalJobRecord.CancelledByUser));
    }

    /// <summary>
    /// SIGTERM to the job's process group (after SIGCONT, so a stopped job can act on it), SIGKILL after <see
    /// cref="KillWait"/>.
    /// </summary>
    private void Kill(string id, (JobState, string, string) why) =>
        Guarded(
            $"ending job {id}",
            () =>
            {
                lock (_gate)
                {
                    if (
                        !_active.TryGetValue(id, out var unit)
                        || unit.ProcessGroup is null
                        || _killedFor.ContainsKey(id)
                    )
                        return;
                    _killedFor[id] = why;
                    JobProcesses.Signal(unit, Native.SIGCONT);
                    JobProcesses.Signal(unit, Native.SIGTERM);
                    _timers.Remove(id, out var old);
                    old?.Dispose();
                    _timers[id] = new Timer(
                        _ => Guarded($"killing job {id}", () => JobProcesses.Signal(unit, Native.SIGKILL)),
                        null,
                        KillWait,
                        Timeout.InfiniteTimeSpan
                    );
                }
            }
        );

    private void Reaped(string id, int status, Native.Rusage usage)
    {
        if (!_active.TryGetValue(id, out var unit))
            return;
        // like a batch system, the job's end ends every process it left in its group
        if (JobProcesses.Signal(unit, Native.SIGTERM) > 0)
            _ = Task.Delay(TimeSpan.FromSeconds(2))
                .ContinueWith(
                    _ => Guarded($"killing what job {id} left", () => JobProcesses.Signal(unit, Native.SIGKILL)),
                    TaskScheduler.Default
                );
        unit.CpuTime = usage.CpuTime;
        unit.MaxRssBytes = _peakMemory.EndedBytes(unit.Id, usage.MaxRssKiB);
        var (exitCode, signal) = JobSpawn.DecodeWaitStatus(status);
        var end = JobEnd.From(exitCode, signal, _killedFor.Remove(id, out var k) ? k : null);
        if (end.State == JobState.Pending)
        {
            unit.Requeued(end.Reason ?? "Requeued");
            DropTimers(unit.Id);
            Save(unit);
            _changes++;
            Monitor.PulseAll(_gate);
        }
        else
        {
            unit.Finish(end.State, end.NativeState, end.Reason, end.ExitCode, end.Signal);
            End(unit);
        }
        Schedule();
    }

    /// <summary>The unit's walltime, kill and -Signal timers.</summary>
    private void DropTimers(string id)
    {
        foreach (var key in new[] { id, id + "#signal" })
            if (_timers.Remove(key, out var timer))
                timer.Dispose();
    }

    /// <summary>A unit left the active set: its record is written, its timers dropped, waiting clients woken.</summary>
    private void End(LocalJobRecord unit)
    {
        _active.Remove(unit.Id);
        DropTimers(unit.Id);
        Save(unit);
        _changes++;
        _lastActivity = DateTimeOffset.Now;
        Monitor.PulseAll(_gate);
    }

    /// <summary>
    /// Writes a record. A write that fails (a full disk, the folder removed) must not lose the outcome: the record is
    /// kept in memory and written again every second until it lands (the daemon does not exit before that).
    /// </summary>
    private void Save(LocalJobRecord unit)
    {
        try
        {
            using (_store.Lock())
                _store.SaveUnit(unit);
            if (_unsaved.Remove(unit.Id))
            {
                _log.Write($"job {unit.Id}: record written");
                _changes++;
                Monitor.PulseAll(_gate);
            }
        }
        catch (LocalStateException e)
        {
            if (_unsaved.TryAdd(unit.Id, unit))
                _log.Write($"job {unit.Id}: record not written, kept in memory and retried: {e.Message}");
            _unsaved[unit.Id] = unit;
        }
    }

    private void SaveUnsaved()
    {
        foreach (var unit in _unsaved.Values.ToList())
            Save(unit);
    }
}
