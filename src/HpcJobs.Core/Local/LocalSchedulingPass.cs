using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Local;

/// <summary>What the scheduling pass decided for one pending unit.</summary>
internal enum PassDecision
{
    /// <summary>Start it now.</summary>
    Start,

    /// <summary>Its dependencies can never be met: end it Cancelled (DependencyNeverSatisfied).</summary>
    NeverRuns,

    /// <summary>Leave it pending, with the reason (Dependency, JobArrayTaskLimit, Resources).</summary>
    Wait,
}

/// <summary>
/// The Local scheduler's scheduling pass as a pure function, like SLURM's main scheduler loop in miniature: pending units
/// in submission order (first come, first served, no backfill), each started while CPU slots and its array's throttle
/// allow and its dependencies are met; units whose dependencies can never be met are ended first, repeatedly, since
/// ending one can doom the units that wait for it. The daemon applies what it returns; nothing here touches a process or
/// the store.
/// </summary>
internal static class LocalSchedulingPass
{
    public sealed record Outcome(LocalJobRecord Unit, PassDecision Decision, string Reason);

    /// <param name="pending">Units waiting to start, any order.</param>
    /// <param name="running">Units running now (they hold slots and count against their array's throttle).</param>
    /// <param name="slots">CPU slots in all.</param>
    /// <param name="now">The time of the pass (units with a later BeginTime wait).</param>
    /// <param name="targets">
    /// The units a dependency names (a job, or an array's tasks), null when no such job exists; may throw <see
    /// cref="LocalStateException"/> for an unreadable record, which is waited on rather than guessed.
    /// </param>
    public static List<Outcome> Decide(
        IEnumerable<LocalJobRecord> pending,
        IReadOnlyCollection<LocalJobRecord> running,
        int slots,
        DateTimeOffset now,
        Func<string, IReadOnlyList<LocalJobRecord>?> targets
    )
    {
        var queue = pending.OrderBy(u => u.SubmitTime).ThenBy(u => LocalJobId.Order(u.Id)).ToList();
        var outcomes = new List<Outcome>();
        var doomed = new HashSet<string>();
        IReadOnlyList<JobState> StatesOf(IReadOnlyList<LocalJobRecord> units) =>
            units.Select(u => doomed.Contains(u.Id) ? JobState.Cancelled : u.State).ToList();
        bool? Dependencies(LocalJobRecord unit) => Evaluate(unit, targets, StatesOf);

        bool more;
        do
        {
            more = false;
            foreach (var unit in queue.Where(u => !doomed.Contains(u.Id) && Dependencies(u) is false))
            {
                doomed.Add(unit.Id);
                outcomes.Add(new Outcome(unit, PassDecision.NeverRuns, "DependencyNeverSatisfied"));
                more = true;
            }
        } while (more);

        var used = running.Sum(u => u.Cpus);
        var perArray = running
            .Where(u => u.ArrayJobId is not null)
            .GroupBy(u => u.ArrayJobId!)
            .ToDictionary(g => g.Key, g => g.Count());
        foreach (var unit in queue.Where(u => !doomed.Contains(u.Id)))
        {
            if (Dependencies(unit) is null)
                outcomes.Add(new Outcome(unit, PassDecision.Wait, "Dependency"));
            else if (unit.BeginTime is { } begin && begin > now)
                outcomes.Add(new Outcome(unit, PassDecision.Wait, "BeginTime"));
            else if (
                unit.ArrayJobId is not null
                && unit.ArrayThrottle is { } limit
                && perArray.GetValueOrDefault(unit.ArrayJobId) >= limit
            )
                outcomes.Add(new Outcome(unit, PassDecision.Wait, "JobArrayTaskLimit"));
            else if (used + unit.Cpus > slots)
                outcomes.Add(new Outcome(unit, PassDecision.Wait, "Resources"));
            else
            {
                used += unit.Cpus;
                if (unit.ArrayJobId is not null)
                    perArray[unit.ArrayJobId] = perArray.GetValueOrDefault(unit.ArrayJobId) + 1;
                outcomes.Add(new Outcome(unit, PassDecision.Start, "None"));
            }
        }
        return outcomes;
    }

    /// <summary>True: can start. False: can never start. Null: must wait.</summary>
    private static bool? Evaluate(
        LocalJobRecord unit,
        Func<string, IReadOnlyList<LocalJobRecord>?> targets,
        Func<IReadOnlyList<LocalJobRecord>, IReadOnlyList<JobState>> statesOf
    )
    {
        bool? result = true;
        foreach (var dep in unit.Dependencies)
        {
            IReadOnlyList<LocalJobRecord>? found = null;
            try
            {
                found = targets(dep.JobId);
            }
            catch (LocalStateException)
            {
                result = null; // the record it waits for is unreadable: wait rather than guess
                continue;
            }
            var met = DependencyRule.IsMet(dep.Kind, found is null ? [] : statesOf(found));
            if (met is false)
                return false;
            if (met is null)
                result = null;
        }
        return result;
    }
}
