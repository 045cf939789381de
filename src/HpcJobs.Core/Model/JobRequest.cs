using System.Text.RegularExpressions;
using HpcJobs.Core.Platform;

namespace HpcJobs.Core.Model;

/// <summary>
/// Everything needed to submit one job (or one array). Either <see cref="ScriptPath"/> or <see cref="Command"/> is set:
/// a command is an argument list, never a shell string. Call <see cref="Validate(SchedulerKind)"/> before anything is submitted.
/// </summary>
public sealed partial record JobRequest
{
    public string? ScriptPath { get; init; }

    /// <summary>Arguments passed to the script, or the program and its arguments when there is no script.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];
    public IReadOnlyList<string> ScriptArguments { get; init; } = [];
    public string? Name { get; init; }
    public ResourceSpec Resources { get; init; } = ResourceSpec.Default;
    public IReadOnlyList<JobDependency> Dependencies { get; init; } = [];
    public ArrayRange? Array { get; init; }
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// Where the user submits from (SLURM_SUBMIT_DIR, HPCJOBS_SUBMIT_DIR): PowerShell's location, which the process's own
    /// current directory is not. Null: the process's.
    /// </summary>
    public string? SubmitDirectory { get; init; }

    /// <summary>
    /// The working folder and output paths are a remote cluster's (over SSH): not checked on this machine, but there,
    /// before submitting (<see cref="Remote.RemoteSubmission"/>).
    /// </summary>
    public bool PathsOnCluster { get; init; }

    /// <summary><see cref="ScriptPath"/> is a file already sent to the cluster, not one on this machine.</summary>
    public bool ScriptOnCluster { get; init; }
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public string? OutputPath { get; init; }
    public string? ErrorPath { get; init; }

    /// <summary>Submit the job held (-Hold): it starts only after Resume-HpcJob.</summary>
    public bool Hold { get; init; }

    /// <summary>Not started before this time (-BeginTime).</summary>
    public DateTimeOffset? BeginTime { get; init; }

    /// <summary>-Requeue (true), -NoRequeue (false), or the scheduler's default (null).</summary>
    public bool? Requeue { get; init; }

    /// <summary>A signal some seconds before the walltime (-Signal 'USR1@120'), so that the job can checkpoint.</summary>
    public JobSignal? Signal { get; init; }

    /// <summary>Who the scheduler mails (-MailUser), and when (-MailType).</summary>
    public IReadOnlyList<string> MailUser { get; init; } = [];
    public MailEvents MailType { get; init; }

    /// <summary>The job's nodes are its alone (-Exclusive).</summary>
    public bool Exclusive { get; init; }

    /// <summary>Names the job may not set: the schedulers' own tools read them, or the scheduler sets them.</summary>
    public static readonly IReadOnlyList<string> ReservedEnvironmentPrefixes =
    [
        "SBATCH_",
        "SALLOC_",
        "SRUN_",
        "SLURM_",
        "PBS_",
        "HPCJOBS_",
    ];

    private const int MaxEnvironmentEntryBytes = 128 * 1024;

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex EnvironmentNamePattern();

    // never starting with '-': the server hands the address to its mailer, where that is an option
    [GeneratedRegex(@"^(?!-)[A-Za-z0-9._%+-]+(@[A-Za-z0-9.-]+\.?[A-Za-z0-9-]*)?\z")]
    private static partial Regex MailAddressPattern();

    /// <summary>The job's display name: the given name, else the script's or program's file name.</summary>
    public string EffectiveName => Name ?? Path.GetFileName(ScriptPath ?? (Command.Count > 0 ? Command[0] : "job"));

    /// <summary>
    /// Checks what can be checked for the scheduler <paramref name="target"/> before anything is submitted: everything
    /// <see cref="Validate()"/> checks, and that every dependency is a job of that scheduler.
    /// </summary>
    public JobRequest Validate(SchedulerKind target)
    {
        Validate();
        var foreign = Dependencies.Where(d => d.Scheduler is { } s && s != target).ToList();
        if (foreign.Count > 0)
            throw new InvalidJobRequestException(
                $"The job goes to {target}, but it depends on {string.Join(", ", foreign.Select(d => $"{d.Scheduler} job {d.JobId}"))}: "
                    + "a scheduler can only wait for its own jobs. "
                    + "Submit the job to the same scheduler, or wait in PowerShell (Wait-HpcJob) first.",
                HpcErrors.InvalidDependency
            );
        return this;
    }

