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

    /// <summary>Why the daemon cannot be started here, or null: its assembly or the dotnet host to run it is missing.</summary>
    public static string? Problem()
    {
        if (!File.Exists(AgentPath))
            return $"The Local scheduler's daemon is missing: {AgentPath}";
        var host = DotnetHost;
        if (!Path.IsPathRooted(host) && Processes.ProgramLocator.Find(host) is null)
            return $"The Local scheduler's daemon ({AgentPath}) needs the dotnet host, and there is none: not beside this "
                + $"runtime ({RuntimeEnvironment.GetRuntimeDirectory()}) and no '{host}' on PATH. A self-contained pwsh "
                + "carries no dotnet host; install the .NET runtime, or set $env:HPCJOBS_DOTNET to a dotnet executable.";
        if (Path.IsPathRooted(host) && !File.Exists(host))
            return $"The Local scheduler's daemon needs the dotnet host '{host}' ($env:HPCJOBS_DOTNET), which does not exist.";
        return null;
    }

    /// <summary>Starts the daemon, detached; returns the command line that was run (for messages).</summary>
    public async Task<string> LaunchDaemonAsync(string stateRoot, CancellationToken ct)
    {
        if (Problem() is { } problem)
            throw new SchedulerUnavailableException(problem);
        var host = DotnetHost;
        string[] args = ["-f", host, AgentPath, "daemon", stateRoot];
        var command = "setsid " + string.Join(' ', args.Select(Scheduling.ShellQuote.Quote));
        ProcessResult result;
        try
        {
            result = await runner.RunAsync("setsid", args, cancellationToken: ct).ConfigureAwait(false);
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
                $"`{command}` failed (exit {result.ExitCode}): {result.StandardError.Trim()}"
            );
        return command;
    }
}
