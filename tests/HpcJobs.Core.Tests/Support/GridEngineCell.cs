using HpcJobs.Core.Contract;
using HpcJobs.Core.GridEngine;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Tests.Support;

/// <summary>The real Grid Engine test cell (tests/cluster/start-sge.sh), found the way the module finds it.</summary>
public static class GridEngineCell
{
    private static readonly Lazy<GridEngineProbe> Probe = new(() => new GridEngineProbe(CliWrapProcessRunner.Instance));

    private static readonly Lazy<bool> Up = new(() =>
        File.Exists("/var/lib/gridengine/default/common/act_qmaster")
        && Probe.Value.ProbeAsync(requestedByName: true, default).GetAwaiter().GetResult().Available
    );

    public static bool IsUp => Up.Value;

    /// <summary>A new Grid Engine back end over the cell (each with its own session memory).</summary>
    public static IScheduler Scheduler()
    {
        var probe = new GridEngineProbe(CliWrapProcessRunner.Instance);
        var found = probe.ProbeAsync(requestedByName: true, default).GetAwaiter().GetResult();
        if (!found.Available)
            throw new InvalidOperationException(found.Reason);
        return probe.Create();
    }
}
