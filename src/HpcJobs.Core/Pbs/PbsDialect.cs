using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Pbs;

/// <summary>The two PBS families, which disagree on flags, state letters, history and array syntax.</summary>
public enum PbsDialect
{
    /// <summary>PBS Professional / OpenPBS: <c>-l select=</c>, <c>-J</c> arrays, <c>qstat -x</c> history, <c>-F json</c>.</summary>
    Pro,

    /// <summary>TORQUE: <c>-l nodes=N:ppn=C</c>, <c>-t</c> arrays, completed jobs as state C while keep_completed lasts.</summary>
    Torque,
}

/// <summary>What <c>qstat --version</c> says about the PBS on PATH.</summary>
public sealed record PbsIdentity(PbsDialect? Dialect, string? Version, bool IsSlurmWrapper, string Evidence)
{
    /// <summary>
    /// PBS Pro prints <c>pbs_version = 19.2.8</c> on stdout; Torque prints <c>Version: 6.1.2</c> (older: <c>version: 2.5.12</c>)
    /// on stderr. SchedMD's qstat wrapper (package slurm-wlm-torque) is a Perl script over squeue: it is recognised by its
    /// own file, not by its output.
    /// </summary>
    public static PbsIdentity FromVersionOutput(ProcessResult r, bool isSlurmWrapper)
    {
        var text = (r.StandardOutput + "\n" + r.StandardError).Trim();
        var first = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        if (isSlurmWrapper)
            return new PbsIdentity(
                PbsDialect.Torque,
                null,
                true,
                "qstat is SLURM's PBS-compatibility wrapper (slurm-wlm-torque)"
            );
        foreach (var line in text.Split('\n').Select(l => l.Trim()))
        {
            if (line.StartsWith("pbs_version", StringComparison.OrdinalIgnoreCase) && line.Contains('='))
                return new PbsIdentity(PbsDialect.Pro, line[(line.IndexOf('=') + 1)..].Trim(), false, line);
            if (line.StartsWith("Version:", StringComparison.OrdinalIgnoreCase))
                return new PbsIdentity(PbsDialect.Torque, line[8..].Trim(), false, line);
        }
        return new PbsIdentity(
            null,
            null,
            false,
            first.Length > 0 ? first : $"qstat --version exit {r.ExitCode}, no output"
        );
    }

    /// <summary>SchedMD's wrappers are Perl scripts that load Slurm's Perl API; real PBS and Torque ship compiled qstat.</summary>
    public static bool IsSlurmWrapperText(string head) =>
        head.StartsWith("#!", StringComparison.Ordinal) && head.Contains("Slurm", StringComparison.OrdinalIgnoreCase);

    public static bool IsSlurmWrapperFile(string? path)
    {
        if (path is null)
            return false;
        try
        {
            using var reader = new StreamReader(path);
            var buffer = new char[8192];
            var n = reader.ReadBlock(buffer, 0, buffer.Length);
            return IsSlurmWrapperText(new string(buffer, 0, n));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
