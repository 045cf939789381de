using System.Management.Automation;
using HpcJobs.Core.Model;
using HpcJobs.Core.Scheduling;

namespace HpcJobs.Commands;

/// <summary>Shows which scheduler HpcJobs would use here, what chose it, and what every candidate said.</summary>
[Cmdlet(VerbsCommon.Get, "HpcScheduler")]
[OutputType(typeof(SchedulerSelection))]
public sealed class GetHpcSchedulerCommand : HpcCmdlet
{
    [Parameter(Position = 0)]
    public SchedulerKind? Scheduler { get; set; }

    /// <summary>Also describe the chosen back end (version, slots, capabilities).</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var selection = Run(ct => Resolver.SelectAsync(Scheduler, ct));
            WriteObject(selection);
            if (Detailed)
                WriteObject(Resolver.Get(selection.Kind).Describe());
        }
        catch (HpcJobsException e)
        {
            ThrowTerminatingError(ToErrorRecord(e, Scheduler));
        }
    }
}
