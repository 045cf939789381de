using System.Globalization;
using System.Text.RegularExpressions;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Pbs;

// Over 400 lines: PBS's status query is one path through two output formats (JSON, then text where OpenPBS leaves ids
// out), held arrays, stuck dependents and the SLURM wrappers' outcomes; cut apart, each piece would need the others'
// records.

/// <summary>
/// PBS Professional/OpenPBS and Torque through qsub/qstat/qdel. Status of any number of jobs is one qstat call
/// (PBS Pro: <c>qstat -f -F json -x -t</c>, with finished jobs from server history; Torque: <c>qstat -f -t</c>).
/// </summary>
public sealed partial class PbsScheduler : IClusterBackEnd, IJobControl, IJobChanger
{
    /// <summary>Server-connection failures worth trying again (PBS_NET errors, a restarting server, a busy datastore).</summary>
    private static readonly string[] TransientMarkers =
    [
        "cannot connect to server",
        "Connection refused",
        "Connection timed out",
        "No route to host",
        "errno=15010",
        "Server is busy",
        "Communication failure",
        "End of File",
        "Connection reset",
        "pbs_iff",
        "could not connect to",
    ];

    private readonly SchedulerCommands _commands;
    private readonly PbsIdentity _identity;
    private readonly IScheduler? _wrapperOutcomes;
    private readonly JobMemory _memory = new();
    private readonly PbsServerAttributes _server;

    /// <param name="identity">The dialect and version <c>qstat --version</c> gave.</param>
    /// <param name="runner">The process seam.</param>
    /// <param name="wrapperOutcomes">
    /// Only for SchedMD's PBS wrappers, whose qstat prints no exit_status: the SLURM back end that the wrapped jobs really
    /// run on, asked for the outcome of finished (C) jobs.
    /// </param>
    /// <param name="retry">Backoff for status and cancel (never for qsub).</param>
    public PbsScheduler(
        PbsIdentity identity,
        IProcessRunner? runner = null,
        IScheduler? wrapperOutcomes = null,
        RetryPolicy? retry = null
    )
    {
        if (identity.Dialect is null)
            throw new ArgumentException("The PBS dialect is not known.", nameof(identity));
        _identity = identity;
        _commands = new SchedulerCommands(
            "PBS",
            runner ?? CliWrapProcessRunner.Instance,
            retry ?? RetryPolicy.Default,
            IsTransient
        );
        _wrapperOutcomes = wrapperOutcomes;
        _server = new PbsServerAttributes(_commands, identity.Dialect.Value);
    }

    public static bool IsTransient(ProcessResult r) => SchedulerCommands.FailedWithAny(r, TransientMarkers);

    /// <summary>Failures before any request reached the server: a qsub that says one of these queued nothing.</summary>
    private static readonly string[] NeverConnected =
    [
        "cannot connect to server",
        "Connection refused",
        "No route to host",
    ];

    /// <summary>
    /// Whether <c>qstat -f -F json</c> lists every job asked for. OpenPBS built after 23.06.06 prints only the first
    /// (openpbs/openpbs#2672); learnt from the first answer to several ids, then text <c>qstat -f</c> is used instead.
    /// </summary>
    private bool? _jsonListsAll;

    /// <summary>qstat sleeps 200 ms when the same user called it within the same second: polling faster only slows it.</summary>
    public TimeSpan MinPollInterval => TimeSpan.FromSeconds(1);

    public SchedulerKind Kind => SchedulerKind.Pbs;

    /// <summary>A job as this back end hands it out: where it lives, and why it ended (set from its record, or here).</summary>
    private JobInfo At(JobInfo job) =>
        (job.EndCause == JobEndCause.None ? job.WithEndCause() : job) with
        {
            Location = _commands.Location ?? job.Location,
        };

    SchedulerCommands IClusterBackEnd.Commands => _commands;

    JobMemory IClusterBackEnd.Memory => _memory;

    public PbsDialect Dialect => _identity.Dialect!.Value;

    /// <summary>PBS commands run so far (for tests and benchmarks that count scheduler calls).</summary>
    public int SchedulerCalls => _commands.CallCount;

