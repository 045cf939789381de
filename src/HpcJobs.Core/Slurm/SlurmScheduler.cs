using System.Globalization;
using System.Text.RegularExpressions;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Slurm;

// Over 400 lines: the submit (with its token lookup after a lost answer), the dependency check against accounting and
// the three-call status query share the controller's and the memory's state.

/// <summary>
/// SLURM through its own commands. Status of any number of jobs costs one squeue call, plus at most one sacct call
/// (finished jobs' exit codes, jobs gone from the controller) and one scontrol call (jobs accounting has not caught up
/// with yet, or no accounting at all).
/// </summary>
public sealed partial class SlurmScheduler : IClusterBackEnd, IJobControl, IJobChanger
{
    private static readonly string[] TransientMarkers =
    [
        "Socket timed out",
        "Unable to contact slurm controller",
        "Connection refused",
        "Zero Bytes were transmitted",
        "Transport endpoint is not connected",
        "Communication connection failure",
        "Resource temporarily unavailable",
        "backup controller in standby mode",
        "Connection timed out",
        "Slurm temporarily unable",
    ];

    private readonly SchedulerCommands _commands;
    private readonly RetryPolicy _retry;
    private readonly JobMemory _memory = new();
    private readonly SlurmController _controller;

    public SlurmScheduler(IProcessRunner? runner = null, RetryPolicy? retry = null)
    {
        _retry = retry ?? RetryPolicy.Default;
        _commands = new SchedulerCommands("SLURM", runner ?? CliWrapProcessRunner.Instance, _retry, IsTransient);
        _controller = new SlurmController(_commands);
    }

    public SchedulerKind Kind => SchedulerKind.Slurm;

    /// <summary>A job as this back end hands it out: where it lives, and why it ended.</summary>
    private JobInfo At(JobInfo job) =>
        job.WithEndCause(SlurmStates.EndCause(job.NativeState)) with
        {
            Location = _commands.Location ?? job.Location,
            ReasonExplained = ReasonWords.Explain(job.Reason),
            CancelledBy =
                job.CancelledBy
                ?? SlurmStates.CancelledBy(job.NativeState)
                ?? (
                    job.State == JobState.Cancelled && _memory.WasCancelled(job.JobId, job.ArrayJobId)
                        ? JobMemory.ThisSession
                        : null
                ),
        };

    SchedulerCommands IClusterBackEnd.Commands => _commands;

    JobMemory IClusterBackEnd.Memory => _memory;

    /// <summary>Controller hiccups (socket time-outs, a restarting slurmctld): worth trying again.</summary>
    public static bool IsTransient(ProcessResult r) => SchedulerCommands.FailedWithAny(r, TransientMarkers);

    /// <summary>SLURM commands run by this instance so far.</summary>
    public int SchedulerCalls => _commands.CallCount;

    [GeneratedRegex(@"^\d+(_\d+)?\z")]
    private static partial Regex JobIdShape();

