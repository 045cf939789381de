using System.Text.RegularExpressions;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Scheduling;

/// <summary>What a back end can do, as a closed set a cmdlet (or a user) can test.</summary>
[Flags]
public enum SchedulerCapabilities
{
    None = 0,
    Arrays = 1 << 0,
    ArrayThrottle = 1 << 1,
    Dependencies = 1 << 2,
    Gpus = 1 << 3,
    Walltime = 1 << 4,
    Memory = 1 << 5,
    Partition = 1 << 6,
    Qos = 1 << 7,
    Account = 1 << 8,
    Constraint = 1 << 9,

    /// <summary>Finished jobs stay queryable (server history, accounting, the Local store).</summary>
    FinishedJobHistory = 1 << 10,

    /// <summary>Lists the user's jobs without ids (<see cref="IJobLister"/>).</summary>
    ListJobs = 1 << 11,

    /// <summary>Reports where a job's output goes, so Receive-HpcJob can read it.</summary>
    ReadOutput = 1 << 12,

    /// <summary>Reports CPU time and memory used (<see cref="IJobAccounting"/>).</summary>
    Accounting = 1 << 13,

    /// <summary>Holds and releases pending jobs (Suspend-/Resume-HpcJob, Submit-HpcJob -Hold).</summary>
    Hold = 1 << 14,

    /// <summary>Requeues running jobs under their id (Restart-HpcJob, -Requeue/-NoRequeue).</summary>
    Requeue = 1 << 15,

    /// <summary>Starts jobs no earlier than a given time (-BeginTime).</summary>
    BeginTime = 1 << 16,

    /// <summary>Signals a job some seconds before its walltime (-Signal).</summary>
    SignalBeforeWalltime = 1 << 17,

    /// <summary>Mails the job's owner (-MailUser, -MailType).</summary>
    Mail = 1 << 18,

    /// <summary>Gives a job its nodes alone (-Exclusive).</summary>
    Exclusive = 1 << 19,

    /// <summary>What every cluster batch system here offers.</summary>
    ClusterBatch =
        Arrays
        | ArrayThrottle
        | Dependencies
        | Gpus
        | Walltime
        | Memory
        | Partition
        | Account
        | ReadOutput
        | Hold
        | Requeue
        | BeginTime
        | Mail
        | Exclusive,
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

/// <summary>A back end that lists jobs without being given ids (squeue --me, qstat -u, the Local store).</summary>
public interface IJobLister
{
    /// <summary>The jobs answering <paramref name="query"/>, array tasks each on their own; a fixed number of scheduler calls.</summary>
    Task<IReadOnlyList<JobInfo>> ListJobsAsync(JobListQuery query, CancellationToken cancellationToken = default);
}

/// <summary>Names a back end can offer for completion and for its capability report.</summary>
public enum CatalogKind
{
    Partition,
    Qos,
    Account,
}

/// <summary>A partition (queue), QoS or account, with what a user picking one wants to know (nodes, GPUs, limits).</summary>
public sealed record CatalogEntry(string Name, string Description);

/// <summary>A back end that can name its partitions (queues), QoS and accounts.</summary>
public interface ISchedulerCatalog
{
    /// <summary>The entries of one kind, sorted by name; none when the scheduler has no such thing or cannot say.</summary>
    Task<IReadOnlyList<CatalogEntry>> ListAsync(CatalogKind kind, CancellationToken cancellationToken = default);
}

/// <summary>A back end that can report the settings that change how exact its answers are (the -Detailed report).</summary>
public interface ISchedulerInspector
{
    Task<SchedulerDescription> InspectAsync(CancellationToken cancellationToken = default);
}

/// <summary>What a job used, as accounting (sacct, qstat's resources_used, rusage) reports it.</summary>
public sealed record JobUsage
{
    public required string JobId { get; init; }
    public TimeSpan? Elapsed { get; init; }
    public TimeSpan? CpuTime { get; init; }
    public int? AllocatedCpus { get; init; }

    /// <summary>Largest resident set of any task or step, in bytes; null when it was not sampled.</summary>
    public long? MaxRss { get; init; }

    public TimeSpan? WalltimeRequested { get; init; }

    /// <summary>Memory asked for the whole job, in bytes.</summary>
    public long? MemoryRequested { get; init; }

    /// <summary>Why a figure is missing, when it is (not sampled, accounting lag).</summary>
    public string? Note { get; init; }
}

/// <summary>A back end that reports what jobs used (for Measure-HpcJob).</summary>
public interface IJobAccounting
{
    /// <summary>Usage of every id (array ids expanded); a fixed number of scheduler calls.</summary>
    Task<IReadOnlyList<JobUsage>> GetUsageAsync(
        IReadOnlyCollection<string> jobIds,
        CancellationToken cancellationToken = default
    );
}

/// <summary>A back end that can say when jobs end (the Local daemon), so waiting needs no polling interval.</summary>
public interface IJobEndNotifier
{
    /// <summary>Returns when one of <paramref name="jobIds"/> ends, or after <paramref name="atMost"/>.</summary>
    Task WaitForEndAsync(IReadOnlyCollection<string> jobIds, TimeSpan atMost, CancellationToken cancellationToken);
}
