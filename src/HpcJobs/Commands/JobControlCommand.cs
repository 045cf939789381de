using System.Management.Automation;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;

namespace HpcJobs.Commands;

/// <summary>
/// Suspend-, Resume- and Restart-HpcJob: the job-reference rules of Stop-HpcJob (objects keep their scheduler, ids
/// batched into one call per scheduler, -WhatIf/-Confirm), jobs in a state the action does not apply to skipped with a
/// warning, unknown ids an error.
/// </summary>
public abstract class JobControlCommand : HpcJobInputCmdlet
{
    /// <summary>Emit the jobs acted on, as they are afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected abstract JobAction Action { get; }

    /// <summary>What -WhatIf and -Confirm call the action ("Hold", "Release", "Requeue").</summary>
    private string ActionName => Action.ToString();

    protected override void ProcessJobs(IScheduler scheduler, IReadOnlyList<string> jobIds)
    {
        var confirmed = jobIds.Where(id => ShouldProcess($"job {id} on {scheduler.Kind}", ActionName)).ToList();
        if (confirmed.Count == 0)
            return;
        ControlReport report;
        try
        {
            report = Run(ct => JobOperations.ControlAsync(scheduler, Action, confirmed, ct));
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, string.Join(",", confirmed)));
            return;
        }
        WriteReport(report, confirmed, PassThru);
    }
}

/// <summary>Holds pending jobs so that they do not start (scontrol hold, qhold; Local too) until Resume-HpcJob.</summary>
[Cmdlet(VerbsLifecycle.Suspend, "HpcJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(JobInfo))]
public sealed class SuspendHpcJobCommand : JobControlCommand
{
    protected override JobAction Action => JobAction.Hold;
}

/// <summary>Releases held jobs (scontrol release, qrls; Local too): they are pending again and start when they can.</summary>
[Cmdlet(VerbsLifecycle.Resume, "HpcJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(JobInfo))]
public sealed class ResumeHpcJobCommand : JobControlCommand
{
    protected override JobAction Action => JobAction.Release;
}

/// <summary>
/// Requeues running jobs: each is ended and queued again under the same id, to run from the start (scontrol requeue,
/// qrerun; Local too). Its Restarts count goes up.
/// </summary>
[Cmdlet(VerbsLifecycle.Restart, "HpcJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(JobInfo))]
public sealed class RestartHpcJobCommand : JobControlCommand
{
    protected override JobAction Action => JobAction.Requeue;
}
