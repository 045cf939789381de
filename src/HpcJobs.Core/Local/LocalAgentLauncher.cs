using System.Runtime.InteropServices;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Local;

/// <summary>
/// Starts the shepherd (HpcJobs.LocalAgent.dll) for a unit as a detached process: <c>setsid -f dotnet
/// HpcJobs.LocalAgent.dll run STATE ID</c>.
/// setsid forks and returns at once, so the shepherd is in a session of its own and outlives the pwsh that submitted the job.
/// </summary>
internal sealed class LocalAgentLauncher(IProcessRunner runner)
{
    public static string AgentPath =>
        Environment.GetEnvironmentVariable("HPCJOBS_LOCAL_AGENT") is { Length: > 0 } p
            ? p
            : Path.Combine(
                Path.GetDirectoryName(typeof(LocalAgentLauncher).Assembly.Location)!,
                "HpcJobs.LocalAgent.dll"
            );

    /// <summary>The dotnet host of the runtime we run on (pwsh as a dotnet tool has no dotnet on its PATH guarantee).</summary>
    public static string DotnetHost
    {
        get
        {
            if (Environment.GetEnvironmentVariable("HPCJOBS_DOTNET") is { Length: > 0 } p)
                return p;
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
                return Environment.ProcessPath!;
            var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
            var host = Path.Combine(root, "dotnet");
            return File.Exists(host) ? host : "dotnet";
        }
    }

    public async Task LaunchAsync(string stateRoot, string unitId, CancellationToken ct)
    {
        if (!File.Exists(AgentPath))
            throw new FileNotFoundException($"The Local back end's shepherd is missing: {AgentPath}");
        var result = await runner
            .RunAsync("setsid", ["-f", DotnetHost, AgentPath, "run", stateRoot, unitId], cancellationToken: ct)
            .ConfigureAwait(false);
        if (!result.Succeeded)
            throw new IOException(
                $"setsid could not start the shepherd for job {unitId}: {result.StandardError.Trim()}"
            );
    }
}
