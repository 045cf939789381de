using System.Management.Automation;
using HpcJobs.Core.Model;
using HpcJobs.Core.Waiting;

namespace HpcJobs;

/// <summary>
/// A cmdlet that submits a job and may have it retried (Submit-HpcJob, Invoke-HpcCommand): -MaxRetries and its
/// companions, checked once, and the policy kept with the job (<see cref="RetryStore"/>) for whoever waits for it.
/// </summary>
public abstract class HpcSubmittingCmdlet : HpcClusterCmdlet
{
    /// <summary>
    /// Submit the job again, up to this many times, when it ends for a cause in -RetryOn; whoever waits for it
    /// (Wait-HpcJob, the PowerShell job of -AsJob, Receive-HpcJob -Wait, Invoke-HpcCommand) does. 1 to 10.
    /// </summary>
    [Parameter]
    [ValidateRange(1, JobRetryPolicy.MaxRetriesLimit)]
    public int MaxRetries { get; set; }

    /// <summary>The end causes worth another attempt. Default: NodeFailure, Preempted, OutOfMemory, Walltime.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public JobEndCause[]? RetryOn { get; set; }

    /// <summary>How much more memory an attempt after OutOfMemory asks for (default 2: twice).</summary>
    [Parameter]
    public double RetryMemoryFactor { get; set; } = 2;

    /// <summary>How much more walltime an attempt after Walltime asks for (default 2: twice).</summary>
    [Parameter]
    public double RetryWalltimeFactor { get; set; } = 2;

    /// <summary>The retry policy -MaxRetries and its companions ask for, checked; null without -MaxRetries.</summary>
    protected JobRetryPolicy? RetryPolicy(JobRequest request)
    {
        var companions = new[] { nameof(RetryOn), nameof(RetryMemoryFactor), nameof(RetryWalltimeFactor) }
            .Where(MyInvocation.BoundParameters.ContainsKey)
            .ToList();
        if (MaxRetries == 0)
        {
            if (companions.Count > 0)
                WriteWarning($"-{companions[0]} has no effect without -MaxRetries.");
            return null;
        }
        if (request.Array is not null)
            throw new InvalidJobRequestException(
                "-MaxRetries with an array job (-ArrayRange, or Invoke-HpcCommand's pipeline input): array tasks are not "
                    + "retried one by one yet. Submit the tasks that ended for a cause worth retrying again yourself "
                    + "(Wait-HpcJob | Where-Object EndCause -eq OutOfMemory).",
                HpcErrors.InvalidJobRequest
            );
        return new JobRetryPolicy
        {
            MaxRetries = MaxRetries,
            On = RetryOn ?? JobRetryPolicy.DefaultCauses,
            MemoryFactor = RetryMemoryFactor,
            WalltimeFactor = RetryWalltimeFactor,
        }.Validate();
    }

    /// <summary>The submitted job as attempt 1, its policy and request kept for whoever waits; unchanged without one.</summary>
    protected static JobInfo WithRetries(JobInfo submitted, JobRequest request, JobRetryPolicy? retries)
    {
        if (retries is null || !OperatingSystem.IsLinux())
            return submitted;
        submitted = submitted with { Attempt = 1 };
        RetryStore.Save(submitted, new RetryStore.Record(retries, request, 1, submitted.JobId, null));
        return submitted;
    }
}
