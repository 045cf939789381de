using System.Text.RegularExpressions;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Contract;

/// <summary>A back end that lists jobs without being given ids (squeue --me, qstat -u, the Local store).</summary>
public interface IJobLister
{
    /// <summary>The jobs answering <paramref name="query"/>, array tasks each on their own; a fixed number of scheduler calls.</summary>
    Task<IReadOnlyList<JobInfo>> ListJobsAsync(JobListQuery query, CancellationToken cancellationToken = default);
}

/// <summary>Which jobs to list: the current user's unfinished jobs unless the fields say otherwise.</summary>
public sealed record JobListQuery
{
    /// <summary>Only jobs in these states (null: every unfinished state, plus finished ones when <see cref="Since"/> is set).</summary>
    public IReadOnlyCollection<JobState>? States { get; init; }

    /// <summary>A wildcard pattern (<c>sweep*</c>, <c>run-?</c>) the job name must match, case-insensitively.</summary>
    public string? Name { get; init; }

    /// <summary>Null: the current user; <c>*</c>: every user; else that user.</summary>
    public string? User { get; init; }

    /// <summary>Also finished jobs that ended at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only jobs in this partition (PBS: queue), named exactly; a back end without partitions has none there.</summary>
    public string? Partition { get; init; }

    public bool AllUsers => User == "*";

    /// <summary>Finished jobs are listed only when asked for: by <see cref="Since"/>, or by naming a finished state.</summary>
    public bool WantsFinished => Since is not null || (States?.Any(s => s.IsFinished()) ?? false);

    /// <summary>Whether a job answers this query (state, partition, name, end time); the user is the back end's filter.</summary>
    public bool Matches(JobInfo job)
    {
        if (job.IsFinished && (!WantsFinished || (Since is not null && (job.EndTime is null || job.EndTime < Since))))
            return false;
        if (States is not null && !States.Contains(job.State))
            return false;
        if (Partition is not null && !string.Equals(job.Partition, Partition, StringComparison.Ordinal))
            return false;
        return Name is null || WildcardRegex(Name).IsMatch(job.Name ?? "");
    }

    /// <summary>
    /// PowerShell's wildcard language, as -Name promises: * ? [abc] [a-z], and ` to take the next character as it is.
    /// </summary>
    internal static Regex WildcardRegex(string pattern)
    {
        var regex = new System.Text.StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '`' && i + 1 < pattern.Length)
                regex.Append(Regex.Escape(pattern[++i].ToString()));
            else if (c == '*')
                regex.Append(".*");
            else if (c == '?')
                regex.Append('.');
            else if (c == '[' && pattern.IndexOf(']', i + 1) is var close && close > i + 1)
            {
                regex.Append('[');
                foreach (var member in pattern[(i + 1)..close])
                    regex.Append(member == '-' ? "-" : Regex.Escape(member.ToString()).Replace("]", @"\]"));
                regex.Append(']');
                i = close;
            }
            else
                regex.Append(Regex.Escape(c.ToString()));
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }
}