    /// <summary>123 or 123_4, each number one SLURM can hold (a 32-bit job id): squeue fails on a bigger one.</summary>
    internal static readonly JobIdForm Ids = new(
        "SLURM",
        id =>
            JobIdShape().IsMatch(id)
            && id.Split('_').All(part => uint.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out _)),
        "123 or 123_4"
    );

    public SchedulerDescription Describe() =>
        new(
            SchedulerKind.Slurm,
            "SLURM",
            null,
            "sbatch/squeue/sacct/scancel/scontrol"
                + (
                    _controller.AccountingDisabled
                        ? "; accounting disabled (finished jobs known only until MinJobAge)"
                        : ""
                ),
            SchedulerCapabilities.ClusterBatch
                | SchedulerCapabilities.SignalBeforeWalltime
                | SchedulerCapabilities.Qos
                | SchedulerCapabilities.Constraint
                | SchedulerCapabilities.ListJobs
                | (
                    _controller.AccountingDisabled
                        ? SchedulerCapabilities.None
                        : SchedulerCapabilities.FinishedJobHistory | SchedulerCapabilities.Accounting
                )
        );

    public SubmissionPlan Plan(JobRequest request)
    {
        request = _commands.AsTaken(request);
        request.Validate(Kind);
        Ids.CheckDependencies(request);
        if (request.ScriptPath is not null && !request.ScriptOnCluster)
            SubmissionRules.RequireInterpreterLine(request.ScriptPath);
        return SlurmSubmission.Render(request, "<token>");
    }

    public async Task<JobInfo> SubmitAsync(JobRequest request, CancellationToken cancellationToken = default) =>
        await ScriptSubmission
            .SubmitPipedAsync(request, _commands.Runner, CheckBeforeSubmitAsync, SubmitPlannedAsync, cancellationToken)
            .ConfigureAwait(false);

    /// <summary>Every check before sbatch: the plan's, the cluster's array size limit, the dependencies.</summary>
    private async Task<JobRequest> CheckBeforeSubmitAsync(JobRequest request, CancellationToken cancellationToken)
    {
        Plan(request);
        if (
            request.Array is { } array
            && await _controller.MaxArraySizeAsync(cancellationToken).ConfigureAwait(false) is { } max
            && array.Indices.Max() >= max
        )
            throw new InvalidJobRequestException(
                $"ArrayRange '{array}' goes up to index {array.Indices.Max()}, but this cluster's MaxArraySize is {max}: indices must be "
                    + $"0-{max - 1}. Submit several arrays (e.g. 0-{max - 1} and {max}-..., with the script adding an offset) "
                    + "or ask the admins.",
                HpcErrors.InvalidArrayRange
            );
        return await CheckDependenciesAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JobInfo> SubmitPlannedAsync(JobRequest request, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        var plan = SlurmSubmission.Render(request, token);
        var options = new ProcessOptions
        {
            // sbatch exports its own environment to the job (--export=ALL): any value, no escaping
            Environment = request.Environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value),
            StandardInput = plan.Script,
            WorkingDirectory = request.SubmitDirectory, // SLURM_SUBMIT_DIR is sbatch's own directory
        };
        for (var attempt = 1; ; attempt++)
        {
            var result = await _commands
                .RunOnceAsync(plan.Program, plan.Arguments, options, cancellationToken)
                .ConfigureAwait(false);
            if (result.Succeeded)
                return Submitted(SlurmSubmission.ParseJobId(result.StandardOutput), request);
            if (!IsTransient(result))
                throw new SubmitFailedException(
                    "SLURM",
                    SlurmSubmission.ExplainRefusal(
                        string.IsNullOrWhiteSpace(result.StandardError) ? result.StandardOutput : result.StandardError,
                        request
                    ),
                    result.ExitCode
                );
            // the controller may have taken the job before the answer was lost: look for our token before trying again
            await Task.Delay(_retry.Delay(attempt), cancellationToken).ConfigureAwait(false);
            if (await FindByTokenAsync(token, cancellationToken).ConfigureAwait(false) is { } landed)
                return Submitted(landed, request);
            if (attempt >= _retry.MaxAttempts)
                throw new SchedulerUnavailableException(
                    $"SLURM did not accept the job after {attempt} attempts: {result.StandardError.Trim()}"
                );
        }
    }

    private JobInfo Submitted(string id, JobRequest request)
    {
        if (request.Array is not null)
            _memory.RememberArray(id, request.Array.Indices);
        var job = At(SubmissionRules.Submitted(Kind, id, request));
        _memory.Submitted(job);
        return job;
    }

    private async Task<string?> FindByTokenAsync(string token, CancellationToken ct)
    {
        var r = await _commands
            .RunAsync("squeue", ["-h", "--me", "-t", "all", "-o", "%i|%k"], ct)
            .ConfigureAwait(false);
        return r
            .StandardOutput.Split('\n')
            .Select(l => l.Split('|', 2))
            .FirstOrDefault(p => p.Length == 2 && p[1].Trim() == SlurmSubmission.TokenPrefix + token)
            ?[0].Split('_')[0];
    }

    /// <summary>
    /// SLURM treats a dependency on an unknown or purged job as satisfied and runs the job at once. Refuse unknown ids;
    /// for jobs only accounting remembers, decide ourselves: already met → drop the dependency, never met → refuse.
    /// </summary>
    private async Task<JobRequest> CheckDependenciesAsync(JobRequest request, CancellationToken ct)
    {
        if (request.Dependencies.Count == 0)
            return request;
        var ids = request.Dependencies.Select(d => d.JobId).Distinct().ToList();
        var (live, fromAccounting, notFound) = await QueryAsync(ids, ct).ConfigureAwait(false);
        DependencyRule.RefuseUnknown("SLURM", notFound, "SLURM would ignore the dependency and run the job at once");
        var kept = new List<JobDependency>();
        foreach (var dep in request.Dependencies)
        {
            var inController = live.Any(j => Matches(j, dep.JobId));
            if (inController)
            {
                kept.Add(dep);
                continue;
            }
            var done = fromAccounting.Where(j => Matches(j, dep.JobId)).ToList();
            if (done.Count == 0 || done.Any(j => !j.IsFinished))
            {
                kept.Add(dep);
                continue;
            }
            if (DependencyRule.IsMet(dep.Kind, done.Select(j => j.State).ToList()) is false)
                throw new InvalidJobRequestException(
                    $"Dependency {dep} can never be met: job {dep.JobId} ended "
                        + $"{string.Join(", ", done.Select(j => j.State).Distinct())} and is no longer in the controller "
                        + "(SLURM would run the job anyway).",
                    HpcErrors.DependencyNeverSatisfied
                );
        }
        return request with { Dependencies = kept };
    }

    private static bool Matches(JobInfo j, string id) => j.JobId == id || j.ArrayJobId == id;

    public async Task<StatusReport> GetStatusAsync(
        IReadOnlyCollection<string> jobIds,
        CancellationToken cancellationToken = default
    )
    {
        var (live, fromAccounting, notFound) = await QueryAsync(jobIds.Distinct().ToList(), cancellationToken)
            .ConfigureAwait(false);
        return new StatusReport(live.Concat(fromAccounting).Select(At).ToList(), notFound);
    }

    /// <summary>
    /// The status query: squeue for what the controller holds; one sacct for jobs (and array tasks) it has forgotten;
    /// one scontrol for the exact exit code or signal of jobs that ended other than COMPLETED (sacct reports a cancelled
    /// job as 0:0 and lags by seconds). At most three calls, whatever the number of ids.
    /// </summary>
    private async Task<(List<JobInfo> Live, List<JobInfo> FromAccounting, List<JobLookupFailure> NotFound)> QueryAsync(
        IReadOnlyList<string> ids,
        CancellationToken ct
    )
    {
        var (valid, notFound) = Ids.Split(ids);
        if (valid.Count == 0)
            return ([], [], notFound);

        var rows = new List<SqueueRow>();
        var squeueFormat = SlurmOutput.SqueueFormat();
        foreach (
            var squeue in await _commands
                .RunChunkedAsync(
                    "squeue",
                    valid,
                    chunk => ["-h", "-t", "all", "-j", string.Join(',', chunk), "-O", squeueFormat],
                    ct
                )
                .ConfigureAwait(false)
        )
        {
            // "Invalid job id specified": none of this chunk's ids is in the controller
            if (
                !squeue.Succeeded
                && !squeue.StandardError.Contains("Invalid job id specified", StringComparison.Ordinal)
            )
                throw new SchedulerUnavailableException($"squeue failed: {squeue.StandardError.Trim()}");
            if (squeue.Succeeded)
                rows.AddRange(SlurmOutput.ParseSqueue(squeue.StandardOutput));
        }
        var index = new SqueueIndex(rows);
        var found = valid.ToDictionary(id => id, id => SlurmJobs.FromSqueue(index, id));
        foreach (var j in found.Values.SelectMany(x => x))
            _memory.SawLive(j.JobId);

        // arrays whose tasks squeue no longer all shows (finished tasks purged one by one, or cancelled from a pending range)
        bool IsArray(string id) => _memory.IsKnownArray(id) || found[id].Any(j => j.ArrayJobId == id);
        bool Incomplete(string id)
        {
            if (_memory.ArrayTasks(id) is not { } tasks)
                return true;
            var shown = found[id].Select(j => j.ArrayTaskId).ToHashSet(); // a set: arrays have thousands of tasks
            return tasks.Any(t => !shown.Contains(t));
        }
        var askAccounting = valid
            .Where(id => found[id].Count == 0 || (!id.Contains('_') && IsArray(id) && Incomplete(id)))
            .ToList();
        var accountingRows = new List<SacctRow>();
        if (askAccounting.Count > 0 && !_controller.AccountingDisabled)
        {
            var fields = string.Join(',', SlurmOutput.SacctFields);
            foreach (var sacct in await SacctAsync(askAccounting, fields, ct).ConfigureAwait(false))
            {
                if (_controller.SaysAccountingIsOff(sacct))
                    break;
                if (!sacct.Succeeded)
                    throw new SchedulerUnavailableException($"sacct failed: {sacct.StandardError.Trim()}");
                accountingRows.AddRange(SlurmOutput.ParseSacct(sacct.StandardOutput));
            }
        }

        var live = found.Values.SelectMany(x => x).DistinctBy(j => j.JobId).ToList();
        if (live.Any(NeedsExitCode))
        {
            var scontrol = await _commands.RunAsync("scontrol", ["-o", "show", "job"], ct).ConfigureAwait(false);
            var records = SlurmOutput
                .ParseScontrol(scontrol.StandardOutput)
                .GroupBy(SlurmJobs.ScontrolKey)
                .ToDictionary(g => g.Key, g => g.First());
            live = live.Select(j =>
                    NeedsExitCode(j) && records.TryGetValue(j.JobId, out var rec) ? SlurmJobs.WithScontrol(j, rec) : j
                )
                .ToList();
        }

        var fromAccounting = new List<JobInfo>();
        foreach (var id in askAccounting)
        {
            var have = found[id].Select(j => j.JobId).ToHashSet();
            fromAccounting.AddRange(SlurmJobs.FromSacct(accountingRows, id).Where(j => !have.Contains(j.JobId)));
            // an array this process did not submit: its tasks, once squeue and sacct have told them, so that the next
            // query asks accounting only when squeue stops showing one of them (not on every poll). sacct may not
            // know a new array yet (slurmdbd lags by seconds): what it would add are tasks that ended and left the
            // queue, which takes MinJobAge, so squeue's tasks are then all there are.
            if (!id.Contains('_') && !_memory.IsKnownArray(id) && IsArray(id))
                _memory.RememberArray(
                    id,
                    found[id]
                        .Concat(fromAccounting.Where(j => j.ArrayJobId == id))
                        .Select(j => j.ArrayTaskId)
                        .OfType<int>()
                        .Distinct()
                        .Order()
                );
            var expected =
                id.Contains('_') || !IsArray(id) ? [id]
                : _memory.ArrayTasks(id) is { } tasks ? tasks.Select(t => $"{id}_{t}")
                : [];
            foreach (var missing in expected.Where(e => !have.Contains(e) && fromAccounting.All(j => j.JobId != e)))
            {
                if (Vanished(missing) is { } job)
                    fromAccounting.Add(job);
                else
                    notFound.Add(
                        new JobLookupFailure(missing, $"SLURM does not know job {missing} (neither squeue nor sacct).")
                    );
            }
        }
        return (live, fromAccounting.DistinctBy(j => j.JobId).ToList(), notFound);
    }

    /// <summary><c>sacct -P -n -j IDS -o FIELDS</c>, delimited by the unit separator, one call per chunk of ids.</summary>
    private Task<List<ProcessResult>> SacctAsync(IReadOnlyList<string> ids, string fields, CancellationToken ct) =>
        _commands.RunChunkedAsync(
            "sacct",
            ids,
            chunk => ["-P", "-n", $"--delimiter={SlurmOutput.Delimiter}", "-j", string.Join(',', chunk), "-o", fields],
            ct
        );

    private static bool NeedsExitCode(JobInfo j) => j.IsFinished && j.State != JobState.Completed;

    /// <summary>What can honestly be said of a job that neither squeue nor sacct reports any more.</summary>
    private JobInfo? Vanished(string id) =>
        _memory.Vanished(
            id,
            id.Contains('_') ? id.Split('_')[0] : null,
            _controller.ForgetWindow,
            new VanishedWords(
                "Cancelled by HpcJobs; SLURM keeps no record of a pending array task cancelled on its own",
                "CANCELLED",
                "The job left the controller and accounting has not recorded it yet (slurmdbd lags); ask again shortly.",
                _controller.AccountingDisabled
                    ? "The controller no longer holds this job (it ended more than MinJobAge ago) and SLURM accounting "
                        + "is disabled, so its outcome cannot be known."
                    : null
            ),
            vanished => SlurmJobs.Unknown(vanished, "")
        );
}
