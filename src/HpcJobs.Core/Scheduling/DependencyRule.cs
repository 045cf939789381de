using System.Text;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Scheduling;

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
}
