using HpcJobs.Core.Model;
using HpcJobs.Core.Scheduling;

namespace HpcJobs.Core.Local;

/// <summary>The embedded scheduler: always there.</summary>
public sealed class LocalProbe : ISchedulerProbe
{
    public SchedulerKind Kind => SchedulerKind.Local;

    public Task<SchedulerCandidate> ProbeAsync(bool requestedByName, CancellationToken cancellationToken) =>
        Task.FromResult(
            LocalAgentLauncher.Problem() is { } problem
                ? new SchedulerCandidate(Kind, false, problem)
                : new SchedulerCandidate(
                    Kind,
                    true,
                    requestedByName ? "embedded; usable here" : "embedded default: no cluster scheduler answered"
                )
        );

    public IScheduler Create() => new LocalScheduler();

    /// <summary>The store in use changes with $env:HPCJOBS_STATE_DIR (and PowerShell's location, for a relative one).</summary>
    public bool IsCurrent(IScheduler scheduler) =>
        scheduler is LocalScheduler local && local.StateDirectory == Path.GetFullPath(LocalStateStore.DefaultRoot());

    public IScheduler CreateAt(string location) => new LocalScheduler(location);

    public bool Serves(IScheduler scheduler, string location) =>
        scheduler is LocalScheduler local && local.StateDirectory == Path.GetFullPath(location);
}