    /// <summary>Checks what can be checked without a scheduler. Throws <see cref="InvalidJobRequestException"/>.</summary>
    public JobRequest Validate()
    {
        if (ScriptPath is null && Command.Count == 0)
            throw new InvalidJobRequestException("Give a script path or a command to run.", HpcErrors.NoJobToRun);
        if (ScriptPath is not null && Command.Count > 0)
            throw new InvalidJobRequestException(
                "Give either a script path or a command, not both (script arguments go in ScriptArguments).",
                HpcErrors.InvalidJobRequest
            );
        if (ScriptPath is not null && !ScriptOnCluster)
        {
            if (Directory.Exists(ScriptPath))
                throw new InvalidJobRequestException(
                    $"Script '{ScriptPath}' is a directory, not a file.",
                    HpcErrors.ScriptNotFound
                );
            if (!File.Exists(ScriptPath))
                throw new InvalidJobRequestException(
                    $"Script '{ScriptPath}' does not exist.",
                    HpcErrors.ScriptNotFound
                );
        }
        if (Command.Count > 0 && string.IsNullOrWhiteSpace(Command[0]))
            throw new InvalidJobRequestException("The command's program name is empty.", HpcErrors.InvalidJobRequest);
        foreach (var arg in Command.Concat(ScriptArguments))
            if (arg.Contains('\0'))
                throw new InvalidJobRequestException(
                    "An argument contains a NUL character, which no process can receive.",
                    HpcErrors.InvalidJobRequest
                );
        if (Name is not null)
        {
            if (string.IsNullOrWhiteSpace(Name) || Name.Any(char.IsControl))
                throw new InvalidJobRequestException(
                    $"Name '{Name}' is not valid: it must have a visible character and no control characters (newlines, tabs).",
                    HpcErrors.InvalidJobName
                );
            if (Name.StartsWith('-'))
                throw new InvalidJobRequestException(
                    $"Name '{Name}' starts with '-', which the scheduler's tools would read as an option; start it "
                        + "with a letter or digit.",
                    HpcErrors.InvalidJobName
                );
            if (Name.Length > 200)
                throw new InvalidJobRequestException(
                    $"Name is {Name.Length} characters long; at most 200 are allowed.",
                    HpcErrors.InvalidJobName
                );
        }
        if (WorkingDirectory is not null && WorkingDirectory.StartsWith('-'))
            throw new InvalidJobRequestException(
                $"Working directory '{WorkingDirectory}' starts with '-', which a tool would read as an option; "
                    + $"write it as './{WorkingDirectory}'.",
                HpcErrors.WorkingDirectoryNotFound
            );
        if (WorkingDirectory is not null && !PathsOnCluster && !Directory.Exists(WorkingDirectory))
            throw new InvalidJobRequestException(
                File.Exists(WorkingDirectory)
                    ? $"Working directory '{WorkingDirectory}' is a file, not a folder."
                    : $"Working directory '{WorkingDirectory}' does not exist.",
                HpcErrors.WorkingDirectoryNotFound
            );
        foreach (var (key, value) in Environment)
        {
            if (!EnvironmentNamePattern().IsMatch(key))
                throw new InvalidJobRequestException(
                    $"Environment variable name '{key}' is not valid: use letters, digits and _ and do not start with a digit.",
                    HpcErrors.InvalidEnvironment
                );
            if (value.Contains('\0'))
                throw new InvalidJobRequestException(
                    $"Environment variable '{key}' contains a NUL character.",
                    HpcErrors.InvalidEnvironment
                );
            if (
                ReservedEnvironmentPrefixes.FirstOrDefault(p =>
                    key.StartsWith(p, StringComparison.OrdinalIgnoreCase)
                ) is
                { } prefix
            )
                throw new InvalidJobRequestException(
                    $"Environment variable '{key}' is not allowed: names starting with {prefix} configure the scheduler's "
                        + "own tools (sbatch reads SBATCH_*, qsub PBS_*) or are set by the scheduler for the job. Say "
                        + "what you want with Submit-HpcJob's parameters (-ArrayRange, -Resources, ...), or use another name.",
                    HpcErrors.InvalidEnvironment
                );
            // Linux refuses one NAME=value string over 128 KiB (MAX_ARG_STRLEN) with E2BIG when the job starts
            if (System.Text.Encoding.UTF8.GetByteCount(value) + key.Length + 2 > MaxEnvironmentEntryBytes)
                throw new InvalidJobRequestException(
                    $"Environment variable '{key}' is {System.Text.Encoding.UTF8.GetByteCount(value)} bytes long; "
                        + $"Linux takes at most {MaxEnvironmentEntryBytes} bytes for one NAME=value. Pass large data in a file.",
                    HpcErrors.InvalidEnvironment
                );
        }
        CheckOutputPath("-OutputPath", OutputPath);
        CheckOutputPath("-ErrorPath", ErrorPath);
        foreach (var address in MailUser)
            if (string.IsNullOrWhiteSpace(address) || !MailAddressPattern().IsMatch(address))
                throw new InvalidJobRequestException(
                    $"-MailUser '{address}' is not a mail address: give user or user@host.example, one per value "
                        + "(no spaces, commas or quotes).",
                    HpcErrors.InvalidJobRequest
                );
        if (
            Signal is { } signal
            && Resources.Walltime is { } walltime
            && signal.SecondsBeforeEnd >= walltime.TotalSeconds
        )
            throw new InvalidJobRequestException(
                $"-Signal '{signal}' asks for {signal.Name} {signal.SecondsBeforeEnd} s before the end, but the walltime is "
                    + $"{Walltime.ToSlurm(walltime)}: that is before the job starts. Give fewer seconds, or a longer walltime.",
                HpcErrors.InvalidJobRequest
            );
        foreach (var d in Dependencies)
            if (
                string.IsNullOrWhiteSpace(d.JobId)
                || d.JobId.StartsWith('-')
                || d.JobId.Any(c => char.IsWhiteSpace(c) || c is ',' or ':' or '?')
            )
                throw new InvalidJobRequestException(
                    $"Dependency job id '{d.JobId}' is not a job id.",
                    HpcErrors.InvalidDependency
                );
        return this;
    }

