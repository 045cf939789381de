using System.Management.Automation;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;

namespace HpcJobs.Commands;

/// <summary>Cancels jobs (pending or running), all of one scheduler in one call. Jobs that already finished are skipped.</summary>
[Cmdlet(VerbsLifecycle.Stop, "HpcJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(JobInfo))]
public sealed class StopHpcJobCommand : HpcJobInputCmdlet
{
    /// <summary>Emit the cancelled jobs.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessJobs(IScheduler scheduler, IReadOnlyList<string> jobIds)
    {
        var confirmed = jobIds.Where(id => ShouldProcess($"job {id} on {scheduler.Kind}", "Cancel")).ToList();
        if (confirmed.Count == 0)
            return;
        StopReport report;
        try
        {
            report = Run(ct => JobOperations.StopAsync(scheduler, confirmed, ct));
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, string.Join(",", confirmed)));
            return;
        }
        foreach (var done in report.AlreadyFinished)
            WriteVerbose($"Job {done.JobId} had already finished ({done.State}); nothing to cancel.");
        if (PassThru)
            WriteInInputOrder(report.Cancelled, confirmed);
        foreach (var missing in report.NotFound.Concat(report.Refused))
            WriteLookupFailure(missing);
    }
}
