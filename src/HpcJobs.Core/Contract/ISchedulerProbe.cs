using HpcJobs.Core.Model;

namespace HpcJobs.Core.Contract;

/// <summary>Probes whether one kind of scheduler is usable on this machine.</summary>
public interface ISchedulerProbe
{
    SchedulerKind Kind { get; }

    /// <param name="requestedByName">True when the user named this scheduler (some are usable then but not auto-detected).</param>
    /// <param name="cancellationToken">Stops the probe.</param>
    Task<SchedulerCandidate> ProbeAsync(bool requestedByName, CancellationToken cancellationToken);
    IScheduler Create();

    /// <summary>True while an instance made earlier still serves the current settings (Local: the same state folder).</summary>
    bool IsCurrent(IScheduler scheduler) => true;

    /// <summary>
    /// The back end for jobs that name where they live (<see cref="JobInfo.Location"/>); one place: <see cref="Create"/>.
    /// </summary>
    IScheduler CreateAt(string location) => Create();

    /// <summary>Whether <paramref name="scheduler"/> is the one at <paramref name="location"/> (always, for one place).</summary>
    bool Serves(IScheduler scheduler, string location) => true;
}

/// <summary>One back end considered during selection, and why it was or was not usable.</summary>
public sealed record SchedulerCandidate(SchedulerKind Kind, bool Available, string Reason);
