using HpcJobs.Core.Processes;
using HpcJobs.Core.Slurm;

namespace HpcJobs.Core.Tests.Support;

/// <summary>
/// A fact that needs the real test cluster (tests/cluster/start-slurm.sh). Without a cluster it is skipped on a
/// developer's machine but fails in CI (CI=true), so a missing cluster can never pass silently.
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (!SlurmCluster.IsUp && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "no SLURM test cluster (start it with: sudo bash tests/cluster/start-slurm.sh)";
    }
}

public static class SlurmCluster
{
    private static readonly Lazy<bool> Up = new(() =>
    {
        if (ProgramLocator.Find("scontrol") is null)
            return false;
        var r = CliWrapProcessRunner.Instance.RunAsync("scontrol", ["ping"]).GetAwaiter().GetResult();
        return r.Succeeded && r.StandardOutput.Contains("is UP");
    });

    public static bool IsUp => Up.Value;

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HpcJobs.sln")))
                dir = dir.Parent;
            return dir?.FullName ?? throw new DirectoryNotFoundException("repository root (HpcJobs.sln) not found");
        }
    }

    public static Task<ProcessResult> RunAsync(string program, params string[] args) =>
        CliWrapProcessRunner.Instance.RunAsync(program, args);

    public static async Task Reconfigure(params string[] args)
    {
        var r = await RunAsync("bash", [Path.Combine(RepoRoot, "tests", "cluster", "reconfigure-slurm.sh"), .. args]);
        if (!r.Succeeded)
            throw new InvalidOperationException(
                $"reconfigure-slurm.sh {string.Join(' ', args)} failed: {r.StandardError}"
            );
    }

    /// <summary>One job's <c>scontrol -o show job</c> record.</summary>
    public static async Task<Dictionary<string, string>> ShowJob(string id)
    {
        var r = await RunAsync("scontrol", "-o", "show", "job", id);
        return HpcJobs.Core.Slurm.SlurmOutput.ParseScontrol(r.StandardOutput).First();
    }
}

/// <summary>All tests on the real cluster run one after another (some restart the controller).</summary>
[CollectionDefinition("slurm-cluster", DisableParallelization = true)]
public sealed class SlurmClusterCollection;
