using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.GridEngine;

// Over 400 lines: its status joins three sources (qstat -xml, qstat -j, qacct with its flush lag) and the output files
// it learnt at submit; the joining is the back end.

/// <summary>
/// Grid Engine (Son of Grid Engine, and on paper Univa/Altair Grid Engine and OGS) through qsub, qstat, qacct, qdel, qhold,
/// qrls and qmod. Live jobs: one <c>qstat -xml -g d -u '*'</c> for any number of ids, plus one <c>qstat -j IDS -xml</c>
/// per chunk for what the listing does not say (output paths, holds, why a job waits). Finished jobs: <c>qacct -j N</c>,
/// once per job or array (its answer never changes, and is kept), after the accounting flush (15 s by default).
/// </summary>
public sealed partial class GridEngineScheduler : IClusterBackEnd, IJobControl
{
    private readonly SchedulerCommands _commands;
    private readonly GridEngineIdentity _identity;
    private readonly JobMemory _memory = new();

    /// <summary>Finished jobs and tasks as qacct gave them: they never change.</summary>
    private readonly ConcurrentDictionary<string, JobInfo> _finished = new();

    /// <summary>Task indices of arrays seen in the listing, to know when one left it.</summary>
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, bool>> _tasksSeen = new();

    /// <summary>Where each job writes, from its submission or qstat -j: qacct does not say.</summary>
    private readonly ConcurrentDictionary<string, OutputFiles> _files = new();

    private IReadOnlyList<ParallelEnvironment>? _environments;

    /// <summary>Failures of a qmaster that is starting, restarting or too busy to answer.</summary>
    private static readonly string[] TransientMarkers =
    [
        "unable to contact qmaster",
        "can't unpack gdi request",
        "failed receiving gdi request",
        "commlib error",
        "got send error",
        "unable to send message to qmaster",
    ];

    public GridEngineScheduler(GridEngineIdentity identity, IProcessRunner runner, RetryPolicy? retry = null)
    {
        _identity = identity;
        _commands = new SchedulerCommands(
            "Grid Engine",
            runner,
            retry ?? RetryPolicy.Default,
            r => SchedulerCommands.FailedWithAny(r, TransientMarkers)
        );
    }

    public SchedulerKind Kind => SchedulerKind.GridEngine;

    public TimeSpan MinPollInterval => TimeSpan.FromMilliseconds(500);

    SchedulerCommands IClusterBackEnd.Commands => _commands;

    JobMemory IClusterBackEnd.Memory => _memory;

    /// <summary>Grid Engine commands run so far (for tests and benchmarks that count scheduler calls).</summary>
    public int SchedulerCalls => _commands.CallCount;

    /// <summary>How long a job that left qstat may lack an accounting record before it is called not found.</summary>
    private static readonly TimeSpan AccountingLag = TimeSpan.FromMinutes(5);

    private static readonly VanishedWords Words = new(
        "Deleted by HpcJobs before it started (Grid Engine keeps no accounting record of a job that never ran)",
        "deleted",
        "The job left the queue, and Grid Engine has not written its accounting record yet (qacct lags by the "
            + "accounting_flush_time, 15 s by default)"
    );

    [GeneratedRegex(@"^\d+(\.\d+)?\z")]
    private static partial Regex JobIdPattern();

    internal static readonly JobIdForm Ids = new("Grid Engine", JobIdPattern().IsMatch, "123, or 123.4 for a task");

    private JobInfo At(JobInfo job) =>
        (job.EndCause == JobEndCause.None ? job.WithEndCause() : job) with
        {
            Location = _commands.Location ?? job.Location,
        };

    public SchedulerDescription Describe() =>
        new(
            SchedulerKind.GridEngine,
            _identity.Name,
            _identity.Version,
            $"SGE_ROOT={_identity.Root}, SGE_CELL={_identity.Cell}; -hold_jid is after-any only; finished jobs from "
                + "qacct, after its flush",
            (SchedulerCapabilities.ClusterBatch & ~SchedulerCapabilities.Gpus & ~SchedulerCapabilities.Exclusive)
                | SchedulerCapabilities.FinishedJobHistory
                | SchedulerCapabilities.ListJobs
                | SchedulerCapabilities.Accounting
                | SchedulerCapabilities.SignalBeforeWalltime
        )
        {
            DependencyKinds = [DependencyKind.AfterAny],
        };

