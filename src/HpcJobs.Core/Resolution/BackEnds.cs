using HpcJobs.Core.Contract;
using HpcJobs.Core.GridEngine;
using HpcJobs.Core.Local;
using HpcJobs.Core.Model;
using HpcJobs.Core.Pbs;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Slurm;

namespace HpcJobs.Core.Resolution;

/// <summary>
/// The back ends this build knows, in auto-detection order: the one place a new back end is registered. Local comes last
/// and is always usable, so auto-detection falls back to it.
/// </summary>
public static class BackEnds
{
    /// <summary>
    /// Every back end, once, in auto-detection order: how its probe is made, and whether it runs on a cluster reached
    /// over SSH too (Local is this machine's own). A new back end is a new line here and a <see cref="SchedulerKind"/>.
    /// </summary>
    private static readonly (Func<IProcessRunner, ISchedulerProbe> Probe, bool OverSsh)[] Registered =
    [
        (runner => new Slurm.SlurmProbe(runner), true),
        (runner => new Pbs.PbsProbe(runner, slurmBehindWrappers: r => new Slurm.SlurmScheduler(r)), true),
        (runner => new GridEngine.GridEngineProbe(runner), true),
        (_ => new Local.LocalProbe(), false),
    ];

    public static IReadOnlyList<ISchedulerProbe> Probes(IProcessRunner runner) =>
        Registered.Select(b => b.Probe(runner)).ToList();

    /// <summary>The back ends of a cluster reached through <paramref name="runner"/> (over SSH): the cluster schedulers.</summary>
    public static IReadOnlyList<ISchedulerProbe> RemoteProbes(IProcessRunner runner) =>
        Registered.Where(b => b.OverSsh).Select(b => b.Probe(runner)).ToList();
}
