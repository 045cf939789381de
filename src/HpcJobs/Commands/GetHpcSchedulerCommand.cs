using System.Management.Automation;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Resolution;

namespace HpcJobs.Commands;

/// <summary>Shows which scheduler HpcJobs would use here, what chose it, and what every candidate said.</summary>
[Cmdlet(VerbsCommon.Get, "HpcScheduler")]
[OutputType(typeof(SchedulerSelection), typeof(SchedulerDescription))]
public sealed class GetHpcSchedulerCommand : HpcClusterCmdlet
{
    [Parameter(Position = 0)]
    public SchedulerKind? Scheduler { get; set; }

    /// <summary>
    /// Also report on the chosen back end: version, capabilities, and the settings that change how exact HpcJobs' answers
    /// are (accounting, MinJobAge, MaxArraySize, job history, partitions and queues with their limits, the status path).
    /// </summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var resolver = Cluster is { } cluster ? Resolver.ForHost(cluster) : Resolver;
            var selection = Run(ct => resolver.SelectAsync(Scheduler, ct));
            WriteObject(selection);
            if (!Detailed)
                return;
            var scheduler = resolver.Get(selection.Kind);
            WriteObject(
                scheduler is ISchedulerInspector inspector
                    ? Run(ct => inspector.InspectAsync(ct))
                    : scheduler.Describe()
            );
        }
        catch (HpcJobsException e)
        {
            ThrowTerminatingError(ToErrorRecord(e, Scheduler));
        }
    }
}