    public SubmissionPlan Plan(JobRequest request)
    {
        request = _commands.AsTaken(request);
        var environments = NeedsParallelEnvironment(request)
            ? ParallelEnvironmentsAsync(CancellationToken.None).GetAwaiter().GetResult()
            : [];
        var (args, script, notes) = Render(request, "<generated script>", null, environments);
        return new SubmissionPlan("qsub", args, script) { Notes = notes };
    }

    private static bool NeedsParallelEnvironment(JobRequest request) => request.Resources.TotalCpus > 1;

    private (List<string> Args, string? Script, List<string> Notes) Render(
        JobRequest request,
        string generatedScriptPath,
        string? scriptShell,
        IReadOnlyList<ParallelEnvironment> environments
    )
    {
        request.Validate(Kind);
        Ids.CheckDependencies(request);
        string? script = null;
        string scriptPath;
        if (request.ScriptPath is not null && request.ScriptArguments.Count == 0)
            scriptPath = request.ScriptPath;
        else
        {
            // a command, or a script with arguments: a generated sh script that execs the argument list (qsub -b y would
            // split the arguments again at spaces)
            IReadOnlyList<string> argv = request.ScriptPath is not null
                ? [request.ScriptPath, .. request.ScriptArguments]
                : request.Command;
            script = ShellQuote.ExecScript(argv, null);
            scriptPath = generatedScriptPath;
        }
        if (request.ScriptPath is not null && script is null && !request.ScriptOnCluster)
            SubmissionRules.RequireInterpreterLine(request.ScriptPath);
        // a queue whose shell_start_mode is posix_compliant runs every script with the queue's shell (csh by default)
        var shell =
            script is not null ? "/bin/sh"
            : request.ScriptOnCluster ? scriptShell
            : SubmissionRules.PlainInterpreter(request.ScriptPath!);
        var (args, notes) = GridEngineSubmission.Render(request, scriptPath, shell, environments);
        return (args, script, notes);
    }

    public async Task<JobInfo> SubmitAsync(JobRequest request, CancellationToken cancellationToken = default)
    {
        var environments = NeedsParallelEnvironment(request)
            ? await ParallelEnvironmentsAsync(cancellationToken).ConfigureAwait(false)
            : [];
        return await ScriptSubmission
            .SubmitAsync(
                request,
                _commands.Runner,
                (r, scriptPath, shell) => Render(r, scriptPath, shell, environments),
                CheckDependenciesAsync,
                QsubAsync,
                cancellationToken
            )
            .ConfigureAwait(false);
    }

    private async Task CheckDependenciesAsync(JobRequest request, CancellationToken ct)
    {
        if (request.Dependencies.Count == 0)
            return;
        // qsub takes an unknown -hold_jid silently and holds nothing: an unknown id is refused here
        await DependencyRule.KnownTargetsAsync(this, request, "Grid Engine", ct).ConfigureAwait(false);
    }

