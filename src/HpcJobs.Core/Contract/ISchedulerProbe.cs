using HpcJobs.Core.Model;

namespace HpcJobs.Core.Contract;

/// <summary>Probes whether one kind of scheduler is usable on this machine.</summary>
public interface ISchedulerProbe
{
    SchedulerKind Kind { get; }

    /// <summary>The machine the probe's commands run on (<see cref="Processes.IProcessRunner.Machine"/>); null for Local.</summary>
    string? Machine => null;

    /// <summary>
    /// When the scheduler is named and answered a status query of any of the user's processes less than this long ago,
    /// that answer stands for the probe, and processes starting together take turns (the resolver asks the shared
    /// status); null: always probe.
    /// </summary>
    TimeSpan? RecentAnswerStands => null;

    /// <summary>
    /// Why the scheduler is not usable without asking it anything (its programs are not there); null when they are. A
    /// recent answer (<see cref="RecentAnswerStands"/>) never stands for this check: the snapshot may be another
    /// session's, whose PATH had them.
    /// </summary>
    Task<SchedulerCandidate?> NotInstalledAsync(CancellationToken cancellationToken) =>
        Task.FromResult<SchedulerCandidate?>(null);

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
