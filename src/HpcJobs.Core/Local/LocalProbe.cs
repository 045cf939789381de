using System.Runtime.InteropServices;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Local;

/// <summary>The embedded scheduler: there on every Linux machine; on other systems it says why not.</summary>
public sealed class LocalProbe : ISchedulerProbe
{
    public SchedulerKind Kind => SchedulerKind.Local;

    /// <summary>Why Local cannot run on this operating system, or null on Linux.</summary>
    public static string? PlatformProblem =>
        OperatingSystem.IsLinux()
            ? null
            : $"The Local scheduler runs on Linux only, and this is {RuntimeInformation.OSDescription}. Its daemon uses "
                + "/proc, setsid(1), posix_spawn, process groups, flock and renameat2; a macOS port needs proc_pidinfo, "
                + "a double fork and renamex_np, a Windows port job objects and CreateProcess. The SLURM and PBS back ends "
                + "work here; use -Scheduler Slurm or Pbs.";

    public Task<SchedulerCandidate> ProbeAsync(bool requestedByName, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
            return Task.FromResult(new SchedulerCandidate(Kind, false, PlatformProblem!));
        return Task.FromResult(
            LocalAgentLauncher.Problem() is { } problem
                ? new SchedulerCandidate(Kind, false, problem)
                : new SchedulerCandidate(
                    Kind,
                    true,
                    (requestedByName ? "embedded; usable here" : "embedded default: no cluster scheduler answered")
                        + $"; its daemon runs on {LocalAgentLauncher.Host.Description}"
                )
        );
    }

    public IScheduler Create() => Create(null);

    /// <summary>The store in use changes with $env:HPCJOBS_STATE_DIR (and PowerShell's location, for a relative one).</summary>
    public bool IsCurrent(IScheduler scheduler) =>
        OperatingSystem.IsLinux()
        && scheduler is LocalScheduler local
        && local.StateDirectory == Path.GetFullPath(LocalStateStore.DefaultRoot());

    public IScheduler CreateAt(string location) => Create(location);

    private static LocalScheduler Create(string? location) =>
        OperatingSystem.IsLinux()
            ? new LocalScheduler(location)
            : throw new SchedulerUnavailableException(PlatformProblem!);

    public bool Serves(IScheduler scheduler, string location) =>
        OperatingSystem.IsLinux()
        && scheduler is LocalScheduler local
        && local.StateDirectory == Path.GetFullPath(location);
}
