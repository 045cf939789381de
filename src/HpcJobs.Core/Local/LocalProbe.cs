using HpcJobs.Core.Model;
using HpcJobs.Core.Scheduling;

namespace HpcJobs.Core.Local;

/// <summary>The embedded scheduler: always there.</summary>
public sealed class LocalProbe : ISchedulerProbe
{
    public SchedulerKind Kind => SchedulerKind.Local;

    public Task<SchedulerCandidate> ProbeAsync(bool requestedByName, CancellationToken cancellationToken) =>
        Task.FromResult(
            new SchedulerCandidate(
                Kind,
                true,
                requestedByName ? "embedded; always available" : "embedded default: no cluster scheduler answered"
            )
        );

    public IScheduler Create() => new LocalScheduler();
}
