using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Kit;

/// <summary>
/// A list for <c>-User</c> that comes back empty says whether that user exists where the scheduler runs: squeue prints
/// "Invalid user" and exits 0, qselect and the Local store say nothing, and an empty answer must not read as "no jobs".
/// </summary>
public static class ListedUser
{
    /// <summary>
    /// Throws <see cref="HpcErrors.UserNotFound"/> when <paramref name="jobs"/> is empty and the query names a user that
    /// <c>id</c> does not know on the scheduler's machine (this one, or the cluster over SSH). One call, only then.
    /// </summary>
    public static async Task<IReadOnlyList<JobInfo>> CheckedAsync(
        IReadOnlyList<JobInfo> jobs,
        JobListQuery query,
        IProcessRunner runner,
        CancellationToken ct
    )
    {
        if (jobs.Count > 0 || query.User is not { } user || query.AllUsers)
            return jobs;
        var id = await runner.RunAsync("id", ["-u", "--", user], null, ct).ConfigureAwait(false);
        if (id.Succeeded)
            return jobs;
        var where = runner.Location is { } location ? $"on {location}" : "on this machine";
        throw new HpcErrorException(
            HpcErrors.UserNotFound,
            $"-User '{user}': there is no such user {where}. Give a login name that exists there, or * for every "
                + "user's jobs."
        );
    }

    /// <summary>
    /// The jobs that answer <paramref name="query"/>, in submission order (tasks by index), checked as
    /// <see cref="CheckedAsync"/> does: the end of every back end's listing.
    /// </summary>
    public static Task<IReadOnlyList<JobInfo>> SortedAsync(
        IEnumerable<JobInfo> jobs,
        JobListQuery query,
        IProcessRunner runner,
        CancellationToken ct
    ) =>
        CheckedAsync(
            jobs.Where(query.Matches)
                .OrderBy(j => j.SubmitTime ?? j.StartTime)
                .ThenBy(j => j.ArrayTaskId ?? -1)
                .ToList(),
            query,
            runner,
            ct
        );
}
