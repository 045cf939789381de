namespace HpcJobs.Core.Waiting;

/// <summary>How often to ask for status: one rule for a process on its own (<see cref="JobWaiter"/>) and for the shared
/// snapshot (<see cref="SharedStatus"/>).</summary>
public static class PollInterval
{
    /// <summary>After an answer that changed, the next poll comes no later than this.</summary>
    public static readonly TimeSpan AfterChange = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The adaptive poll interval, one rule for a process on its own and for the shared snapshot: while nothing changes,
    /// 1.5 times longer each poll, up to <paramref name="max"/>; after a change, no longer than <see cref="AfterChange"/>
    /// and never shorter than before. (Halving on every change compounds: polls fast enough to see one job end and the
    /// next start apart see twice the changes and poll faster still; the same 50 jobs took 97 polls in one run and 182 in
    /// the next.) A scheduler that took longer than that to answer (<paramref name="answeredIn"/>) is not asked again
    /// sooner than it took: a busy controller is asked less, never back to back.
    /// </summary>
    public static TimeSpan Next(
        TimeSpan previous,
        bool changed,
        TimeSpan floor,
        TimeSpan max,
        TimeSpan answeredIn = default
    )
    {
        var next = changed ? (previous < AfterChange ? previous : AfterChange) : previous * 1.5;
        next =
            next < floor ? floor
            : next > max ? max
            : next;
        return answeredIn > next ? answeredIn : next;
    }
}
