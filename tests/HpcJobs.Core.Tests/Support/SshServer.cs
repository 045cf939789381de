using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Tests.Support;

/// <summary>
/// A fact that needs the test sshd (tests/cluster/start-sshd.sh): skipped on a developer's machine without it, failed
/// in CI (CI=true), so the remote cases can never pass silently.
/// </summary>
public sealed class SshFactAttribute : FactAttribute
{
    public SshFactAttribute()
    {
        if (!SshServer.IsUp && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "no test sshd (start it with: sudo bash tests/cluster/start-sshd.sh)";
    }
}

public sealed class SshTheoryAttribute : TheoryAttribute
{
    public SshTheoryAttribute()
    {
        if (!SshServer.IsUp && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "no test sshd (start it with: sudo bash tests/cluster/start-sshd.sh)";
    }
}

/// <summary>The test sshd on 127.0.0.1 and its Host aliases (hpc-bash, hpc-tcsh: login shells bash and tcsh).</summary>
public static class SshServer
{
    public const string Log = "/var/log/hpcjobs-sshd.log";
    public const string Folder = "/etc/hpcjobs-sshd";
    public static readonly string[] Aliases = ["hpc-bash", "hpc-tcsh"];

    private static readonly Lazy<bool> Up = new(() =>
        File.Exists(Path.Combine(Folder, "client_config"))
        && CliWrapProcessRunner
            .Instance.RunAsync("ssh", ["-o", "BatchMode=yes", "hpc-bash", "true"])
            .GetAwaiter()
            .GetResult()
            .Succeeded
    );

    public static bool IsUp => Up.Value;

    /// <summary>Logins sshd accepted so far ("Accepted publickey for USER").</summary>
    public static int AcceptedLogins(string user) =>
        File.Exists(Log) ? File.ReadLines(Log).Count(l => l.Contains($"Accepted publickey for {user} ")) : 0;
}
