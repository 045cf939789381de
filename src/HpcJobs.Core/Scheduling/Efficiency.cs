using HpcJobs.Core.Model;

namespace HpcJobs.Core.Scheduling;

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

/// <summary>One line over many jobs: min/median/max of each figure, and the CPU-hours used and allocated.</summary>
public sealed record JobEfficiencySummary
{
    public int Jobs { get; init; }
    public IReadOnlyDictionary<JobState, int> States { get; init; } = new Dictionary<JobState, int>();
    public Spread? ElapsedSeconds { get; init; }
    public Spread? CpuEfficiencyPercent { get; init; }
    public Spread? MaxRssBytes { get; init; }
    public Spread? MemoryUsedPercent { get; init; }
    public Spread? WalltimeUsedPercent { get; init; }
    public double CpuHoursUsed { get; init; }
    public double CpuHoursAllocated { get; init; }

    /// <summary>Jobs that ran but whose peak memory was not sampled (too short for the accounting interval).</summary>
    public int MaxRssNotSampled { get; init; }

    public static JobEfficiencySummary Of(IReadOnlyCollection<JobEfficiency> jobs) =>
        new()
        {
            Jobs = jobs.Count,
            States = jobs.GroupBy(j => j.State).ToDictionary(g => g.Key, g => g.Count()),
            ElapsedSeconds = Spread.Of(jobs.Select(j => j.Elapsed?.TotalSeconds)),
            CpuEfficiencyPercent = Spread.Of(jobs.Select(j => j.CpuEfficiencyPercent)),
            MaxRssBytes = Spread.Of(jobs.Select(j => (double?)j.MaxRss)),
            MemoryUsedPercent = Spread.Of(jobs.Select(j => j.MemoryUsedPercent)),
            WalltimeUsedPercent = Spread.Of(jobs.Select(j => j.WalltimeUsedPercent)),
            CpuHoursUsed = Math.Round(jobs.Sum(j => j.CpuTime?.TotalHours ?? 0), 4),
            CpuHoursAllocated = Math.Round(jobs.Sum(j => (j.Elapsed?.TotalHours ?? 0) * (j.Cpus ?? 0)), 4),
            MaxRssNotSampled = jobs.Count(j => j.MaxRss is null && j.Elapsed > TimeSpan.Zero),
        };
}

/// <summary>Minimum, median and maximum of the figures that are known.</summary>
public sealed record Spread(double Min, double Median, double Max, int Count)
{
    public static Spread? Of(IEnumerable<double?> values)
    {
        var known = values.OfType<double>().Order().ToList();
        if (known.Count == 0)
            return null;
        var mid = known.Count / 2;
        var median = known.Count % 2 == 1 ? known[mid] : (known[mid - 1] + known[mid]) / 2;
        return new Spread(known[0], Math.Round(median, 2), known[^1], known.Count);
    }

    public override string ToString() => $"{Min:0.#} / {Median:0.#} / {Max:0.#}";
}
