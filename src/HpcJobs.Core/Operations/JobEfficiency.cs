using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Operations;

/// <summary>One job's (or array task's) efficiency, as seff reports it, as an object.</summary>
public sealed record JobEfficiency
{
    public required string JobId { get; init; }
    public string? Name { get; init; }
    public required string Scheduler { get; init; }
    public JobState State { get; init; }
    public int? ExitCode { get; init; }
    public TimeSpan? Elapsed { get; init; }
    public TimeSpan? WalltimeRequested { get; init; }
    public double? WalltimeUsedPercent { get; init; }
    public int? Cpus { get; init; }
    public TimeSpan? CpuTime { get; init; }

    /// <summary>CpuTime / (Elapsed × Cpus), in percent.</summary>
    public double? CpuEfficiencyPercent { get; init; }

    /// <summary>Peak resident memory in bytes; null when it was not sampled (see Note).</summary>
    public long? MaxRss { get; init; }

    public long? MemoryRequested { get; init; }
    public double? MemoryUsedPercent { get; init; }
    public string? Note { get; init; }

    public static JobEfficiency From(JobInfo job, JobUsage? usage)
    {
        var elapsed = usage?.Elapsed ?? job.Elapsed;
        var cpus = usage?.AllocatedCpus ?? job.Resources?.TotalCpus;
        var wall = usage?.WalltimeRequested ?? job.Resources?.Walltime;
        var memAsked = usage?.MemoryRequested ?? job.Resources?.Memory * (job.Resources?.Nodes ?? 1);
        var cpuTime = usage?.CpuTime;
        return new JobEfficiency
        {
            JobId = job.JobId,
            Name = job.Name,
            Scheduler = job.Scheduler,
            State = job.State,
            ExitCode = job.ExitCode,
            Elapsed = elapsed,
            WalltimeRequested = wall,
            WalltimeUsedPercent = Percent(elapsed?.TotalSeconds, wall?.TotalSeconds),
            Cpus = cpus,
            CpuTime = cpuTime,
            CpuEfficiencyPercent = Percent(cpuTime?.TotalSeconds, elapsed?.TotalSeconds * cpus),
            MaxRss = usage?.MaxRss,
            MemoryRequested = memAsked,
            MemoryUsedPercent = Percent(usage?.MaxRss, memAsked),
            Note =
                job.State is JobState.Pending or JobState.Held && job.Restarts is > 0 and var requeued
                    ? $"{job.State.ToString().ToLowerInvariant()}: requeued {requeued} time{(requeued == 1 ? "" : "s")}, "
                        + "waiting to run again; what earlier runs used is not counted, nothing to measure until it starts"
                : job.State is JobState.Pending or JobState.Held
                    ? $"{job.State.ToString().ToLowerInvariant()}: the job has not started, there is nothing to measure yet"
                : job.IsFinished && job.StartTime is null && usage?.CpuTime is null ? "the job never ran"
                : usage is null ? "no accounting record (yet)"
                : Joined(
                    usage.Note ?? (job.IsFinished ? null : "running: figures so far"),
                    job.Restarts is > 0 and var r
                        ? $"the last of {r + 1} runs (the job was requeued {r} time{(r == 1 ? "" : "s")}; earlier runs are not counted)"
                        : null
                ),
        };
    }

    private static string? Joined(string? a, string? b) =>
        a is null ? b
        : b is null ? a
        : $"{a}; {b}";

    private static double? Percent(double? used, double? asked) =>
        used is { } u && asked is { } a && a > 0 ? Math.Round(100 * u / a, 1) : null;
}
