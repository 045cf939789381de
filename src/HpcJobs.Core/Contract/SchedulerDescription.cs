using HpcJobs.Core.Model;

namespace HpcJobs.Core.Contract;

/// <param name="Kind">The back end.</param>
/// <param name="Name">Its product name (SLURM, PBS Professional/OpenPBS, Torque, Local).</param>
/// <param name="Version">The version it reports, when it does.</param>
/// <param name="Detail">How it is reached and anything that makes its answers less exact.</param>
/// <param name="Capabilities">What it can do.</param>
public sealed record SchedulerDescription(
    SchedulerKind Kind,
    string Name,
    string? Version,
    string Detail,
    SchedulerCapabilities Capabilities
)
{
    /// <summary>Settings the user should know, name and value (MinJobAge, MaxArraySize, job history...), in display order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; } = [];

    /// <summary>The dependency kinds the scheduler itself honours (Grid Engine's -hold_jid is after-any only).</summary>
    public IReadOnlyList<DependencyKind> DependencyKinds { get; init; } =
    [DependencyKind.AfterOk, DependencyKind.AfterAny, DependencyKind.AfterNotOk];

    public bool Can(SchedulerCapabilities what) => (Capabilities & what) == what;
}
