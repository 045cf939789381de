using System.Runtime.InteropServices;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Local;

/// <summary>
/// Starts the Local scheduler's daemon (HpcJobs.LocalAgent.dll) as a detached process: <c>setsid -f dotnet
/// HpcJobs.LocalAgent.dll daemon STATE</c>. setsid forks and returns at once, so the daemon is in a session of its own and
/// outlives the pwsh that started it.
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

    public async Task LaunchDaemonAsync(string stateRoot, CancellationToken ct)
    {
        if (!File.Exists(AgentPath))
            throw new SchedulerUnavailableException($"The Local scheduler's daemon is missing: {AgentPath}");
        ProcessResult result;
        try
        {
            result = await runner
                .RunAsync("setsid", ["-f", DotnetHost, AgentPath, "daemon", stateRoot], cancellationToken: ct)
                .ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SchedulerUnavailableException(
                $"setsid could not be run to start the Local scheduler's daemon: {e.Message}",
                e
            );
        }
        if (!result.Succeeded)
            throw new SchedulerUnavailableException(
                $"setsid could not start the Local scheduler's daemon: {result.StandardError.Trim()}"
            );
    }
}