    private async Task<JobInfo> QsubAsync(JobRequest request, List<string> args, CancellationToken ct)
    {
        var result = await _commands
            .RunOnceAsync(
                "qsub",
                args,
                new ProcessOptions
                {
                    // -cwd's folder; and the values for "-v NAME,..." come from qsub's own environment
                    WorkingDirectory = request.WorkingDirectory ?? request.SubmitDirectory,
                    Environment = request.Environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value),
                },
                ct
            )
            .ConfigureAwait(false);
        if (!result.Succeeded || result.StandardOutput.Trim().Length == 0)
            throw new SubmitFailedException(
                "Grid Engine",
                (result.StandardError + result.StandardOutput)
                    .Replace("\nExiting.", "", StringComparison.Ordinal)
                    .Trim(),
                result.ExitCode
            );
        var id = GridEngineSubmission.ParseJobId(result.StandardOutput);
        var job = At(
            SubmissionRules.Submitted(
                Kind,
                id,
                request,
                SubmissionRules.SafeName(request.EffectiveName, "Grid Engine").Name
            )
        );
        if (request.Array is { } array)
            _memory.RememberArray(id, array.Indices);
        var cwd =
            request.WorkingDirectory
            ?? request.SubmitDirectory
            ?? (_commands.Location is null ? Environment.CurrentDirectory : null);
        var stdout = OutputFiles.Absolute(
            request.OutputPath is { } o
                ? GridEngineSubmission.Path(o, "-OutputPath")
                : OutputFiles.Default(request.Array is not null),
            cwd
        );
        _files[id] = new OutputFiles(
            stdout,
            request.ErrorPath is { } e ? OutputFiles.Absolute(GridEngineSubmission.Path(e, "-ErrorPath"), cwd) : stdout,
            cwd
        );
        _memory.Submitted(job);
        return job;
    }

    public async Task<StatusReport> GetStatusAsync(
        IReadOnlyCollection<string> jobIds,
        CancellationToken cancellationToken = default
    )
    {
        var (ids, notFound) = Ids.Split(jobIds);
        if (ids.Count == 0)
            return new StatusReport([], notFound);
        var pending = ids.Where(id => !_finished.ContainsKey(id)).ToList();
        var listing =
            pending.Count == 0 ? [] : await ListingAsync(["-u", "*"], cancellationToken).ConfigureAwait(false);
        var live = listing.ToLookup(l => l.JobNumber);
        foreach (var l in listing.Where(l => l.Task is not null))
            _tasksSeen.GetOrAdd(l.JobNumber, _ => new()).TryAdd(l.Task!.Value, true);
        var details = await DetailsAsync(
                pending.Select(id => GridEngineJobs.SplitId(id).Number).Where(n => live[n].Any()).Distinct().ToList(),
                cancellationToken
            )
            .ConfigureAwait(false);

        var jobs = new List<JobInfo>();
        var toAccount = new Dictionary<string, List<string>>(); // job number -> ids to answer from qacct
        foreach (var id in ids)
        {
            if (_finished.TryGetValue(id, out var done))
            {
                jobs.Add(done);
                continue;
            }
            var (number, task) = GridEngineJobs.SplitId(id);
            var listed = live[number].Where(l => task is null || l.Task == task).ToList();
            foreach (var l in listed)
            {
                var detail = details.GetValueOrDefault(number);
                if (detail is not null)
                    _files[number] = OutputFiles.Of(detail, l.Task is not null);
                var job = GridEngineJobs.FromListing(
                    l,
                    detail,
                    _files.GetValueOrDefault(number),
                    _memory.SubmittedJob(number)?.ArrayTasks,
                    jid => _memory.WasCancelled(jid, l.Task is null ? null : number)
                );
                jobs.Add(job);
                _memory.SawLive(job.JobId);
                if (job.ArrayJobId is not null)
                    _memory.SawLive(number);
            }
            // an array's tasks that left the queue, or a job that did: qacct says how they ended
            if (listed.Count == 0 || (task is null && TasksGone(number, listed).Count > 0))
            {
                if (!toAccount.TryGetValue(number, out var asked))
                    toAccount[number] = asked = [];
                asked.Add(id);
            }
        }
        foreach (var (number, asked) in toAccount)
        {
            var records = await AccountingAsync(number, cancellationToken).ConfigureAwait(false);
            foreach (var id in asked.Distinct())
            {
                var (_, task) = GridEngineJobs.SplitId(id);
                var ended = records
                    .Where(r => task is null || r.Task == task)
                    .GroupBy(r => r.Task)
                    .Select(g => g.Last())
                    .Where(r => r.Task is null || !live[number].Any(l => l.Task == r.Task))
                    .Select(r =>
                        GridEngineJobs.FromAccounting(
                            r,
                            _memory.WasCancelled(IdOf(r), r.Task is null ? null : number),
                            _files.GetValueOrDefault(number),
                            _memory.SubmittedJob(number)
                        )
                    )
                    .Where(j => j.State.IsFinished() && !live[number].Any(l => l.JobId == j.JobId))
                    .ToList();
                foreach (var j in ended)
                {
                    _finished[j.JobId] = At(j);
                    jobs.Add(At(j));
                }
                if (ended.Count > 0 || jobs.Any(j => j.JobId == id || j.ArrayJobId == id))
                    continue;
                if (
                    _memory.Vanished(id, task is null ? null : number, AccountingLag, Words, GridEngineJobs.Vanished) is
                    { } gone
                )
                    jobs.Add(gone);
                else
                    notFound.Add(new JobLookupFailure(id, $"Grid Engine does not know job {id} (qstat, qacct)."));
            }
        }
        return new StatusReport(jobs.DistinctBy(j => j.JobId).Select(At).ToList(), notFound);
    }

    private static string IdOf(GridEngineAccounting r) =>
        r.Task is { } t ? $"{r.JobNumber}.{t.ToString(CultureInfo.InvariantCulture)}" : r.JobNumber;

    /// <summary>Tasks of the array seen or submitted that the listing lacks and qacct has not answered yet.</summary>
    private List<int> TasksGone(string number, IReadOnlyCollection<GridEngineListing> listed)
    {
        var known = (_memory.ArrayTasks(number) ?? []).Concat(
            _tasksSeen.TryGetValue(number, out var seen) ? seen.Keys : []
        );
        return known
            .Distinct()
            .Where(t =>
                listed.All(l => l.Task != t)
                && !_finished.ContainsKey($"{number}.{t.ToString(CultureInfo.InvariantCulture)}")
            )
            .ToList();
    }

    private async Task<List<GridEngineListing>> ListingAsync(IReadOnlyList<string> who, CancellationToken ct)
    {
        var r = await _commands.RunAsync("qstat", ["-xml", "-g", "d", .. who], ct).ConfigureAwait(false);
        if (!r.Succeeded)
            throw new SchedulerUnavailableException(
                $"qstat failed (exit {r.ExitCode}): {(r.StandardError + r.StandardOutput).Trim()}"
            );
        try
        {
            return GridEngineOutput.ParseListing(r.StandardOutput);
        }
        catch (System.Xml.XmlException e)
        {
            throw new SchedulerOutputException("qstat -xml", e.Message, r.StandardOutput);
        }
    }

    /// <summary>qstat -j for the job numbers, one call per chunk.</summary>
    private async Task<Dictionary<string, GridEngineDetail>> DetailsAsync(List<string> numbers, CancellationToken ct)
    {
        var details = new Dictionary<string, GridEngineDetail>();
        if (numbers.Count == 0)
            return details;
        foreach (
            var r in await _commands
                .RunChunkedAsync("qstat", numbers, chunk => ["-xml", "-j", string.Join(',', chunk)], ct)
                .ConfigureAwait(false)
        )
        {
            try
            {
                foreach (var (number, detail) in GridEngineOutput.ParseDetails(r.StandardOutput))
                    details[number] = detail;
            }
            catch (System.Xml.XmlException e)
            {
                throw new SchedulerOutputException("qstat -j -xml", e.Message, r.StandardOutput);
            }
        }
        return details;
    }

    /// <summary>
    /// qacct -j N: every record of job N (each task, each run); none when qacct does not know it (yet). Job numbers come
    /// round again (they wrap at 9,999,999, and start at 1 in a cell set up anew), and qacct then also holds the records
    /// of older jobs N: of a job this process submitted, only the records with its name are its own.
    /// </summary>
    private async Task<List<GridEngineAccounting>> AccountingAsync(string number, CancellationToken ct)
    {
        var r = await _commands.RunAsync("qacct", ["-j", number], ct).ConfigureAwait(false);
        var records = GridEngineOutput.ParseAccounting(r.StandardOutput);
        if (!r.Succeeded && records.Count == 0)
        {
            var error = (r.StandardError + r.StandardOutput).Trim();
            if (error.Length > 0 && !error.Contains("not found", StringComparison.Ordinal))
                throw new SchedulerUnavailableException($"qacct -j {number} failed (exit {r.ExitCode}): {error}");
        }
        var name = _memory.SubmittedJob(number)?.Name;
        return records.Where(x => x.JobNumber == number && (name is null || x["jobname"] == name)).ToList();
    }

    /// <summary>The cell's parallel environments and their allocation rules (qconf -spl, qconf -sp), read once.</summary>
    internal async Task<IReadOnlyList<ParallelEnvironment>> ParallelEnvironmentsAsync(CancellationToken ct)
    {
        if (_environments is { } known)
            return known;
        var list = await _commands.RunAsync("qconf", ["-spl"], ct).ConfigureAwait(false);
        var environments = new List<ParallelEnvironment>();
        foreach (var name in Lines(list.StandardOutput))
        {
            var pe = await _commands.RunAsync("qconf", ["-sp", name], ct).ConfigureAwait(false);
            var rule = Lines(pe.StandardOutput)
                .Select(l => l.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries))
                .FirstOrDefault(p => p is ["allocation_rule", _]);
            if (rule is not null)
                environments.Add(new ParallelEnvironment(name, rule[1].Trim()));
        }
        return _environments = environments;
    }

    internal static List<string> Lines(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
}
