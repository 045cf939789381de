using System.Management.Automation;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;

namespace HpcJobs.Commands;

/// <summary>
/// How efficiently jobs used what they asked for, as seff reports it, for any number of jobs in one accounting query:
/// elapsed against walltime, CPU time against elapsed × CPUs, peak memory against memory asked. Array ids give one
/// object per task; -Summary gives one line over all of them.
/// </summary>
[Cmdlet(VerbsDiagnostic.Measure, "HpcJob")]
[OutputType(typeof(JobEfficiency), typeof(JobEfficiencySummary))]
public sealed class MeasureHpcJobCommand : HpcJobInputCmdlet
{
    private readonly List<JobEfficiency> _all = [];

    /// <summary>
    /// One summary over all jobs (min/median/max of each figure, CPU-hours used and allocated) instead of one object
    /// per job.
    /// </summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    protected override void ProcessJobs(IScheduler scheduler, IReadOnlyList<string> jobIds)
    {
        if (scheduler is not IJobAccounting accounting)
        {
            WriteError(
                ToErrorRecord(
                    HpcErrors.AccountingUnavailable,
                    $"{scheduler.Kind} reports no CPU time or memory use.",
                    scheduler.Kind
                )
            );
            return;
        }
        StatusReport status;
        IReadOnlyList<JobUsage> usage;
        try
        {
            status = Run(ct => scheduler.GetStatusAsync(jobIds, ct));
            usage = Run(ct => accounting.GetUsageAsync(jobIds, ct));
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, string.Join(",", jobIds)));
            return;
        }
        foreach (var missing in status.NotFound)
            WriteLookupFailure(missing);
        var byId = usage.GroupBy(u => u.JobId).ToDictionary(g => g.Key, g => g.First()); // an array and its task named together
        foreach (var job in JobOrdering.InInputOrder(status.Jobs, jobIds))
        {
            var efficiency = JobEfficiency.From(job, byId.GetValueOrDefault(job.JobId));
            if (Summary)
                _all.Add(efficiency);
            else
                WriteObject(efficiency);
        }
    }

    protected override void EndProcessing()
    {
        base.EndProcessing();
        if (Summary && _all.Count > 0)
            WriteObject(JobEfficiencySummary.Of(_all));
    }
}
