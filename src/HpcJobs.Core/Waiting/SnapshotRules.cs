using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Waiting;

/// <summary>
/// The rules of the shared status snapshot (<see cref="SharedStatus"/>), pure: what a snapshot answers, which ids the
/// next refresh asks for, what counts as a change for the shared interval, which answers are final. Time is given, so
/// each rule is tested without a clock or a cluster.
/// </summary>
internal static class SnapshotRules
{
    /// <summary>The slowest shared poll at all: a scheduler that takes this long to answer is still asked this often.</summary>
    public static readonly TimeSpan SlowestInterval = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How old a submission may be for a wait's first poll to take its word (Pending) for a job no refresh has asked
    /// for yet: longer than a busy machine puts between a submit and the wait that follows it, shorter than a person
    /// takes to wait on a job that has meanwhile ended (which is then answered at once).
    /// </summary>
    public static readonly TimeSpan UnaskedSubmissionLimit = TimeSpan.FromSeconds(5);

    /// <summary>The answer a snapshot gives, and the ids in it that no refresh has been asked for yet.</summary>
    public sealed record SnapshotAnswer(StatusReport Report, List<string> Unasked);

    /// <summary>Younger than <paramref name="maxAge"/>, or than its own interval (at least <paramref name="floor"/>).</summary>
    public static bool IsFresh(StatusSnapshot? snapshot, TimeSpan? maxAge, TimeSpan floor, DateTimeOffset now) =>
        snapshot is not null && now - snapshot.AnsweredAt <= (maxAge ?? Clamp(snapshot.Interval, floor));

    /// <summary>
    /// The answer for <paramref name="ids"/> from <paramref name="snapshot"/> when it is younger than
    /// <paramref name="maxAge"/> and answers each id, itself or (read-your-writes) by the submission of a job this process
    /// submitted (<paramref name="submittedHere"/>) less than <paramref name="maxAge"/> ago; else null: a refresh is needed.
    /// </summary>
    public static SnapshotAnswer? Answer(
        StatusSnapshot snapshot,
        List<string> ids,
        TimeSpan? maxAge,
        TimeSpan floor,
        bool poller,
        bool firstPoll,
        DateTimeOffset now,
        Func<string, JobInfo?> submittedHere
    )
    {
        if (!IsFresh(snapshot, maxAge, floor, now))
            return null;
        var byId = JobOrdering.ByRequestedId(snapshot.Jobs);
        var notFound = snapshot.NotFound.GroupBy(n => n.JobId).ToDictionary(g => g.Key, g => g.First());
        var jobs = new List<JobInfo>();
        var missing = new List<JobLookupFailure>();
        var unasked = new List<string>();
        foreach (var id in ids)
        {
            if (snapshot.Answers(id))
            {
                jobs.AddRange(byId[id]);
                if (notFound.TryGetValue(id, out var gone))
                    missing.Add(gone);
            }
            else if (submittedHere(id) is { } mine)
            {
                // its submission answers while it is fresh; after that a poller waits for the refresh that asks for it
                // (on a busy machine a submit and the first poll can be further apart than the interval), except a
                // wait's first poll on a submission so old that the job may well have ended: that answers at once
                if (now - mine.QueriedAt <= (maxAge ?? Clamp(snapshot.Interval, floor)))
                    jobs.Add(mine);
                else if (!poller || (firstPoll && now - mine.QueriedAt > UnaskedSubmissionLimit))
                    return null;
                if (!snapshot.Asked.ContainsKey(id))
                    unasked.Add(id);
            }
            else
                return null;
        }
        return new SnapshotAnswer(new StatusReport(jobs.DistinctBy(j => j.JobId).ToList(), missing), unasked);
    }

    /// <summary>
    /// The ids the next refresh asks for: those still wanted from the last one, and <paramref name="wanted"/> (asked
    /// now).
    /// </summary>
    public static Dictionary<string, DateTimeOffset> NextAsked(
        StatusSnapshot? previous,
        IEnumerable<string> wanted,
        DateTimeOffset now
    )
    {
        var asked = new Dictionary<string, DateTimeOffset>();
        if (previous is not null)
            foreach (var (id, since) in previous.Asked)
                if (StillWanted(previous, id, since, now))
                    asked[id] = since;
        foreach (var id in wanted)
            asked[id] = now;
        return asked;
    }

    /// <summary>
    /// Ids stay in the shared query while they have an unfinished job, and for ten minutes after (a late poller still
    /// finds the final answer); an id nobody has asked about for an hour is dropped.
    /// </summary>
    public static bool StillWanted(StatusSnapshot previous, string id, DateTimeOffset since, DateTimeOffset now)
    {
        if (now - since > TimeSpan.FromHours(1))
            return false;
        var jobs = previous.Jobs.Where(j => j.JobId == id || j.ArrayJobId == id).ToList();
        if (jobs.Count == 0 || jobs.Any(j => !j.IsFinished))
            return jobs.Count > 0 || now - since < TimeSpan.FromMinutes(10);
        return now - jobs.Max(j => j.QueriedAt) < TimeSpan.FromMinutes(10) || now - since < TimeSpan.FromMinutes(10);
    }

    /// <summary>
    /// A job the last refresh saw changed state. New jobs change nothing: K scripts starting must not poll K times faster.
    /// </summary>
    public static bool Changed(StatusSnapshot previous, StatusReport report)
    {
        var before = previous.Jobs.GroupBy(j => j.JobId).ToDictionary(g => g.Key, g => g.First().State);
        return report.Jobs.Any(j => before.TryGetValue(j.JobId, out var state) && state != j.State);
    }

    /// <summary>The snapshot answered <paramref name="id"/> with jobs that have all ended (an array: every task).</summary>
    public static bool HasEnded(StatusSnapshot previous, string id)
    {
        if (!previous.Answers(id))
            return false;
        var any = false;
        foreach (var job in previous.Jobs.Where(j => j.JobId == id || j.ArrayJobId == id))
        {
            if (!job.IsFinished)
                return false;
            any = true;
        }
        return any;
    }

    public static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    public static TimeSpan Clamp(TimeSpan interval, TimeSpan floor) =>
        interval < floor ? floor
        : interval > SlowestInterval ? SlowestInterval
        : interval;
}
