using System.Text.RegularExpressions;

namespace HpcJobs.Core.Model;

/// <summary>
/// Everything needed to submit one job (or one array). Either <see cref="ScriptPath"/> or <see cref="Command"/> is set:
/// a command is an argument list, never a shell string. Call <see cref="Validate"/> before anything is submitted.
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
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public string? OutputPath { get; init; }
    public string? ErrorPath { get; init; }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentNamePattern();

    /// <summary>The job's display name: the given name, else the script's or program's file name.</summary>
    public string EffectiveName => Name ?? Path.GetFileName(ScriptPath ?? (Command.Count > 0 ? Command[0] : "job"));

    /// <summary>Checks what can be checked without a scheduler. Throws <see cref="InvalidJobRequestException"/>.</summary>
    public JobRequest Validate()
    {
        if (ScriptPath is null && Command.Count == 0)
            throw new InvalidJobRequestException("Give a script path or a command to run.", "HpcNoJobToRun");
        if (ScriptPath is not null && Command.Count > 0)
            throw new InvalidJobRequestException("Give either a script path or a command, not both (script arguments go in ScriptArguments).", "HpcInvalidJobRequest");
        if (ScriptPath is not null)
        {
            if (Directory.Exists(ScriptPath))
                throw new InvalidJobRequestException($"Script '{ScriptPath}' is a directory, not a file.", "HpcScriptNotFound");
            if (!File.Exists(ScriptPath))
                throw new InvalidJobRequestException($"Script '{ScriptPath}' does not exist.", "HpcScriptNotFound");
        }
        if (Command.Count > 0 && string.IsNullOrWhiteSpace(Command[0]))
            throw new InvalidJobRequestException("The command's program name is empty.", "HpcInvalidJobRequest");
        foreach (var arg in Command.Concat(ScriptArguments))
            if (arg.Contains('\0')) throw new InvalidJobRequestException("An argument contains a NUL character, which no process can receive.", "HpcInvalidJobRequest");
        if (Name is not null)
        {
            if (Name.Length == 0 || Name.Any(char.IsControl))
                throw new InvalidJobRequestException($"Name '{Name}' is not valid: it must be non-empty and contain no control characters (newlines, tabs).", "HpcInvalidJobName");
            if (Name.Length > 200)
                throw new InvalidJobRequestException($"Name is {Name.Length} characters long; at most 200 are allowed.", "HpcInvalidJobName");
        }
        if (WorkingDirectory is not null && !Directory.Exists(WorkingDirectory))
            throw new InvalidJobRequestException($"Working directory '{WorkingDirectory}' does not exist.", "HpcWorkingDirectoryNotFound");
        foreach (var (key, value) in Environment)
        {
            if (!EnvironmentNamePattern().IsMatch(key))
                throw new InvalidJobRequestException($"Environment variable name '{key}' is not valid: use letters, digits and _ and do not start with a digit.", "HpcInvalidEnvironment");
            if (value.Contains('\0'))
                throw new InvalidJobRequestException($"Environment variable '{key}' contains a NUL character.", "HpcInvalidEnvironment");
        }
        foreach (var path in new[] { OutputPath, ErrorPath })
            if (path is not null && (path.Length == 0 || path.Any(char.IsControl)))
                throw new InvalidJobRequestException($"Output path '{path}' is not valid.", "HpcInvalidOutputPath");
        foreach (var d in Dependencies)
            if (string.IsNullOrWhiteSpace(d.JobId) || d.JobId.Any(c => char.IsWhiteSpace(c) || c is ',' or ':' or '?'))
                throw new InvalidJobRequestException($"Dependency job id '{d.JobId}' is not a job id.", "HpcInvalidDependency");
        return this;
    }
}
