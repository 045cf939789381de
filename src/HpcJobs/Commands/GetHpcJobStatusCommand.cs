using System.Management.Automation;
using HpcJobs.Core.Model;
using HpcJobs.Core.Scheduling;

namespace HpcJobs.Commands;

/// <summary>Fresh status of jobs, all of one scheduler in one batched query. Array ids expand to one object per task.</summary>
[Cmdlet(VerbsCommon.Get, "HpcJobStatus")]
[OutputType(typeof(JobInfo))]
public sealed class GetHpcJobStatusCommand : HpcJobInputCmdlet
{
    protected override void ProcessJobs(IScheduler scheduler, IReadOnlyList<string> jobIds)
    {
        StatusReport report;
        try
        {
            report = Run(ct => scheduler.GetStatusAsync(jobIds, ct));
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, string.Join(",", jobIds)));
            return;
        }
        WriteInInputOrder(report.Jobs, jobIds);
        foreach (var missing in report.NotFound)
            WriteLookupFailure(missing);
    }
}
