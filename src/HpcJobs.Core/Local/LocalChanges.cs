using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Local;

/// <summary>
/// What Set-HpcJob can change of a Local job that has not started: its walltime, name, begin time and dependencies.
/// Partitions, QoS, accounts and priorities do not exist here (jobs start in submission order as CPUs free up).
/// </summary>
internal static class LocalChanges
{
    /// <summary>Refuses, before anything changes, what the Local scheduler has no such thing as.</summary>
    public static void Check(JobChanges changes)
    {
        var unknown = new List<string>();
        if (changes.Partition is not null)
            unknown.Add("-Partition");
        if (changes.Qos is not null)
            unknown.Add("-Qos");
        if (changes.Account is not null)
            unknown.Add("-Account");
        if (changes.Nice is not null)
            unknown.Add("-Nice");
        if (unknown.Count > 0)
            throw new InvalidJobRequestException(
                $"The Local scheduler has no partitions, QoS, accounts or priorities ({string.Join(", ", unknown)} given): "
                    + "its jobs start in submission order as CPUs free up. Change -Walltime, -Name, -BeginTime or -DependsOn.",
                HpcErrors.InvalidJobRequest
            );
    }

    /// <summary>The change as the daemon applies it to a job's record.</summary>
    public static void Apply(LocalJobRecord unit, JobChanges changes)
    {
        if (changes.Walltime is { } walltime)
            unit.Resources = (unit.Resources ?? new ResourceSpec()) with { Walltime = walltime };
        if (changes.Name is { } name)
            unit.Name = name;
        if (changes.BeginTime is { } begin)
            unit.BeginTime = begin;
        if (changes.Dependencies is { } dependencies)
            unit.Dependencies = [.. dependencies];
        unit.Reason = null; // the next scheduling pass says why it waits now
    }

    /// <summary>Whether the record holds every changed value (it did not start before the daemon applied them).</summary>
    public static bool Holds(LocalJobRecord unit, JobChanges changes) =>
        (changes.Walltime is null || unit.Resources?.Walltime == changes.Walltime)
        && (changes.Name is null || unit.Name == changes.Name)
        && (changes.BeginTime is null || unit.BeginTime == changes.BeginTime)
        && (changes.Dependencies is null || unit.Dependencies.SequenceEqual(changes.Dependencies));

    /// <summary>What -WhatIf shows: the request the daemon is sent, with the values it applies.</summary>
    public static IReadOnlyList<string> Describe(IReadOnlyList<string> jobIds, JobChanges changes)
    {
        var words = new List<string> { LocalDaemonProtocol.Change };
        if (changes.Walltime is { } w)
            words.Add($"walltime={Walltime.ToSlurm(w)}");
        if (changes.Name is { } n)
            words.Add($"name={n}");
        if (changes.BeginTime is { } b)
            words.Add($"begin={b:yyyy-MM-ddTHH:mm:sszzz}");
        if (changes.Dependencies is { } d)
            words.Add($"dependencies={(d.Count == 0 ? "none" : string.Join(",", d))}");
        words.AddRange(jobIds);
        return words;
    }
}
