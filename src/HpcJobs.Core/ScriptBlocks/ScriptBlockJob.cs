using System.Globalization;
using System.Text;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Platform;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.ScriptBlocks;

/// <summary>
/// What a script-block job carries to the node, already serialized by the caller (the module's CLIXML): the payload
/// (script block text, $using: values, arguments, modules, preferences) and, for a map (Invoke-HpcCommand), the input
/// of each array task. The core writes and reads these as text; it never interprets them.
/// </summary>
/// <param name="Payload">The payload document.</param>
/// <param name="TaskInputs">The input of each array task in index order (0..N-1), or null: no pipeline input.</param>
/// <param name="Pwsh">How pwsh starts on the node: a program and its first arguments (dotnet and pwsh.dll, say).</param>
public sealed record ScriptBlockPayload(string Payload, IReadOnlyList<string>? TaskInputs, IReadOnlyList<string> Pwsh);

/// <summary>One record a task wrote, in the order written: its kind and its data (CLIXML, or for Step plain text).</summary>
public sealed record ScriptBlockRecord(string Kind, string Data, string? Task);

/// <summary>
/// The files of script-block jobs (issue 27). Each job has a private folder (0700, files 0600) under
/// <see cref="Root"/>, on a path the nodes share (the home folder by default): <c>payload.clixml</c>, the input of each
/// task, <c>runner.ps1</c> (which runs one task under pwsh), <c>job.sh</c> (the batch script: it finds pwsh, or says on
/// which host it is missing) and what the tasks write: <c>result[-TASK].txt</c> and <c>output[-TASK].log</c>. Folders are
/// removed <see cref="RetentionDays"/> after they were last written, when a later script-block job is submitted.
/// </summary>
public static class ScriptBlockJob
{
    public const string FolderVariable = "HPCJOBS_PAYLOAD_DIR";
    public const string RetentionVariable = "HPCJOBS_PAYLOAD_RETENTION_DAYS";
    public const string PayloadFile = "payload.clixml";

    /// <summary>The largest payload (all files together) submitted: bigger data belongs in a file the job reads.</summary>
    public const long MaxPayloadBytes = 64L * 1024 * 1024;

