using HpcJobs.Core.Kit;
using HpcJobs.Core.Pbs;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Tests.Support;

/// <summary>
/// A fact that needs the real OpenPBS test server (tests/cluster/start-openpbs.sh). Without one it is skipped on a
/// developer's machine but fails in CI (CI=true), so a missing server can never pass silently.
/// </summary>
public sealed class PbsFactAttribute : FactAttribute
{
    public PbsFactAttribute()
    {
        if (!PbsServer.IsUp && Environment.GetEnvironmentVariable("CI") != "true")
            Skip =
                "no OpenPBS test server (build and start it with: sudo bash tests/cluster/start-openpbs.sh path/to/openpbs-src.tar.gz)";
    }
}

public static class PbsServer
{
    public const string Bin = "/opt/pbs/bin";
    private static readonly IReadOnlySet<string> Programs = new HashSet<string>
    {
        "qsub",
        "qstat",
        "qdel",
        "qmgr",
        "qsig",
        "qhold",
        "qrls",
        "qrerun",
    };

    /// <summary>PBS's own commands from /opt/pbs/bin (SLURM's wrappers own /usr/bin/qsub on this machine).</summary>
    public static IProcessRunner Runner { get; } =
        new CommandDirectoryRunner(CliWrapProcessRunner.Instance, Bin, Programs);

    private static readonly Lazy<bool> Up = new(() =>
        File.Exists(Path.Combine(Bin, "qstat")) && Runner.RunAsync("qstat", ["-B"]).GetAwaiter().GetResult().Succeeded
    );

    public static bool IsUp => Up.Value;

    /// <summary>
    /// The PBS back end over the real server. <paramref name="asUser"/> runs PBS's commands as that user (runuser): jobs of
    /// root (allowed here through acl_roots) end with Exit_status 0 when PBS kills them, where an ordinary user's read
    /// 256 + signal, as at real sites, where root may not submit at all.
    /// </summary>
    public static PbsScheduler Scheduler(RetryPolicy? retry = null, string? asUser = null)
    {
        var runner = asUser is null ? Runner : new AsUserRunner(Runner, asUser, Programs, p => Path.Combine(Bin, p));
        var version = runner.RunAsync("qstat", ["--version"]).GetAwaiter().GetResult();
        var identity = PbsIdentity.FromVersionOutput(version, isSlurmWrapper: false);
        return new PbsScheduler(identity, runner, retry: retry);
    }

    public const string TestUser = "pbsuser";

    public static Task<ProcessResult> Run(string program, params string[] args) => Runner.RunAsync(program, args);

    public static async Task Qmgr(string command)
    {
        var r = await Run("qmgr", "-c", command);
        if (!r.Succeeded)
            throw new InvalidOperationException($"qmgr -c '{command}' failed: {r.StandardError}");
    }

    /// <summary>One job's attributes from <c>qstat -f -F json -x</c>, flattened (Resource_List.ncpus).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> Attributes(string id)
    {
        var r = await Run("qstat", "-f", "-F", "json", "-x", id);
        return PbsOutput.ParseJson(r.StandardOutput).Single().Attributes;
    }

    public static Task<ProcessResult> ClusterScript(string name) =>
        CliWrapProcessRunner.Instance.RunAsync("bash", [Path.Combine(SlurmCluster.RepoRoot, "tests", "cluster", name)]);
}

/// <summary>Tests on the real PBS server run one after another (some change server settings or restart it).</summary>
[CollectionDefinition("pbs-server", DisableParallelization = true)]
public sealed class PbsServerCollection;
