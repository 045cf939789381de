using HpcJobs.Core.Model;
using HpcJobs.Core.Resolution;
using HpcJobs.Core.Tests.Support;

namespace HpcJobs.Core.Tests.Resolution;

/// <summary>The one registration list of back ends (issue 29): every kind once, Local last and never over SSH.</summary>
public class BackEndsTests
{
    [Fact]
    public void Every_scheduler_kind_is_registered_once_in_detection_order()
    {
        var kinds = BackEnds.Probes(new ScriptedProcessRunner()).Select(p => p.Kind).ToList();
        Assert.Equal(Enum.GetValues<SchedulerKind>().Order(), kinds.Order());
        Assert.Equal(kinds.Count, kinds.Distinct().Count());
        Assert.Equal(SchedulerKind.Local, kinds[^1]); // always usable: detection ends there
    }

    [Fact]
    public void A_cluster_over_ssh_offers_its_schedulers_never_this_machine_s_local_one()
    {
        var kinds = BackEnds.RemoteProbes(new ScriptedProcessRunner()).Select(p => p.Kind).ToList();
        Assert.DoesNotContain(SchedulerKind.Local, kinds);
        Assert.Equal(Enum.GetValues<SchedulerKind>().Length - 1, kinds.Count);
    }
}
