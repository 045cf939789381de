using System.Collections;
using System.Globalization;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Platform;

namespace HpcJobs.Core.Local;

/// <summary>What a Local submission becomes: the plan -WhatIf shows, the job's environment, argv and records.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class LocalSubmission
{
    /// <summary>
    /// Checks a validated request against what this machine can ever give and renders what -WhatIf shows: the argv and
    /// the settings that no command line carries here.
    /// </summary>
    public static SubmissionPlan Plan(JobRequest request, int slots, long machineMemory)
    {
        var r = request.Resources;
        if (r.GpusPerNode is > 0)
            throw new InvalidResourceSpecException(
                nameof(ResourceSpec.GpusPerNode),
                r.GpusPerNode,
                "the Local scheduler has no GPUs; submit to SLURM or PBS"
            );
        if (r.Nodes is > 1)
            throw new InvalidResourceSpecException(
                nameof(ResourceSpec.Nodes),
                r.Nodes,
                "the Local scheduler has one node"
            );
        if (r.TotalCpus > slots)
            throw new InvalidResourceSpecException(
                "CPUs",
                r.TotalCpus,
                $"this machine has {slots} CPU slots, so the job could never start"
            );
        if (r.Memory > machineMemory)
            throw new InvalidResourceSpecException(
                "Memory",
                ByteSize.ToDisplay(r.Memory.Value),
                $"this machine has {ByteSize.ToDisplay(machineMemory)}, so the job could never start"
            );
        if (request.MailUser.Count > 0 || request.MailType != MailEvents.None)
            throw new InvalidJobRequestException(
                "The Local scheduler sends no mail (-MailUser, -MailType): wait with Wait-HpcJob, or use -AsJob and "
                    + "PowerShell's own job events.",
                HpcErrors.InvalidJobRequest
            );
        if (request.Exclusive)
            throw new InvalidJobRequestException(
                "-Exclusive: the Local scheduler runs every job on this one machine, which it cannot give to one job "
                    + "alone. Ask for all CPUs (-Resources @{ Cpus = N }) to run the job by itself.",
                HpcErrors.InvalidJobRequest
            );
        if (request.Signal is { } signal && r.Walltime is null)
            throw new InvalidJobRequestException(
                $"-Signal '{signal}' needs -Walltime on the Local scheduler: without a time limit there is no end to "
                    + "signal before.",
                HpcErrors.InvalidJobRequest
            );
        var notes = new List<string>();
        foreach (
            var (name, value) in new[]
            {
                ("Partition", r.Partition),
                ("Qos", r.Qos),
                ("Account", r.Account),
                ("Constraint", r.Constraint),
            }
        )
            if (value is not null)
                notes.Add($"The Local scheduler has no {name.ToLowerInvariant()}s: {name} '{value}' is ignored.");
        var argv = BuildArgv(request, request.ScriptPath);
        var details = new List<string> { $"cpus: {r.TotalCpus} of {slots} slots" };
        if (r.Memory is { } mem)
            details.Add($"memory: {ByteSize.ToDisplay(mem)} (recorded; not enforced)");
        if (r.Walltime is { } wall)
            details.Add($"walltime: {Walltime.ToSlurm(wall)}");
        if (request.Array is { } array)
            details.Add($"array: {array} ({array.Indices.Count} tasks)");
        if (request.Dependencies.Count > 0)
            details.Add($"dependencies: {string.Join(",", request.Dependencies)}");
        if (request.WorkingDirectory is not null)
            details.Add($"working directory: {request.WorkingDirectory}");
        details.Add(
            $"output: {request.OutputPath ?? (request.Array is null ? "hpcjobs-%j.out" : "hpcjobs-%A_%a.out")}"
        );
        if (request.ErrorPath is not null)
            details.Add($"error: {request.ErrorPath}");
        if (request.Environment.Count > 0)
            details.Add($"environment: {string.Join(", ", request.Environment.Keys)}");
        if (request.Hold)
            details.Add("held: starts after Resume-HpcJob");
        if (request.BeginTime is { } begin)
            details.Add($"begin time: {begin.ToLocalTime():yyyy-MM-dd HH:mm:ss}");
        if (request.Requeue is { } requeue)
            details.Add(
                requeue
                    ? "requeue: runs again if its daemon dies while it runs"
                    : "no requeue: never requeued (Restart-HpcJob refuses it)"
            );
        if (request.Signal is { } sig)
            details.Add($"signal: {sig.Name} to the job {sig.SecondsBeforeEnd} s before its walltime");
        return new SubmissionPlan(argv[0], argv.Skip(1).ToList(), null) { Notes = notes, Details = details };
    }

    /// <summary>The job's environment: the submitter's, the request's on top, without HpcJobs' own per-job variables.</summary>
    public static Dictionary<string, string> JobEnvironment(JobRequest request)
    {
        var env = Environment
            .GetEnvironmentVariables()
            .Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
        foreach (var (k, v) in request.Environment)
            env[k] = v;
        foreach (
            var k in env
                .Keys.Where(k =>
                    k.StartsWith("HPCJOBS_", StringComparison.Ordinal)
                    && k is not ("HPCJOBS_STATE_DIR" or "HPCJOBS_LOCAL_CPUS")
                )
                .ToList()
        )
            env.Remove(k);
        return env;
    }

    /// <summary>The records of a submission: one, or one per array task; <paramref name="scriptCopy"/> is what they run.</summary>
    public static LocalJobRecord[] NewUnits(
        JobRequest request,
        string baseId,
        Dictionary<string, string> baseEnv,
        string workDir,
        string? scriptCopy
    )
    {
        var argv = BuildArgv(request, scriptCopy);
        var now = DateTimeOffset.Now;
        var umask = Native.CurrentUmask();
        var indices = request.Array?.Indices.Select(i => (int?)i).ToArray() ?? [null];
        return indices
            .Select(task =>
            {
                var id = task is null ? baseId : $"{baseId}_{task}";
                var env = new Dictionary<string, string>(baseEnv)
                {
                    ["HPCJOBS_JOB_ID"] = id,
                    ["HPCJOBS_JOB_NAME"] = request.EffectiveName,
                    ["HPCJOBS_SUBMIT_DIR"] = request.SubmitDirectory ?? Environment.CurrentDirectory,
                    ["HPCJOBS_CPUS"] = request.Resources.TotalCpus.ToString(CultureInfo.InvariantCulture),
                    [JobProcesses.TokenVariable] = Guid.NewGuid().ToString("N"),
                };
                if (task is not null)
                {
                    env["HPCJOBS_ARRAY_JOB_ID"] = baseId;
                    env["HPCJOBS_ARRAY_TASK_ID"] = env["SLURM_ARRAY_TASK_ID"] = task.Value.ToString(
                        CultureInfo.InvariantCulture
                    );
                }
                return new LocalJobRecord
                {
                    Id = id,
                    ArrayJobId = task is null ? null : baseId,
                    ArrayTaskId = task,
                    ArrayThrottle = request.Array?.Throttle,
                    Name = request.EffectiveName,
                    Argv = argv,
                    Environment = env,
                    WorkingDirectory = workDir,
                    StdOutPath = OutputPath(
                        request.OutputPath,
                        "hpcjobs-%j.out",
                        "hpcjobs-%A_%a.out",
                        id,
                        baseId,
                        task,
                        request.EffectiveName,
                        workDir
                    ),
                    StdErrPath = request.ErrorPath is null
                        ? null
                        : OutputPath(request.ErrorPath, "", "", id, baseId, task, request.EffectiveName, workDir),
                    Cpus = request.Resources.TotalCpus,
                    Resources = request.Resources,
                    Dependencies = request.Dependencies.ToList(),
                    SubmitTime = now,
                    State = request.Hold ? JobState.Held : JobState.Pending,
                    NativeState = request.Hold ? "HELD" : "PENDING",
                    Reason = request.Hold ? "JobHeldUser" : "None",
                    Umask = umask,
                    Requeue = request.Requeue,
                    BeginTime = request.BeginTime,
                    WarnSignal = request.Signal?.Number,
                    WarnSeconds = request.Signal?.SecondsBeforeEnd,
                };
            })
            .ToArray();
    }

    public static string[] BuildArgv(JobRequest request, string? script)
    {
        if (request.ScriptPath is null)
            return request.Command.ToArray();
        var interpreter = SubmissionRules.RequireInterpreterLine(request.ScriptPath)[2..].Trim();
        var space = interpreter.IndexOfAny([' ', '\t']);
        // Linux passes everything after the interpreter as one argument
        string[] head = space < 0 ? [interpreter] : [interpreter[..space], interpreter[(space + 1)..].Trim()];
        return [.. head, script ?? request.ScriptPath, .. request.ScriptArguments];
    }

    /// <summary>
    /// The output file of one unit: the given pattern, else the default, expanded as sbatch does, under the working
    /// directory.
    /// </summary>
    internal static string OutputPath(
        string? given,
        string defaultPattern,
        string defaultArrayPattern,
        string id,
        string baseId,
        int? task,
        string name,
        string workDir
    ) =>
        Path.GetFullPath(
            OutputPattern.Expand(
                given ?? (task is null ? defaultPattern : defaultArrayPattern),
                id,
                baseId,
                task,
                name,
                Environment.MachineName.Split('.')[0]
            ),
            workDir
        );
}
