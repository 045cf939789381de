using System.Text;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Platform;
using HpcJobs.Core.Remote;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Operations;

/// <summary>
/// Reads the output files of jobs: whole, the last lines, or followed while the jobs run (like tail -f). Memory stays
/// bounded whatever the file's size: files are streamed, and -Tail seeks back from the end.
/// </summary>
public static class JobOutput
{
    internal const int BlockSize = 64 * 1024;

    /// <summary>
    /// The file a job writes <paramref name="error"/> output (stderr) or standard output to, checked to be readable
    /// here.
    /// </summary>
    public static string PathOf(JobInfo job, bool error)
    {
        var path = error ? job.StdErrPath : job.StdOutPath;
        if (path is null)
            throw new HpcErrorException(
                HpcErrors.OutputNotFound,
                error
                    ? $"Job {job.JobId} has no separate error file: its stderr goes to its output file ({job.StdOutPath}). "
                        + "Leave out -Error."
                    : $"Job {job.JobId} has no output file the scheduler reports."
            );
        if (Remote.RemoteHost.FromLocation(job.Location) is not null)
            return path; // a path on the cluster, read there
        var folder = Path.GetDirectoryName(path);
        if (folder is not null && !Directory.Exists(folder))
            throw new HpcErrorException(
                HpcErrors.OutputNotReadable,
                $"Job {job.JobId} writes to '{path}', whose folder does not exist on this host ({Environment.MachineName}): "
                    + "it is on another machine's disk. Read it there, or submit with -OutputPath on a shared file system."
            );
        return path;
    }

    /// <summary>
    /// The lines of a finished or running job's file (the last <paramref name="tail"/> when given), read as they are
    /// enumerated. The file is opened (and every problem with it reported) before the first line.
    /// </summary>
    public static IEnumerable<JobOutputLine> Read(JobInfo job, bool error, int? tail)
    {
        var path = PathOf(job, error);
        if (Remote.RemoteHost.FromLocation(job.Location) is { } host)
            return RemoteOutput
                .ReadAsync(job, Remote.SshSessionRunner.For(host), path, tail, CancellationToken.None)
                .GetAwaiter()
                .GetResult();
        if (!File.Exists(path))
            throw new HpcErrorException(
                HpcErrors.OutputNotFound,
                job.State is JobState.Pending or JobState.Held
                    ? $"Job {job.JobId} is {job.State}: '{path}' does not exist yet. Use -Wait to wait for it."
                    : $"Job {job.JobId} ({job.State}) has no output file '{path}'"
                        + (job.IsFinished ? "; it wrote nothing there, or the file was removed." : " yet.")
            );
        var stream = Open(job, path);
        if (tail is { } t)
            stream.Position = TailStart(stream, t);
        return ReadLines(job.JobId, stream, numbered: tail is null);
    }

    private static IEnumerable<JobOutputLine> ReadLines(string jobId, FileStream stream, bool numbered)
    {
        using (stream)
        {
            var reader = new OutputLineReader();
            var buffer = new byte[BlockSize];
            long number = 0;
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
                foreach (var line in reader.Feed(buffer.AsSpan(0, n)))
                    yield return new JobOutputLine(jobId, numbered ? ++number : null, line);
            if (reader.Finish() is { } last)
                yield return new JobOutputLine(jobId, numbered ? ++number : null, last);
        }
    }

