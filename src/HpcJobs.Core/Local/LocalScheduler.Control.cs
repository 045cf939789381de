using System.Globalization;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Local;

/// <summary>What the Local scheduler does to jobs besides submitting them: hold, release, requeue and change, through the daemon.</summary>
public sealed partial class LocalScheduler
{
    /// <summary>
    /// Hold, release or requeue through the daemon, which runs every job. A job submitted with -NoRequeue is refused a
    /// requeue, as SLURM and PBS refuse one.
    /// </summary>
    public async Task<IReadOnlyList<JobLookupFailure>> ControlAsync(
        JobAction action,
        IReadOnlyCollection<JobInfo> jobs,
        CancellationToken cancellationToken = default
    )
    {
        var ids = jobs.Select(j => j.JobId).Where(LocalJobId.IsValid).ToList();
        var refused = new List<JobLookupFailure>();
        if (action == JobAction.Requeue)
            foreach (var id in ids.ToList())
                if (_store.LoadUnit(id) is { Requeue: false })
                {
                    ids.Remove(id);
                    refused.Add(
                        new JobLookupFailure(
                            id,
                            $"Job {id} was submitted with -NoRequeue: it is never requeued. Stop it and submit it again.",
                            HpcErrors.OperationRefused
                        )
                    );
                }
        var verb = action switch
        {
            JobAction.Hold => LocalDaemonProtocol.Hold,
            JobAction.Release => LocalDaemonProtocol.Release,
            _ => LocalDaemonProtocol.Requeue,
        };
        if (ids.Count > 0)
            await _daemon.SendAsync(verb, ids, cancellationToken).ConfigureAwait(false);
        return refused;
    }

    public IReadOnlyList<(string Program, IReadOnlyList<string> Arguments)> PlanChange(
        IReadOnlyList<string> jobIds,
        JobChanges changes
    )
    {
        LocalChanges.Check(changes);
        return [("local daemon", LocalChanges.Describe(jobIds, changes))];
    }

    /// <summary>
    /// The daemon applies the changes to the jobs that have not started, under the same lock that starts them, so a job
    /// either starts with its old values or waits with its new ones; one that started first is that job's refusal.
    /// </summary>
    public async Task<IReadOnlyList<JobLookupFailure>> ChangeAsync(
        IReadOnlyCollection<JobInfo> jobs,
        JobChanges changes,
        CancellationToken cancellationToken = default
    )
    {
        LocalChanges.Check(changes);
        var ids = jobs.Select(j => j.JobId).Where(LocalJobId.IsValid).Distinct().ToList();
        if (changes.Dependencies is { } dependencies)
        {
            LocalJobId.Form.CheckDependencies(new JobRequest { Command = ["true"], Dependencies = dependencies });
            if (
                dependencies.FirstOrDefault(d => jobs.Any(j => j.JobId == d.JobId || j.ArrayJobId == d.JobId)) is
                { } self
            )
                throw new InvalidJobRequestException(
                    $"Job {self.JobId} cannot depend on itself: -DependsOn names a job being changed.",
                    HpcErrors.InvalidDependency
                );
            using (_store.Lock())
                CheckDependencyTargets(dependencies);
        }
        if (ids.Count == 0)
            return [];
        var token = _store.SaveChanges(changes);
        await _daemon
            .SendAsync(LocalDaemonProtocol.Change, ids, cancellationToken, changes: token)
            .ConfigureAwait(false);
        var refused = new List<JobLookupFailure>();
        foreach (var id in ids)
            if (_store.LoadUnit(id) is { } unit && !LocalChanges.Holds(unit, changes))
                refused.Add(
                    new JobLookupFailure(
                        id,
                        $"Job {id} is {unit.State}: it started before the change reached it, and a Local job keeps the "
                            + "values it started with. Stop it and submit it again with the new values.",
                        HpcErrors.OperationRefused
                    )
                );
        return refused;
    }
}
