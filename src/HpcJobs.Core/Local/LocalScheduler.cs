using System.Globalization;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Local;

/// <summary>
/// The embedded batch system: jobs run on this machine under a per-user daemon (<see cref="LocalDaemon"/>); their records
/// live in a per-user state folder (<see cref="LocalStateStore"/>), so any later session can follow them. Clients write
/// new records and tell the daemon; status is read from the store, without the daemon.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class LocalScheduler : IScheduler, IJobEndNotifier, IJobControl, IJobChanger
{
    private readonly LocalStateStore _store;
    private readonly LocalDaemonClient _daemon;
    private readonly IProcessRunner _runner;

    public LocalScheduler(string? stateRoot = null, IProcessRunner? runner = null)
        : this(new LocalStateStore(stateRoot ?? LocalStateStore.DefaultRoot()), runner ?? CliWrapProcessRunner.Instance)
    { }

    internal LocalScheduler(LocalStateStore store, IProcessRunner runner)
    {
        _store = store;
        _runner = runner;
        _daemon = new LocalDaemonClient(_store.Root, new LocalAgentLauncher(runner));
    }

    public SchedulerKind Kind => SchedulerKind.Local;
    public string StateDirectory => _store.Root;

    /// <summary>Slots: $HPCJOBS_LOCAL_CPUS, else the machine's CPU count. A bad value is an error.</summary>
    public static int Slots => LocalSettings.Cpus();

    /// <summary>Memory a Local job may ask for: what this machine (or its cgroup) has.</summary>
    public static long MachineMemory => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    public SchedulerDescription Describe() =>
        new(
            SchedulerKind.Local,
            "Local",
            typeof(LocalScheduler).Assembly.GetName().Version?.ToString(),
            $"{Slots} CPU slots on {Environment.MachineName}; state in {_store.Root}",
            SchedulerCapabilities.Arrays
                | SchedulerCapabilities.ArrayThrottle
                | SchedulerCapabilities.Dependencies
                | SchedulerCapabilities.Walltime
                | SchedulerCapabilities.FinishedJobHistory
                | SchedulerCapabilities.ReadOutput
                | SchedulerCapabilities.ListJobs
                | SchedulerCapabilities.Accounting
                | SchedulerCapabilities.Hold
                | SchedulerCapabilities.Requeue
                | SchedulerCapabilities.BeginTime
                | SchedulerCapabilities.SignalBeforeWalltime
        );

    public SubmissionPlan Plan(JobRequest request)
    {
        LocalSettings.Validate();
        LocalJobId.Form.CheckDependencies(request);
        return LocalSubmission.Plan(request.Validate(Kind), Slots, MachineMemory);
    }

    public async Task<JobInfo> SubmitAsync(JobRequest request, CancellationToken cancellationToken = default)
    {
        Plan(request);
        var workDir = Path.GetFullPath(request.WorkingDirectory ?? Environment.CurrentDirectory);
        var baseEnv = LocalSubmission.JobEnvironment(request);

        LocalJobRecord[] units;
        string baseId;
        using (_store.Lock())
        {
            CheckDependencyTargets(request.Dependencies);
            baseId = _store.AllocateId().ToString(CultureInfo.InvariantCulture);
            units = LocalSubmission.NewUnits(
                request,
                baseId,
                baseEnv,
                workDir,
                request.ScriptPath is null ? null : ScriptCopy(baseId)
            );
            // all or nothing: a submission that cannot be written whole leaves no trace
            try
            {
                if (request.ScriptPath is not null)
                    _store.SaveScript(baseId, request.ScriptPath);
                if (request.Array is not null)
                    _store.CreateArray(
                        new LocalArrayRecord
                        {
                            Id = baseId,
                            Name = request.EffectiveName,
                            Tasks = request.Array.ToString(),
                            TaskIds = units.Select(u => u.Id).ToList(),
                        }
                    );
                foreach (var unit in units)
                    _store.CreateUnit(unit);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or LocalStateException)
            {
                _store.Forget(baseId, units.Select(u => u.Id));
                throw e as LocalStateException
                    ?? new LocalStateException(
                        HpcErrors.StateUnusable,
                        _store.Root,
                        $"The job could not be recorded in the Local scheduler's state folder '{_store.Root}': {e.Message}. "
                            + "Nothing was submitted.",
                        e
                    );
            }
        }
        try
        {
            await _daemon
                .SendAsync(LocalDaemonProtocol.Submitted, units.Select(u => u.Id), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (SchedulerUnavailableException e)
        {
            WithdrawUntaken(units, e);
        }
        if (request.Array is null)
            return (_store.LoadUnit(baseId) ?? units[0]).ToJobInfo(_store.Root);
        return SubmissionRules.Submitted(Kind, baseId, request with { WorkingDirectory = workDir }) with
        {
            Location = _store.Root,
            NativeState = "PENDING",
            Reason = null,
            SubmitTime = units[0].SubmitTime,
            StdOutPath = units[0].StdOutPath,
        };
    }

    /// <summary>
    /// No daemon took the new records: rather than leave jobs Pending that nobody may ever run, those still pending are
    /// ended as never run, and the submission fails. A task a (slow) daemon did start stays its job.
    /// </summary>
    private void WithdrawUntaken(LocalJobRecord[] units, SchedulerUnavailableException cause)
    {
        var withdrawn = 0;
        using (_store.Lock())
            foreach (var unit in units)
                if (_store.LoadUnit(unit.Id) is { State: JobState.Pending } pending)
                {
                    pending.Finish(JobState.Cancelled, "CANCELLED", "NotSubmitted: the Local daemon did not answer");
                    _store.SaveUnit(pending);
                    withdrawn++;
                }
        if (withdrawn == units.Length)
            throw new SchedulerUnavailableException($"{cause.Message} Nothing was submitted.", cause);
    }

    private string ScriptCopy(string baseId) => Path.Combine(_store.ScriptsDir, baseId);

    public async Task<StatusReport> GetStatusAsync(
        IReadOnlyCollection<string> jobIds,
        CancellationToken cancellationToken = default
    )
    {
        var jobs = new List<JobInfo>();
        var notFound = new List<JobLookupFailure>();
        var seen = new HashSet<string>();
        foreach (var id in jobIds)
        {
            if (!LocalJobId.IsValid(id))
            {
                notFound.Add(LocalJobId.Form.NotFound(id));
                continue;
            }
            // an unreadable record is that job's error alone: every other job still answers
            List<string> unitIds;
            try
            {
                unitIds = UnitIdsFor(id) ?? [];
            }
            catch (LocalStateException e)
            {
                notFound.Add(new JobLookupFailure(id, e.Message, e.Error));
                continue;
            }
            if (unitIds.Count == 0)
            {
                notFound.Add(
                    new JobLookupFailure(id, $"The Local scheduler has no job '{id}' (state directory {_store.Root}).")
                );
                continue;
            }
            foreach (var unitId in unitIds.Where(seen.Add))
            {
                try
                {
                    if (_store.LoadUnit(unitId) is { } unit)
                        jobs.Add(CheckAlive(unit).ToJobInfo(_store.Root));
                    else
                        notFound.Add(
                            new JobLookupFailure(
                                unitId,
                                $"The Local scheduler has no record of array task '{unitId}' (state directory {_store.Root})."
                            )
                        );
                }
                catch (LocalStateException e)
                {
                    notFound.Add(new JobLookupFailure(unitId, e.Message, e.Error));
                }
            }
        }
        // pending jobs need a daemon to run them (the one that took them may have died)
        if (jobs.Any(j => j.State == JobState.Pending))
        {
            try
            {
                await _daemon.EnsureRunningAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SchedulerUnavailableException e)
            {
                // status still answers from the store, and says why nothing will run
                jobs = jobs.Select(j =>
                        j.State == JobState.Pending ? j with { Reason = $"DaemonUnavailable: {e.Message}" } : j
                    )
                    .ToList();
            }
        }
        return new StatusReport(jobs, notFound);
    }

    /// <summary>The unit ids an id stands for: an array's tasks, or the job itself; null when there is no such job.</summary>
    private List<string>? UnitIdsFor(string id)
    {
        if (!LocalJobId.IsValid(id))
            return null;
        if (_store.LoadArray(id) is { } array)
            return array.TaskIds;
        return _store.UnitExists(id) ? [id] : null;
    }

    public async Task<IReadOnlyList<JobLookupFailure>> CancelAsync(
        IReadOnlyCollection<JobInfo> jobs,
        CancellationToken cancellationToken = default
    )
    {
        var ids = jobs.Select(j => j.JobId).Where(LocalJobId.IsValid).ToList();
        await _daemon.SendAsync(LocalDaemonProtocol.Cancel, ids, cancellationToken).ConfigureAwait(false);
        // the daemon ends pending jobs at once and running ones with SIGTERM (SIGKILL after KillWait): wait for that
        var running = ids.ToList();
        var deadline = DateTimeOffset.Now + LocalDaemon.KillWait + TimeSpan.FromSeconds(5);
        while (running.Count > 0 && DateTimeOffset.Now < deadline)
        {
            running.RemoveAll(id => _store.LoadUnit(id) is not { } u || CheckAlive(u).IsFinished);
            if (running.Count > 0)
                await WaitForEndAsync(running, TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
        }
        return []; // a store is one user's: nothing in it is anybody else's to refuse
    }

    /// <summary>Every job depended on is one of this store's (call under the store's lock).</summary>
    private void CheckDependencyTargets(IEnumerable<JobDependency> dependencies)
    {
        foreach (var dep in dependencies)
            if (dep.Location is { } other && other != _store.Root)
                throw new InvalidJobRequestException(
                    $"Dependency on job '{dep.JobId}' of the Local store '{other}', but this job goes to the store "
                        + $"'{_store.Root}' ($env:HPCJOBS_STATE_DIR): one store's daemon cannot see the other's jobs.",
                    HpcErrors.DependencyNotFound
                );
            else if (_store.LoadUnit(dep.JobId) is null && _store.LoadArray(dep.JobId) is null)
                DependencyRule.RefuseUnknown("the Local scheduler", [new JobLookupFailure(dep.JobId, "")], null);
    }

    /// <summary>Asks the daemon to run a scheduling pass now (it runs one after every submit, cancel and job end anyway).</summary>
    public Task ScheduleAsync(CancellationToken cancellationToken) =>
        _daemon.SendAsync(LocalDaemonProtocol.Schedule, [], cancellationToken);

    /// <summary>Returns when one of <paramref name="jobIds"/> ends, or after <paramref name="atMost"/>: no polling.</summary>
    public async Task WaitForEndAsync(
        IReadOnlyCollection<string> jobIds,
        TimeSpan atMost,
        CancellationToken cancellationToken
    )
    {
        var ids = jobIds.Where(LocalJobId.IsValid).ToList();
        if (ids.Count == 0)
            return;
        try
        {
            await _daemon.WaitAsync(ids, atMost, cancellationToken).ConfigureAwait(false);
        }
        catch (SchedulerUnavailableException)
        {
            await Task.Delay(atMost, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A running unit whose daemon died would read Running forever: it is ended (<see cref="JobProcesses.EndOrphan"/>).</summary>
    private LocalJobRecord CheckAlive(LocalJobRecord unit)
    {
        if (unit.State != JobState.Running || JobProcesses.DaemonAlive(unit))
            return unit;
        using (_store.Lock())
        {
            var current = _store.LoadUnit(unit.Id) ?? unit;
            if (current.State != JobState.Running || JobProcesses.DaemonAlive(current))
                return current;
            JobProcesses.EndOrphan(current);
            _store.SaveUnit(current);
            return current;
        }
    }
}