    public SchedulerDescription Describe() =>
        new(
            SchedulerKind.Pbs,
            Dialect == PbsDialect.Pro ? "PBS Professional/OpenPBS" : "Torque",
            _identity.Version,
            $"dialect {Dialect} ({_identity.Evidence})",
            SchedulerCapabilities.ClusterBatch
                | SchedulerCapabilities.ListJobs
                | SchedulerCapabilities.Accounting
                | (
                    Dialect == PbsDialect.Pro
                        ? SchedulerCapabilities.FinishedJobHistory
                        : SchedulerCapabilities.Constraint
                )
        );

    public SubmissionPlan Plan(JobRequest request)
    {
        request = _commands.AsTaken(request);
        var (args, script, notes) = Render(request, "<generated script>");
        return PbsSubmission.Plan(args, script) with { Notes = notes };
    }

    /// <param name="request">The request.</param>
    /// <param name="generatedScriptPath">Where the generated script (for a command) is, or will be.</param>
    /// <param name="scriptShell">The user's script's interpreter when the script was sent to the cluster (its #! line
    /// was read here, before sending).</param>
    private (List<string> Args, string? Script, List<string> Notes) Render(
        JobRequest request,
        string generatedScriptPath,
        string? scriptShell = null
    )
    {
        request.Validate(Kind);
        string? script = null;
        string scriptPath;
        if (
            request.ScriptPath is not null
            && request.ScriptArguments.Count == 0
            && (Dialect == PbsDialect.Torque || request.WorkingDirectory is null)
        )
            scriptPath = request.ScriptPath;
        else
        {
            // a command, or a script with arguments (qsub cannot pass them portably), or a PBS Pro job that must start in a
            // working directory (PBS Pro starts jobs in $HOME): a generated script that cds and execs the argument list
            IReadOnlyList<string> argv = request.ScriptPath is not null
                ? [request.ScriptPath, .. request.ScriptArguments]
                : request.Command;
            script = PbsSubmission.WrapperScript(
                argv,
                Dialect == PbsDialect.Pro || _identity.IsSlurmWrapper ? request.WorkingDirectory : null
            );
            scriptPath = generatedScriptPath;
        }
        if (request.ScriptPath is not null && script is null && !request.ScriptOnCluster)
            SubmissionRules.RequireInterpreterLine(request.ScriptPath);
        var effective = _identity.IsSlurmWrapper ? request with { WorkingDirectory = null } : request; // the wrapper knows no -d
        var (args, notes) = PbsSubmission.Render(effective, Dialect, scriptPath);
        // PBS runs the script through the user's login shell unless told which: a csh user's jobs would start with
        // tcsh's tty warnings, and a sh script would be read by csh. The generated script is sh.
        var shell =
            script is not null ? "/bin/sh"
            : request.ScriptOnCluster ? scriptShell
            : SubmissionRules.PlainInterpreter(request.ScriptPath!);
        if (shell is not null && !_identity.IsSlurmWrapper)
            args.InsertRange(args.Count - 1, ["-S", shell]);
        return (args, script, notes);
    }

    public async Task<JobInfo> SubmitAsync(JobRequest request, CancellationToken cancellationToken = default) =>
        await ScriptSubmission
            .SubmitAsync(request, _commands.Runner, Render, CheckBeforeSubmitAsync, QsubAsync, cancellationToken)
            .ConfigureAwait(false);

    private async Task CheckBeforeSubmitAsync(JobRequest request, CancellationToken ct)
    {
        await _server.CheckArraySizeAsync(request, ct).ConfigureAwait(false);
        await CheckDependenciesAsync(request, ct).ConfigureAwait(false);
    }

