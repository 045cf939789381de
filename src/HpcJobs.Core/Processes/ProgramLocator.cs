namespace HpcJobs.Core.Processes;

public static class ProgramLocator
{
    /// <summary>The full path of <paramref name="program"/> on <paramref name="searchPath"/> (default: $PATH), or null.</summary>
    public static string? Find(string program, string? searchPath = null)
    {
        if (program.Contains('/'))
            return File.Exists(program) ? program : null;
        foreach (
            var dir in (
                searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin"
            ).Split(':', StringSplitOptions.RemoveEmptyEntries)
        )
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