    private static readonly UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>$HPCJOBS_PAYLOAD_DIR, else ~/.hpcjobs/payloads (home folders are shared with the compute nodes).</summary>
    public static string Root() =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } chosen
            ? Path.GetFullPath(chosen)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".hpcjobs", "payloads");

    /// <summary>Days a job's folder is kept after it was last written ($HPCJOBS_PAYLOAD_RETENTION_DAYS, default 7).</summary>
    public static double RetentionDays =>
        double.TryParse(
            Environment.GetEnvironmentVariable(RetentionVariable),
            NumberStyles.Float,
            CultureInfo.InvariantCulture,
            out var days
        )
        && days > 0
            ? days
            : 7;

    /// <summary>
    /// What -WhatIf shows: the batch script the job would run, with the folder it would have. Nothing is written.
    /// </summary>
    public static string PreviewScript(ScriptBlockPayload payload) =>
        BatchScript(Path.Combine(Root(), "<new folder>"), payload.Pwsh);

    /// <summary>
    /// Writes a new job folder for <paramref name="payload"/> and returns the request that runs it: its batch script,
    /// its output in the folder. Refuses a payload over <see cref="MaxPayloadBytes"/> before writing anything.
    /// </summary>
    /// <param name="request">The job, its command a stand-in.</param>
    /// <param name="payload">What the job carries.</param>
    /// <param name="scheduler">Where it goes (output file patterns differ).</param>
    /// <param name="throttle">For a map: at most this many tasks at once.</param>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static JobRequest Prepare(
        JobRequest request,
        ScriptBlockPayload payload,
        SchedulerKind scheduler,
        int? throttle = null
    )
    {
        Check(request, payload);
        var root = Root();
        StateFolderTrust.CheckFolder(root, create: true);
        RemoveExpired(root);
        var folder = Path.Combine(root, NewFolderName());
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var (name, content) in Files(folder, payload, scheduler))
            WritePrivate(Path.Combine(folder, name), content);
        File.SetUnixFileMode(Path.Combine(folder, "job.sh"), Private | UnixFileMode.UserExecute);
        return Request(request, payload, folder, scheduler, throttle);
    }

    /// <summary>Checks what can be checked before any folder is made, here or on a cluster.</summary>
    internal static void Check(JobRequest request, ScriptBlockPayload payload)
    {
        var size =
            Encoding.UTF8.GetByteCount(payload.Payload)
            + (payload.TaskInputs?.Sum(i => (long)Encoding.UTF8.GetByteCount(i)) ?? 0);
        if (size > MaxPayloadBytes)
            throw new InvalidJobRequestException(
                $"The script block's payload ($using: values, -ArgumentList and input) is {ByteSize.ToDisplay(size)}; at "
                    + $"most {ByteSize.ToDisplay(MaxPayloadBytes)} is sent with a job. Put large data in a file on the "
                    + "shared file system and pass its path.",
                HpcErrors.PayloadTooLarge
            );
        if (payload.TaskInputs is not null && request.Array is not null)
            throw new InvalidJobRequestException(
                "A map's tasks are its input batches: give -ArrayRange or pipeline input, not both.",
                HpcErrors.InvalidJobRequest
            );
    }

    internal static string NewFolderName() => $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}"[..32];

    /// <summary>The files of a job folder, name and content; job.sh must then be made executable.</summary>
    internal static IEnumerable<(string Name, string Content)> Files(
        string folder,
        ScriptBlockPayload payload,
        SchedulerKind scheduler
    )
    {
        var first = FirstTask(scheduler);
        yield return (PayloadFile, payload.Payload);
        if (payload.TaskInputs is { } taskInputs)
            for (var i = 0; i < taskInputs.Count; i++)
                yield return ($"input-{i + first}.clixml", taskInputs[i]);
        yield return ("runner.ps1", RunnerScript);
        yield return ("job.sh", BatchScript(folder, payload.Pwsh, first));
    }

    /// <summary>
    /// The first task index of a map's array: 0, but 1 on Grid Engine, whose task ids start at 1. $HpcTaskIndex counts
    /// from 0 everywhere.
    /// </summary>
    public static int FirstTask(SchedulerKind scheduler) => scheduler == SchedulerKind.GridEngine ? 1 : 0;

    /// <summary>The request that runs the job folder <paramref name="folder"/>.</summary>
    internal static JobRequest Request(
        JobRequest request,
        ScriptBlockPayload payload,
        string folder,
        SchedulerKind scheduler,
        int? throttle
    )
    {
        var script = folder + "/job.sh";
        var array = payload.TaskInputs is { Count: > 0 } items
            ? ArrayRange.Parse(
                $"{FirstTask(scheduler)}-{items.Count - 1 + FirstTask(scheduler)}"
                    + (throttle is { } t ? $"%{t.ToString(CultureInfo.InvariantCulture)}" : "")
            )
            : request.Array;
        return request with
        {
            ScriptPath = script,
            Command = [],
            ScriptArguments = [],
            Array = array,
            Name = request.Name ?? "scriptblock",
            OutputPath = OutputPattern(folder, array is not null, scheduler),
            ScriptOnCluster = request.PathsOnCluster,
            ErrorPath = null,
            Resources = WithRoomForPwsh(request.Resources, scheduler),
        };
    }

    /// <summary>
    /// Grid Engine sites commonly make h_vmem a consumable with a default of 1 GB per slot: an address-space limit under
    /// which pwsh cannot start (the batch script's memory step). A script block that asks no memory asks 2 GB per slot.
    /// </summary>
    private static ResourceSpec WithRoomForPwsh(ResourceSpec resources, SchedulerKind scheduler) =>
        scheduler == SchedulerKind.GridEngine && resources.Memory is null
            ? resources with
            {
                Memory = 2L * 1024 * 1024 * 1024 * (resources.TasksPerNode ?? 1) * (resources.CpusPerTask ?? 1),
            }
            : resources;

    /// <summary>
    /// The output file: in the folder, one per task. SLURM and Local expand %a; PBS Pro expands ^array_index^.
    /// </summary>
    internal static string OutputPattern(string folder, bool array, SchedulerKind scheduler) =>
        !array ? folder + "/output.log"
        : scheduler == SchedulerKind.Pbs ? folder + "/output-^array_index^.log"
        : folder + "/output-%a.log";

    /// <summary>
    /// The batch script: sh, so that it runs under any login shell. It finds the task's index whatever the scheduler
    /// calls it, checks that pwsh is there, and says on which host and at which step a task could not start.
    /// </summary>
    internal static string BatchScript(string folder, IReadOnlyList<string> pwsh, int firstTask = 0) =>
        $$"""
            #!/bin/sh
            # HpcJobs script-block job: runs runner.ps1 of this folder under pwsh, one array task at a time
            umask 077
            folder={{ShellQuote.Always(folder)}}
            set -- {{string.Join(' ', pwsh.Select(ShellQuote.Always))}}
            task=${HPCJOBS_ARRAY_TASK_ID:-$SLURM_ARRAY_TASK_ID}
            [ -n "$task" ] || task=${PBS_ARRAY_INDEX:-$PBS_ARRAYID}
            [ -n "$task" ] || [ "${SGE_TASK_ID:-undefined}" = undefined ] || task=$SGE_TASK_ID
            host=$(hostname 2>/dev/null || uname -n)
            if [ ! -d "$folder" ]; then
              echo "HpcJobs: the payload folder $folder is not on $host: script-block jobs need a folder the nodes share (set HPCJOBS_PAYLOAD_DIR)" >&2
              exit 2
            fi
            # each run writes its records anew: what an earlier run of a retried or requeued job wrote is not replayed
            : > "$folder/result${task:+-$task}.txt"
            step() {
              printf 'Step\t%s\t%s\t%s\n' "$1" "$host" "$2" >> "$folder/result${task:+-$task}.txt"
              echo "HpcJobs: $2" >&2
              exit "$3"
            }
            # an address-space limit (PBS vmem, Grid Engine h_vmem, ulimit -v): .NET's GC reserves 256 GB of address space
            # unless told less; an eighth of the limit lets pwsh start from 1.25 GB (measured), below that it cannot
            limit=$(ulimit -v 2>/dev/null)
            if [ -n "$limit" ] && [ "$limit" != unlimited ]; then
              [ "$limit" -ge 1310720 ] || step memory "the address-space limit on $host is $((limit / 1024)) MB (ulimit -v: PBS vmem, Grid Engine h_vmem); pwsh cannot start under 1280 MB of it: ask for more, or for memory without an address-space limit" 12
              [ -n "${DOTNET_GCRegionRange:-}" ] || export DOTNET_GCRegionRange=$(printf '0x%x' $((limit * 128)))
            fi
            command -v "$1" >/dev/null 2>&1 || step pwsh "pwsh ('$1') was not found on $host: install PowerShell 7.4+ there, or give its path with -PwshPath or HPCJOBS_PWSH" 127
            [ $# -lt 2 ] || [ -r "$2" ] || step pwsh "pwsh ('$2') was not found on $host: install PowerShell 7.4+ there, or give its path with -PwshPath or HPCJOBS_PWSH" 127
            exec "$@" -NoProfile -NonInteractive -File "$folder/runner.ps1" "$folder" "$task" {{firstTask}}

            """;

    internal static readonly string RunnerScript = LoadRunner();

    private static string LoadRunner()
    {
        using var stream =
            typeof(ScriptBlockJob).Assembly.GetManifestResourceStream("HpcJobs.Core.ScriptBlocks.runner.ps1")
            ?? throw new InvalidOperationException("runner.ps1 is not embedded in HpcJobs.Core");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void WritePrivate(string path, string content)
    {
        using var stream = PrivateFile.Create(path, FileMode.CreateNew);
        PrivateFile.Text(content)(stream);
    }

    /// <summary>
    /// The payload folder of <paramref name="job"/> when it is a script-block job of this machine's file system (its
    /// output file lies in a folder under <see cref="Root"/> that holds a payload); else null.
    /// </summary>
    public static string? FolderOf(JobInfo job)
    {
        if (job.StdOutPath is not { } output || Path.GetDirectoryName(output) is not { } folder)
            return null;
        var root = Root();
        return Path.GetDirectoryName(folder) == root && File.Exists(Path.Combine(folder, PayloadFile)) ? folder : null;
    }

    /// <summary>
    /// The records the job (one task of an array) has written so far, read as a stream, in the order written. The
    /// folder and the file must be private and this user's: what is read here is deserialized.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static IEnumerable<ScriptBlockRecord> Read(JobInfo job, string folder)
    {
        CheckPrivate(folder, directory: true);
        var task = job.ArrayTaskId?.ToString(CultureInfo.InvariantCulture);
        var path = Path.Combine(folder, task is null ? "result.txt" : $"result-{task}.txt");
        if (!File.Exists(path))
            yield break;
        CheckPrivate(path, directory: false);
        using var reader = new StreamReader(
            new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete),
            Encoding.UTF8
        );
        foreach (var record in Parse(reader, task))
            yield return record;
    }

    /// <summary>The records of a result file's lines, as they are read.</summary>
    internal static IEnumerable<ScriptBlockRecord> Parse(TextReader reader, string? task)
    {
        while (reader.ReadLine() is { } line)
        {
            var tab = line.IndexOf('\t');
            if (tab <= 0)
                continue; // a line cut short by a task that is still writing it, or killed while it did
            var kind = line[..tab];
            if (kind == "Step")
            {
                yield return new ScriptBlockRecord(kind, line[(tab + 1)..], task);
                continue;
            }
            string data;
            try
            {
                data = Encoding.UTF8.GetString(Convert.FromBase64String(line[(tab + 1)..]));
            }
            catch (FormatException)
            {
                continue;
            }
            yield return new ScriptBlockRecord(kind, data, task);
        }
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void CheckPrivate(string path, bool directory)
    {
        var status =
            Native.LStat(path)
            ?? throw new LocalStateException(HpcErrors.StateUnusable, path, $"'{path}' does not exist any more.");
        var why =
            status.Uid != StateFolderTrust.CurrentUser ? $"it belongs to user id {status.Uid}, not to you"
            : status.IsSymlink ? "it is a symbolic link"
            : status.IsDirectory != directory ? $"it is a {status.TypeName}"
            : (status.Mode & 0x3F) != 0 ? $"its mode {status.Permissions} lets group or others in"
            : null;
        if (why is not null)
            throw new LocalStateException(
                HpcErrors.StateUntrusted,
                path,
                $"The script-block job's '{path}' is not read: {why}. What another user could write or read is never "
                    + "deserialized."
            );
    }

    /// <summary>Removes job folders not written for <see cref="RetentionDays"/>; a folder in use is left.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void RemoveExpired(string root)
    {
        var cutoff = DateTime.UtcNow.AddDays(-RetentionDays);
        try
        {
            foreach (var folder in Directory.EnumerateDirectories(root))
            {
                var info = new DirectoryInfo(folder);
                if (
                    info.LinkTarget is null
                    && info.LastWriteTimeUtc < cutoff
                    && info.EnumerateFiles().All(f => f.LastWriteTimeUtc < cutoff)
                )
                    info.Delete(recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