    /// <summary>
    /// A job whose output file cannot be created dies at start with no output at all (SLURM and PBS alike). The folder is
    /// checked here, relative to the working directory, unless it holds a %-pattern that only the scheduler can expand.
    /// </summary>
    private void CheckOutputPath(string parameter, string? path)
    {
        if (path is null)
            return;
        if (path.Length == 0 || path.Any(char.IsControl))
            throw new InvalidJobRequestException(
                $"{parameter} '{path}' is not valid: it must be a file path without control characters.",
                HpcErrors.InvalidOutputPath
            );
        if (path.StartsWith('-'))
            throw new InvalidJobRequestException(
                $"{parameter} '{path}' starts with '-', which the scheduler's copy tools would read as an option; "
                    + $"write it as './{path}'.",
                HpcErrors.InvalidOutputPath
            );
        if (PathsOnCluster)
            return; // checked on the cluster
        var full = Path.IsPathRooted(path)
            ? path
            : Path.Combine(WorkingDirectory ?? Directory.GetCurrentDirectory(), path);
        if (Directory.Exists(full))
            throw new InvalidJobRequestException(
                $"{parameter} '{path}' is a folder; give a file name in it (for example '{Path.Combine(path, "job-%j.out")}').",
                HpcErrors.InvalidOutputPath
            );
        if (OperatingSystem.IsLinux())
            RefusePlantedOutput(parameter, path, full);
        if (
            OperatingSystem.IsLinux()
            && full != "/dev/null"
            && Platform.Native.Status(full, followLinks: true) is { IsRegularFile: false } existing
        )
            throw new InvalidJobRequestException(
                $"{parameter} '{path}' is not a regular file (file type {existing.TypeName}): a job writing to it could "
                    + "block or fill memory. Give a regular file, or /dev/null to discard the output.",
                HpcErrors.InvalidOutputPath
            );
        var folder = Path.GetDirectoryName(full);
        if (folder is not null && System.Text.RegularExpressions.Regex.IsMatch(folder, "%[0-9]*[jJA]"))
            throw new InvalidJobRequestException(
                $"{parameter} '{path}': its folder '{folder}' names the job or array id, which is not known before "
                    + "the job is submitted, so that folder cannot exist yet, and the scheduler creates no folders "
                    + "(the job would die at start with no output). Put %j in the file name instead.",
                HpcErrors.InvalidOutputPath
            );
        if (folder is null || folder.Contains('%'))
            return;
        if (!Directory.Exists(folder))
            throw new InvalidJobRequestException(
                File.Exists(folder)
                    ? $"{parameter} '{path}': '{folder}' is a file, not a folder."
                    : $"{parameter} '{path}': folder '{folder}' does not exist; "
                        + "create it first (the job would die at start with no output).",
                HpcErrors.InvalidOutputPath
            );
    }

    /// <summary>
    /// In a folder others may write (a 1777 /tmp, a group folder), the output must not be a link or a file someone else
    /// owns: the link's maker would choose what the job overwrites, the file's owner could read what it writes. Refused
    /// here where it can be seen at submission; the Local back end checks again when it opens the file.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void RefusePlantedOutput(string parameter, string path, string full)
    {
        if (full == "/dev/null" || full.Contains('%') || Path.GetDirectoryName(full) is not { } folder)
            return;
        if (Platform.Native.Status(folder, followLinks: true) is not { } f || !Platform.Native.OthersMayPlantIn(f))
            return;
        var existing = Platform.Native.LStat(full);
        if (existing is { IsSymlink: true })
            throw new InvalidJobRequestException(
                $"{parameter} '{path}' is a symbolic link in '{folder}', which other users can write: whoever made it "
                    + "would choose which file the job overwrites. Remove it, or write the output to a folder of yours.",
                HpcErrors.InvalidOutputPath
            );
        if (existing is { } file && file.Uid != Platform.Native.geteuid())
            throw new InvalidJobRequestException(
                $"{parameter} '{path}' belongs to user id {file.Uid}, in '{folder}', which other users can write: its "
                    + "owner could read what the job writes. Give another file name, or a folder of yours.",
                HpcErrors.InvalidOutputPath
            );
    }
}
