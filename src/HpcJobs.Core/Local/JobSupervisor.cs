using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Platform;

namespace HpcJobs.Core.Local;

// Over 400 lines: every member runs under the one gate; keeping the daemon's job state machine in one file keeps that
// discipline visible.

/// <summary>
/// The Local daemon's jobs: the pending and running ones in memory (so a scheduling pass never reads the store), each
/// started as a direct child in a session of its own, reaped by one wait4 thread, ended by timers at its walltime, and
/// every change written to the store, which stays the source of truth. Every member but <see cref="Guarded"/> and
/// <see cref="WaitForAnyEnd"/> is called with <see cref="Gate"/> held; <see cref="LocalDaemon"/> serves the socket.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class JobSupervisor
{
    private readonly LocalStateStore _store;
    private readonly Dictionary<string, LocalJobRecord> _active = [];
    private readonly Dictionary<string, (JobState State, string Native, string Reason)> _killedFor = [];
    private readonly Dictionary<string, Timer> _timers = [];
    private readonly int _pid = Environment.ProcessId;
    private readonly long? _startTicks = Native.ProcessStartTicks(Environment.ProcessId);
    private readonly Dictionary<string, LocalJobRecord> _unsaved = [];
    private readonly JobPeakMemory _peakMemory = new();
    private readonly JobReaper _reaper;
    private long _changes;

    public JobSupervisor(LocalStateStore store, DaemonLog log)
    {
        _store = store;
        Log = log;
        _reaper = new JobReaper(
            Gate,
            (id, status, usage) => Guarded($"recording the end of job {id}", () => Reaped(id, status, usage))
        );
    }

    /// <summary>Held for every change to the jobs in memory; pulsed whenever one of them changes.</summary>
    public object Gate { get; } = new();

    public DaemonLog Log { get; }

    /// <summary>The CPUs jobs may use at once (a client's <c>slots=</c> sets it).</summary>
    public int Slots { get; set; } = LocalSettings.Cpus(orDefault: true);

    /// <summary>When a job last ended, for the daemon's idle time.</summary>
    public DateTimeOffset LastEnd { get; private set; } = DateTimeOffset.Now;

    /// <summary>Nothing to run and nothing left to write: the daemon may go once it is idle.</summary>
    public bool Done => _active.Count == 0 && _unsaved.Count == 0;

    /// <summary>Takes over what a previous daemon left (<see cref="Recover"/>), schedules, and starts reaping.</summary>
    public void Begin()
    {
        lock (Gate)
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
        _reaper.Start();
    }

    /// <summary>New records a client wrote: the unfinished ones join the jobs in memory.</summary>
    public void Submitted(IEnumerable<string> ids)
    {
        foreach (var id in ids)
            if (_store.LoadUnit(id) is { IsFinished: false } unit)
                _active[unit.Id] = unit;
        Schedule();
    }

    public void Cancel(IEnumerable<string> ids)
    {
        foreach (var id in ids)
            Cancel(id);
        Schedule();
    }

    public void Control(string verb, IEnumerable<string> ids)
    {
        foreach (var id in ids)
            Control(verb, id);
        Schedule();
    }

    /// <summary>
    /// Set-HpcJob: <paramref name="changes"/> applied to the jobs that have not started (pending or held) and saved; a job
    /// that started meanwhile keeps its values (the client sees so in its record).
    /// </summary>
    public void Change(IEnumerable<string> ids, JobChanges changes)
    {
        foreach (var id in ids)
        {
            if (!_active.TryGetValue(id, out var unit) || unit.State is not (JobState.Pending or JobState.Held))
                continue;
            LocalChanges.Apply(unit, changes);
            Save(unit);
        }
        _changes++;
        Monitor.PulseAll(Gate);
        Schedule();
    }

    /// <summary>
    /// The once-a-second work: records that could not be written are tried again, begin times that came start their
    /// jobs, memory is sampled.
    /// </summary>
    public void Housekeep()
    {
        Guarded("saving records", SaveUnsaved);
        if (_active.Values.Any(u => u.Reason == "BeginTime" && u.BeginTime <= DateTimeOffset.Now))
            Guarded("starting jobs whose begin time came", Schedule);
        Guarded("sampling memory", () => _peakMemory.Sample(_active.Values.Where(u => u.State == JobState.Running)));
    }

    /// <summary>
    /// The state folder is gone (deleted or replaced): records cannot be saved and no client can reach the daemon, so
    /// waiting jobs are dropped and the running ones run to their end, their records lost. True when none is left.
    /// </summary>
    public bool LetGoOfTheStore()
    {
        _unsaved.Clear();
        foreach (var waiting in _active.Values.Where(u => u.State != JobState.Running).ToList())
            _active.Remove(waiting.Id);
        return _active.Count == 0;
    }

    /// <summary>
    /// Runs one piece of the daemon's work so that no exception can end the daemon (and with it every running job's
    /// exit status): a failure is written to <c>daemon.log</c> in the state folder and the daemon carries on.
    /// </summary>
    public void Guarded(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            Log.Write($"{what} failed: {e}");
        }
    }

    /// <summary>Forgets finished jobs older than the retention, so the store does not grow without bound.</summary>
    public void Purge()
    {
        if (LocalSettings.RetentionDays(orDefault: true) is { } days)
            _store.PurgeFinishedBefore(DateTime.UtcNow - days);
    }

    /// <summary>Returns when one of <paramref name="ids"/> (a unit, or any task of an array) is not pending or running.</summary>
    public void WaitForAnyEnd(List<string> ids)
    {
        while (true)
        {
            long seen;
            lock (Gate)
            {
                seen = _changes;
                // a job has ended for its waiters once its end is on record (not while the record waits to be written)
                if (
                    ids.Count == 0
                    || ids.Any(id => !_active.Values.Concat(_unsaved.Values).Any(u => u.Id == id || u.ArrayJobId == id))
                )
                    return;
            }
            lock (Gate)
                while (_changes == seen)
                    Monitor.Wait(Gate);
        }
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
    public void Schedule()
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
            Slots,
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
        Monitor.PulseAll(Gate);
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
    /// cref="LocalDaemon.KillWait"/>.
    /// </summary>
    private void Kill(string id, (JobState, string, string) why) =>
        Guarded(
            $"ending job {id}",
            () =>
            {
                lock (Gate)
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
                        LocalDaemon.KillWait,
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
            Monitor.PulseAll(Gate);
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
        LastEnd = DateTimeOffset.Now;
        Monitor.PulseAll(Gate);
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
                Log.Write($"job {unit.Id}: record written");
                _changes++;
                Monitor.PulseAll(Gate);
            }
        }
        catch (LocalStateException e)
        {
            if (_unsaved.TryAdd(unit.Id, unit))
                Log.Write($"job {unit.Id}: record not written, kept in memory and retried: {e.Message}");
            _unsaved[unit.Id] = unit;
        }
    }

    private void SaveUnsaved()
    {
        foreach (var unit in _unsaved.Values.ToList())
            Save(unit);
    }
}