    /// <summary>
    /// Opens a job's file for reading, shared with the writer. Only regular files: a FIFO would block and a device such
    /// as /dev/zero never ends.
    /// </summary>
    internal static FileStream Open(JobInfo job, string path)
    {
        if (OperatingSystem.IsLinux() && Native.Status(path, followLinks: true) is { IsRegularFile: false } status)
            throw new HpcErrorException(
                HpcErrors.OutputNotReadable,
                $"Job {job.JobId}'s output '{path}' is a {status.TypeName}, not a regular file; it is not read."
            );
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new HpcErrorException(
                HpcErrors.OutputNotReadable,
                $"Job {job.JobId}'s output '{path}' cannot be read: {e.Message}"
            );
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new HpcErrorException(
                HpcErrors.OutputNotReadable,
                $"Job {job.JobId}'s output '{path}' cannot be read: {e.Message}"
            );
        }
    }

    /// <summary>
    /// The offset where the last <paramref name="lines"/> lines start, found by reading backwards from the end a block
    /// at a time (a final newline ends the last line; it does not start another).
    /// </summary>
    internal static long TailStart(Stream stream, int lines)
    {
        var length = stream.Length;
        if (lines <= 0)
            return length;
        var buffer = new byte[BlockSize];
        var end = length;
        var found = 0;
        var skipFinalNewline = true;
        while (end > 0)
        {
            var start = Math.Max(0, end - BlockSize);
            var count = (int)(end - start);
            stream.Position = start;
            stream.ReadExactly(buffer, 0, count);
            for (var i = count - 1; i >= 0; i--)
            {
                if (buffer[i] != (byte)'\n')
                {
                    skipFinalNewline = false;
                    continue;
                }
                if (skipFinalNewline && start + i == length - 1)
                {
                    skipFinalNewline = false;
                    continue;
                }
                if (++found == lines)
                    return start + i + 1;
            }
            end = start;
        }
        return 0;
    }

    /// <summary>
    /// Follows the files of <paramref name="jobs"/> (of any schedulers) until every job has ended and its file is read to
    /// the end, calling <paramref name="emit"/> for each complete line as it appears and <paramref name="warn"/> for what
    /// a user must know (a file truncated, replaced, deleted, or never written). Files are read every 0.2 s; each
    /// scheduler is asked (one batched call) at its own polling pace. A file that does not exist yet is waited for.
    /// A job that ended for a cause its retry policy names (Submit-HpcJob -MaxRetries) is retried as Wait-HpcJob
    /// retries it, said through <paramref name="warn"/>, and the new attempt's file is followed after the ended one's.
    /// </summary>
    public static async Task FollowAsync(
        IReadOnlyList<FollowedJob> jobs,
        bool error,
        int? tail,
        Action<JobOutputLine> emit,
        Action<string> warn,
        CancellationToken ct
    )
    {
        var followers = jobs.Select(j => OutputFollower.For(j, PathOf(j.Job, error), tail)).ToList();
        var nextStatus = new Dictionary<IScheduler, DateTimeOffset>();
        while (followers.Count > 0)
        {
            foreach (var f in followers)
                await f.ReadNewAsync(emit, warn, ct).ConfigureAwait(false);
            foreach (var group in followers.Where(f => f.EndedAt is null).GroupBy(f => f.Followed.Scheduler).ToList())
            {
                var scheduler = group.Key;
                if (nextStatus.TryGetValue(scheduler, out var due) && DateTimeOffset.Now < due)
                    continue;
                var report = await StatusPolls
                    .PollAsync(scheduler, group.Select(f => f.Followed.Job.JobId).ToList(), ct)
                    .ConfigureAwait(false);
                var ended = report
                    .Jobs.Where(j => j.IsFinished || j.CanNeverRun)
                    .Select(j => j.JobId)
                    .Concat(report.NotFound.Select(n => n.JobId))
                    .ToHashSet();
                foreach (var f in group.Where(f => ended.Contains(f.Followed.Job.JobId)))
                {
                    f.EndedAt = DateTimeOffset.Now;
                    f.Ended = report.Jobs.FirstOrDefault(j => j.JobId == f.Followed.Job.JobId);
                }
                var every = StatusPolls.Floor(scheduler, TimeSpan.FromSeconds(1));
                nextStatus[scheduler] = DateTimeOffset.Now + every;
            }
            // an ended job is read once more; its file may appear late (PBS copies output back after the job)
            foreach (
                var f in followers
                    .Where(f => f.EndedAt is { } at && (f.Opened || DateTimeOffset.Now - at > TimeSpan.FromSeconds(10)))
                    .ToList()
            )
            {
                await f.ReadNewAsync(emit, warn, ct).ConfigureAwait(false);
                f.Finish(emit, warn);
                followers.Remove(f);
                if (f.Ended is { IsFinished: true } ended && f.Followed.Job.ArrayJobId is null)
                    await FollowRetryAsync(f.Followed.Scheduler, ended).ConfigureAwait(false);
            }
            if (followers.Count > 0)
                await Task.Delay(200, ct).ConfigureAwait(false);
        }

        async Task FollowRetryAsync(IScheduler scheduler, JobInfo ended)
        {
            try
            {
                var retried = await JobOperations.RetryAsync(scheduler, ended, warn, ct).ConfigureAwait(false);
                if (retried.Next is { } next)
                    followers.Add(OutputFollower.For(new FollowedJob(scheduler, next), PathOf(next, error), tail));
            }
            catch (HpcJobsException e)
            {
                warn($"Job {ended.JobId} was not retried: {e.Message}");
            }
        }
    }
}
