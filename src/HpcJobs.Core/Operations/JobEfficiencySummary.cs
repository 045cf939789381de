using HpcJobs.Core.Model;

namespace HpcJobs.Core.Operations;

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
