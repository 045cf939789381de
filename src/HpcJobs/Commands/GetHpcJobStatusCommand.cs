using System.Management.Automation;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using JobState = HpcJobs.Core.Model.JobState;

namespace HpcJobs.Commands;

/// <summary>
/// Fresh status of jobs, all of one scheduler in one batched query; array ids expand to one object per task. Without ids,
/// lists the current user's unfinished jobs (squeue --me, qselect -u, the Local store), filtered by state, partition, name,
/// user and end time.
/// </summary>
[Cmdlet(VerbsCommon.Get, "HpcJobStatus", DefaultParameterSetName = List)]
[OutputType(typeof(JobInfo))]
public sealed class GetHpcJobStatusCommand : HpcJobInputCmdlet
{
    private const string List = "List";

    /// <summary>
    /// Only jobs in these states. Naming a finished state also lists finished jobs the scheduler still knows; with ids,
    /// only those of them in these states.
    /// </summary>
    [Parameter(ParameterSetName = List)]
    [Parameter(ParameterSetName = ById)]
    public JobState[]? State { get; set; }

    /// <summary>Only jobs whose name matches this wildcard pattern.</summary>
    [Parameter(ParameterSetName = List)]
    [SupportsWildcards]
    public string? Name { get; set; }

    /// <summary>Another user's jobs, or * for everyone's, where the scheduler shows them.</summary>
    [Parameter(ParameterSetName = List)]
    [ValidateNotNullOrEmpty]
    [ValidateUserName]
    public string? User { get; set; }

    /// <summary>Only jobs in this partition (PBS: queue), e.g. gpu. Local has no partitions: none of its jobs is in one.</summary>
    [Parameter(ParameterSetName = List)]
    [ValidateNotNullOrEmpty]
    [CatalogCompleter(CatalogKind.Partition)]
    public string? Partition { get; set; }

    /// <summary>Also jobs that ended at or after this time (sacct, qstat -x, the Local store).</summary>
    [Parameter(ParameterSetName = List)]
    public DateTime? Since { get; set; }

    /// <summary>
    /// Seconds an answer may be old: status another HpcJobs process of yours took that recently (Wait-HpcJob, -AsJob
    /// keep one per cluster) answers without asking the scheduler. Default 0: ask now.
    /// </summary>
    [Parameter(ParameterSetName = ById)]
    [ValidateSeconds("MaxAge", 0, 86_400)]
    public double MaxAge { get; set; }

    protected override void EndProcessing()
    {
        if (ParameterSetName != List)
        {
            base.EndProcessing();
            return;
        }
        var scheduler = GetSchedulerOrStop(Scheduler);
        var lister = GetListerOrStop(scheduler, "give job ids");
        var query = new JobListQuery
        {
            States = State,
            Name = Name,
            Partition = Partition,
            User = User,
            Since = Since is { } since ? new DateTimeOffset(since) : null,
        };
        try
        {
            var jobs = Run(ct => lister.ListJobsAsync(query, ct));
            foreach (var job in jobs)
                WriteObject(job);
            if (jobs.Count == 0 && Partition is not null)
                WarnIfNoSuchPartition(scheduler, Partition);
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, scheduler.Kind));
        }
    }

    /// <summary>An empty list for a partition the scheduler does not have says so (squeue -p: "Invalid partition name").</summary>
    private void WarnIfNoSuchPartition(IScheduler scheduler, string partition)
    {
        var known = scheduler is ISchedulerCatalog catalog
            ? Run(ct => catalog.ListAsync(CatalogKind.Partition, ct)).Select(e => e.Name).ToList()
            : [];
        if (known.Count == 0 && scheduler is not ISchedulerCatalog)
            WriteWarning($"{scheduler.Kind} has no partitions: no job is in partition '{partition}'.");
        else if (known.Count > 0 && !known.Contains(partition))
            WriteWarning(
                $"{scheduler.Kind} has no partition '{partition}'; its partitions are: {string.Join(", ", known)}."
            );
    }

    protected override void ProcessJobs(IScheduler scheduler, IReadOnlyList<string> jobIds)
    {
        if (TryGetStatus(scheduler, jobIds, MaxAge > 0 ? TimeSpan.FromSeconds(MaxAge) : null) is { } report)
            WriteInInputOrder(
                State is { } states ? report.Jobs.Where(j => states.Contains(j.State)) : report.Jobs,
                jobIds
            );
    }
}

/// <summary>A login name (as useradd allows), or * for every user: anything else never reaches squeue or qselect.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ValidateUserNameAttribute : ValidateArgumentsAttribute
{
    private static readonly System.Text.RegularExpressions.Regex Pattern = new(
        @"^(\*|[A-Za-z0-9_][A-Za-z0-9_.-]*\$?)$"
    );

    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if (arguments is string s && !Pattern.IsMatch(s))
            throw new ValidationMetadataException(
                $"-User '{s}' is not a user name: give a login name, or * for every user."
            );
    }
}
