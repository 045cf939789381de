using System.Text;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Kit;

/// <summary>
/// Whether a dependency is met, from the states of the job(s) it names (an array id names all its tasks): true met, false
/// never (the job is to be cancelled or refused), null not yet.
/// </summary>
public static class DependencyRule
{
    public static bool? IsMet(DependencyKind kind, IReadOnlyCollection<JobState> targets)
    {
        if (targets.Count == 0)
            return false;
        var allFinished = targets.All(s => s.IsFinished());
        var anyBad = targets.Any(s => s.IsFinished() && s != JobState.Completed);
        return kind switch
        {
            DependencyKind.AfterOk => anyBad ? false
            : allFinished ? true
            : null,
            DependencyKind.AfterAny => allFinished ? true : null,
            DependencyKind.AfterNotOk => !allFinished ? null : anyBad,
            _ => false,
        };
    }

    /// <summary>
    /// A dependency on a job the scheduler does not know is refused before submitting
    /// (<see cref="HpcErrors.DependencyNotFound"/>), with what the scheduler would have done with it.
    /// </summary>
    /// <param name="scheduler">The scheduler's name in the message.</param>
    /// <param name="notFound">The dependencies' ids the scheduler did not know.</param>
    /// <param name="otherwise">What the scheduler would do with an unknown dependency, when it would not refuse it.</param>
    public static void RefuseUnknown(
        string scheduler,
        IReadOnlyCollection<JobLookupFailure> notFound,
        string? otherwise
    )
    {
        if (notFound.Count == 0)
            return;
        throw new InvalidJobRequestException(
            $"Dependency on {string.Join(", ", notFound.Select(n => n.JobId))}, which {scheduler} does not know"
                + (otherwise is null ? "." : $" ({otherwise})."),
            HpcErrors.DependencyNotFound
        );
    }

    /// <summary>
    /// The status of the jobs <paramref name="request"/> depends on, in one call, after refusing the dependencies
    /// <paramref name="scheduler"/> does not know (<see cref="RefuseUnknown"/>): for back ends whose submit command takes
    /// an unknown id without a word (qsub).
    /// </summary>
    public static async Task<StatusReport> KnownTargetsAsync(
        IScheduler scheduler,
        JobRequest request,
        string name,
        CancellationToken ct
    )
    {
        var report = await scheduler
            .GetStatusAsync(request.Dependencies.Select(d => d.JobId).Distinct().ToList(), ct)
            .ConfigureAwait(false);
        RefuseUnknown(name, report.NotFound, null);
        return report;
    }
}