    private async Task<JobInfo> QsubAsync(JobRequest request, List<string> args, CancellationToken ct)
    {
        var result = await _commands
            .RunOnceAsync(
                "qsub",
                args,
                new ProcessOptions
                {
                    // PBS_O_WORKDIR; and the values for "-v NAME,..." come from qsub's own environment
                    WorkingDirectory = request.WorkingDirectory,
                    Environment = request.Environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value),
                },
                ct
            )
            .ConfigureAwait(false);
        // never retried: a qsub whose answer was lost may have queued the job, and PBS has no tag to look it up by
        if (!result.Succeeded && IsTransient(result))
            throw new SchedulerUnavailableException(
                $"The PBS server did not answer qsub{(_commands.Location is { } at ? $" on {at}" : "")} "
                    + $"({(result.StandardError + result.StandardOutput).Trim()}). "
                    + (
                        SchedulerCommands.FailedWithAny(result, NeverConnected)
                            ? "Nothing was submitted. "
                            : "The job may have been queued all the same: look with Get-HpcJobStatus before submitting again. "
                    )
                    + "Is pbs_server running (qstat -B shows it), and is PBS_SERVER in /etc/pbs.conf its host?"
            );
        if (!result.Succeeded)
            throw new SubmitFailedException(
                "PBS",
                (result.StandardError + result.StandardOutput).Trim(),
                result.ExitCode
            );
        var id = PbsSubmission.ParseJobId(result.StandardOutput);
        var job = At(SubmissionRules.Submitted(Kind, id, request, PbsSubmission.SafeName(request.EffectiveName).Name));
        _memory.Submitted(job);
        return job;
    }

    private async Task CheckDependenciesAsync(JobRequest request, CancellationToken ct)
    {
        if (request.Dependencies.Count == 0)
            return;
        Ids.CheckDependencies(request);
        var report = await DependencyRule.KnownTargetsAsync(this, request, "PBS", ct).ConfigureAwait(false);
        // a dependent submitted while its target is exiting (E) can be left held for good (Hold_Types s): wait, a
        // few seconds at most, until the target has left E
        var until = DateTimeOffset.Now + ExitingWait;
        while (report.Jobs.Any(j => j.NativeState == "E") && DateTimeOffset.Now < until)
        {
            await Task.Delay(MinPollInterval, ct).ConfigureAwait(false);
            report = await GetStatusAsync(report.Jobs.Select(j => j.JobId).ToList(), ct).ConfigureAwait(false);
        }
    }

    private static readonly TimeSpan ExitingWait = TimeSpan.FromSeconds(15);

    /// <summary>How long after its dependencies ended a dependent still held by the server is taken to be stuck.</summary>
    private static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A dependent the server holds (Hold_Types s) although every job it depends on ended a while ago: OpenPBS leaves a
    /// dependent submitted while its target was exiting held for good. Said, with what to do, and never waited for.
    /// </summary>
    private async Task<List<JobInfo>> WithStuckDependentsAsync(
        List<JobInfo> jobs,
        Dictionary<string, string> dependsOf,
        CancellationToken ct
    )
    {
        var held = jobs.Where(j => j.State == JobState.Held && dependsOf.ContainsKey(j.JobId)).ToList();
        if (held.Count == 0)
            return jobs;
        var targets = held.ToDictionary(j => j.JobId, j => DependencyIds(dependsOf[j.JobId]));
        var (records, unknown) = await QueryAsync(targets.Values.SelectMany(t => t).Distinct().ToList(), ct)
            .ConfigureAwait(false);
        var ended = records
            .Select(r => PbsJobs.FromRecord(r, Dialect, _memory.WasCancelled))
            .Where(j => j.IsFinished && j.EndTime is { } end && DateTimeOffset.Now - end > StuckAfter)
            .Select(j => j.JobId)
            .Concat(unknown)
            .ToHashSet();
        return jobs.Select(j =>
                targets.TryGetValue(j.JobId, out var ids) && ids.Count > 0 && ids.All(ended.Contains)
                    ? j with
                    {
                        CanNeverRun = true,
                        Reason =
                            $"{JobInfo.CanNeverRunReason}: every job it depends on ({string.Join(", ", ids)}) has "
                            + "ended, but the server still holds it (Hold_Types s). A PBS operator can release it "
                            + $"(qrls -h s {j.JobId}); or stop it and submit it again.",
                    }
                    : j
            )
            .ToList();
    }

    /// <summary>The job ids of a depend attribute: "afterok:12.srv@host:13.srv,afterany:14.srv".</summary>
    private static List<string> DependencyIds(string depend) =>
        depend
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(kind => kind.Split(':').Skip(1))
            .Select(id => id.Split('@')[0].Trim())
            .Where(id => id.Length > 0)
            .Distinct()
            .ToList();

    public async Task<StatusReport> GetStatusAsync(
        IReadOnlyCollection<string> jobIds,
        CancellationToken cancellationToken = default
    )
    {
        var (ids, notFound) = Ids.Split(jobIds);
        if (ids.Count == 0)
            return new StatusReport([], notFound);
        var (records, unknown) = await QueryAsync(ids, cancellationToken).ConfigureAwait(false);

        var jobs = new List<JobInfo>();
        var dependsOf = new Dictionary<string, string>();
        foreach (var id in ids)
        {
            var mine = PbsJobs.Match(records, id);
            // seen on OpenPBS (PBS Pro); Torque's system holds are left as they are
            foreach (var rec in mine)
                if (Dialect == PbsDialect.Pro && rec["depend"] is { } depend && (rec["Hold_Types"] ?? "").Contains('s'))
                    dependsOf[rec.Id] = depend;
            if (mine.Count == 0)
            {
                if (
                    _memory.Vanished(
                        id,
                        PbsOutput.SplitArrayId(id).ArrayId,
                        _server.ForgetWindow,
                        VanishedWords,
                        PbsJobs.Vanished
                    ) is
                    { } vanished
                )
                    jobs.Add(vanished);
                else
                    notFound.Add(
                        new JobLookupFailure(
                            id,
                            unknown.Contains(id) ? $"qstat: Unknown Job Id {id}" : $"PBS does not know job {id}."
                        )
                    );
                continue;
            }
            foreach (var rec in mine)
                jobs.Add(HeldWithItsArray(PbsJobs.FromRecord(rec, Dialect, _memory.WasCancelled), records));
        }
        jobs = jobs.DistinctBy(j => j.JobId).ToList();
        foreach (var j in jobs.Where(j => !j.IsFinished))
            _memory.SawLive(j.JobId);
        if (_wrapperOutcomes is not null && jobs.Any(NoExitStatus))
            jobs = await WithWrapperOutcomesAsync(jobs, cancellationToken).ConfigureAwait(false);
        if (dependsOf.Count > 0)
            jobs = await WithStuckDependentsAsync(jobs, dependsOf, cancellationToken).ConfigureAwait(false);
        return new StatusReport(jobs.Select(At).ToList(), notFound);
    }

    /// <summary>What a subjob's Reason starts with while the hold that keeps it queued is its array's (qhold ID[]).</summary>
    private const string ArrayHeld = "ArrayHeld";

    /// <summary>
    /// A held array (qsub -h -J, qhold ID[]) shows H on its parent record only; its subjobs read Q although none can
    /// start. They are Held here, as the array is, and releasing them releases the array (qrls ID[]).
    /// </summary>
    private static JobInfo HeldWithItsArray(JobInfo job, List<PbsJobRecord> records)
    {
        if (job.State != JobState.Pending || job.ArrayJobId is not { } array)
            return job;
        var parent = records.FirstOrDefault(r => r.Id == array);
        if ((parent?["job_state"] ?? "").Trim() != "H")
            return job;
        return job with
        {
            State = JobState.Held,
            HeldBy = PbsStates.HeldBy(JobState.Held, parent!["Hold_Types"], parent["depend"] is not null),
            Reason = $"{ArrayHeld}: its array {array} is held",
        };
    }

    /// <summary>
    /// The full records of <paramref name="ids"/>, per chunk of ids at most two qstat calls: PBS Pro's JSON, then, for ids it
    /// left out without calling them unknown (openpbs#2672), the text form, which lists them all. The answer is never
    /// trusted to be complete: every id is accounted for, as a record or as unknown.
    /// </summary>
    private async Task<(List<PbsJobRecord> Records, HashSet<string> Unknown)> QueryAsync(
        List<string> ids,
        CancellationToken ct
    )
    {
        var records = new List<PbsJobRecord>();
        var unknown = new HashSet<string>();
        var json = Dialect == PbsDialect.Pro && (_jsonListsAll != false || ids.Count == 1);
        await QueryFormatAsync(ids, json, records, unknown, ct).ConfigureAwait(false);
        if (!json)
            return (records, unknown);
        var missing = ids.Where(id => !unknown.Contains(id) && PbsJobs.Match(records, id).Count == 0).ToList();
        if (ids.Count > 1 && missing.Count == 0)
            _jsonListsAll = true;
        if (missing.Count == 0)
            return (records, unknown);
        var before = records.Count;
        await QueryFormatAsync(missing, json: false, records, unknown, ct).ConfigureAwait(false);
        if (records.Count > before)
            _jsonListsAll = false; // JSON left out jobs the server does know
        return (records, unknown);
    }

    private async Task QueryFormatAsync(
        List<string> ids,
        bool json,
        List<PbsJobRecord> records,
        HashSet<string> unknown,
        CancellationToken ct
    )
    {
        List<string> options =
            json ? ["-f", "-F", "json", "-x", "-t"]
            : Dialect == PbsDialect.Pro ? ["-f", "-x", "-t"]
            : _identity.IsSlurmWrapper ? ["-f"]
            : ["-f", "-t"];
        foreach (
            var r in await _commands
                .RunChunkedAsync("qstat", ids, chunk => [.. options, .. chunk], ct)
                .ConfigureAwait(false)
        )
        {
            unknown.UnionWith(PbsJobs.UnknownIds(r.StandardError + r.StandardOutput));
            var otherErrors = string.Join(
                '\n',
                r.StandardError.Split('\n')
                    .Where(l => l.Trim().Length > 0 && !l.Contains("Unknown Job Id", StringComparison.Ordinal))
            );
            if (!r.Succeeded && otherErrors.Length > 0 && !(_identity.IsSlurmWrapper && r.ExitCode == 153))
                throw new SchedulerUnavailableException($"qstat failed (exit {r.ExitCode}): {otherErrors.Trim()}");
            records.AddRange(json ? PbsOutput.ParseJson(r.StandardOutput) : PbsOutput.ParseFullText(r.StandardOutput));
        }
    }

    /// <summary>SLURM's wrapper prints no exit_status; its ids are SLURM's own, so SLURM says how the job ended.</summary>
    private async Task<List<JobInfo>> WithWrapperOutcomesAsync(List<JobInfo> jobs, CancellationToken ct)
    {
        var ended = jobs.Where(NoExitStatus).Select(j => j.JobId).ToList();
        var outcomes = (await _wrapperOutcomes!.GetStatusAsync(ended, ct).ConfigureAwait(false)).Jobs.ToDictionary(j =>
            j.JobId
        );
        return jobs.Select(j =>
                outcomes.TryGetValue(j.JobId, out var o) && o.IsFinished
                    ? j with
                    {
                        State = o.State,
                        ExitCode = o.ExitCode,
                        Signal = o.Signal,
                        Reason = $"{o.NativeState} (from SLURM: its qstat wrapper prints no exit_status)",
                    }
                    : j
            )
            .ToList();
    }

    private static bool NoExitStatus(JobInfo j) => j.NativeState == "C" && j.ExitCode is null && j.Signal is null;

    [GeneratedRegex(@"^\d+(\[\d*\]|-\d+)?(\.[A-Za-z0-9][A-Za-z0-9._-]*)?\z")]
    private static partial Regex JobIdPattern();

    private VanishedWords VanishedWords =>
        new(
            "Deleted by HpcJobs; the server keeps no record of it (job history off or expired)",
            "deleted",
            Dialect == PbsDialect.Pro
                ? "The job left the server and no history is kept (job_history_enable off?): its outcome cannot be known"
                : "The job left the server (keep_completed passed): its outcome cannot be known"
        );

    internal static readonly JobIdForm Ids = new("PBS", JobIdPattern().IsMatch, "123, 123.server, 123[4].server");
}
