using System.Runtime.InteropServices;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Local;

/// <summary>
/// Starts the Local scheduler's daemon as a detached process: <c>setsid -f HOST... daemon STATE</c>. setsid forks and
/// returns at once, so the daemon is in a session of its own and outlives the pwsh that started it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class LocalAgentLauncher(IProcessRunner runner)
{
    /// <summary>The folder the module's assemblies were loaded from (the agent and its pwsh script live there too).</summary>
    private static string ModuleFolder => Path.GetDirectoryName(typeof(LocalAgentLauncher).Assembly.Location)!;

    public static string AgentPath =>
        Environment.GetEnvironmentVariable("HPCJOBS_LOCAL_AGENT") is { Length: > 0 } p
            ? p
            : Path.Combine(ModuleFolder, "HpcJobs.LocalAgent.dll");

    /// <summary>The script that runs the daemon inside pwsh itself (for a pwsh without a dotnet host).</summary>
    public static string AgentScript => Path.Combine(ModuleFolder, "HpcJobs.LocalAgent.ps1");

    /// <summary>
    /// What runs the daemon: the program and the arguments that come before <c>daemon STATE</c>. The dotnet host of the
    /// runtime we run on when there is one (a pwsh dotnet tool; the cheapest daemon); otherwise the pwsh that loaded the
    /// module, when it carries its own runtime (Microsoft's .deb/.rpm/.tar.gz/Homebrew pwsh: no dotnet anywhere), running
    /// <see cref="AgentScript"/>. $env:HPCJOBS_DOTNET names a dotnet host to use instead.
    /// </summary>
    public static AgentHost Host
    {
        get
        {
            if (Environment.GetEnvironmentVariable("HPCJOBS_DOTNET") is { Length: > 0 } explicitHost)
                return AgentHost.Dotnet(explicitHost, AgentPath);
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
                return AgentHost.Dotnet(Environment.ProcessPath!, AgentPath);
            var runtime = RuntimeEnvironment.GetRuntimeDirectory();
            var besideRuntime = Path.GetFullPath(Path.Combine(runtime, "..", "..", "..", "dotnet"));
            if (File.Exists(besideRuntime))
                return AgentHost.Dotnet(besideRuntime, AgentPath);
            // a self-contained app keeps the runtime in its own folder: pwsh's folder, when pwsh is the app
            var pwsh = Path.Combine(runtime, "pwsh");
            if (File.Exists(pwsh))
                return AgentHost.Pwsh(pwsh, AgentScript);
            return AgentHost.Dotnet("dotnet", AgentPath);
        }
    }

    /// <summary>Why the daemon cannot be started here, or null: its assembly, script or a host to run it is missing.</summary>
    public static string? Problem()
    {
        var host = Host;
        if (!File.Exists(host.Entry))
            return $"The Local scheduler's daemon is missing: {host.Entry}";
        if (!File.Exists(AgentPath))
            return $"The Local scheduler's daemon is missing: {AgentPath}";
        if (!Path.IsPathRooted(host.Program) && ProgramLocator.Find(host.Program) is null)
            return $"The Local scheduler's daemon ({AgentPath}) needs a .NET host, and there is none: no dotnet beside "
                + $"this runtime ({RuntimeEnvironment.GetRuntimeDirectory()}), no pwsh carrying its own runtime there, and "
                + $"no '{host.Program}' on PATH. Install the .NET runtime, or set $env:HPCJOBS_DOTNET to a dotnet executable.";
        if (Path.IsPathRooted(host.Program) && !File.Exists(host.Program))
            return $"The Local scheduler's daemon needs the host '{host.Program}' ($env:HPCJOBS_DOTNET), which does not exist.";
        return null;
    }

    /// <summary>Starts the daemon, detached; returns the command line that was run (for messages).</summary>
    public async Task<string> LaunchDaemonAsync(string stateRoot, CancellationToken ct)
    {
        if (Problem() is { } problem)
            throw new SchedulerUnavailableException(problem);
        var host = Host;
        string[] args = ["-f", host.Program, .. host.Arguments, "daemon", stateRoot];
        var command = "setsid " + string.Join(' ', args.Select(ShellQuote.Quote));
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

/// <summary>A program that runs the Local daemon, with the arguments before <c>daemon STATE</c>; Entry is the file it runs.</summary>
internal sealed record AgentHost(string Program, IReadOnlyList<string> Arguments, string Entry, string Description)
{
    public static AgentHost Dotnet(string dotnet, string agent) => new(dotnet, [agent], agent, $"dotnet host {dotnet}");

    public static AgentHost Pwsh(string pwsh, string script) =>
        new(pwsh, ["-NoLogo", "-NoProfile", "-NonInteractive", "-File", script], script, $"this pwsh ({pwsh})");
}
