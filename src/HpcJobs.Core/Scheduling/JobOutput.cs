using System.Text;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Scheduling;

/// <summary>One line a job wrote, with the job it came from (its ToString is the line, so it reads as text).</summary>
public sealed record JobOutputLine(string JobId, long LineNumber, string Line)
{
    public override string ToString() => Line;
}

/// <summary>Reads the output files of jobs: whole, the last lines, or followed while the jobs run (like tail -f).</summary>
public static class JobOutput
{
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
        var folder = Path.GetDirectoryName(path);
        if (folder is not null && !Directory.Exists(folder))
            throw new HpcErrorException(
                HpcErrors.OutputNotReadable,
                $"Job {job.JobId} writes to '{path}', whose folder does not exist on this host ({Environment.MachineName}): "
                    + "it is on another machine's disk. Read it there, or submit with -OutputPath on a shared file system."
            );
        return path;
    }

    /// <summary>The lines of a finished or running job's file (the last <paramref name="tail"/> when given).</summary>
    public static IReadOnlyList<JobOutputLine> Read(JobInfo job, bool error, int? tail)
    {
        var path = PathOf(job, error);
        if (!File.Exists(path))
            throw new HpcErrorException(
                HpcErrors.OutputNotFound,
                job.State is JobState.Pending or JobState.Held
                    ? $"Job {job.JobId} is {job.State}: '{path}' does not exist yet. Use -Wait to wait for it."
                    : $"Job {job.JobId} ({job.State}) has no output file '{path}'"
                        + (job.IsFinished ? "; it wrote nothing there, or the file was removed." : " yet.")
            );
        string[] lines;
        try
        {
            lines = ReadShared(path).Split('\n');
        }
        catch (UnauthorizedAccessException e)
        {
            throw new HpcErrorException(
                HpcErrors.OutputNotReadable,
                $"Job {job.JobId}'s output '{path}' cannot be read: {e.Message}"
            );
        }
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        var first = tail is { } t ? Math.Max(0, count - t) : 0;
        return Enumerable
            .Range(first, count - first)
            .Select(i => new JobOutputLine(job.JobId, i + 1, lines[i].TrimEnd('\r')))
            .ToList();
    }

    /// <summary>
    /// Follows the files of <paramref name="jobs"/> until every job has ended and its file is read to the end, calling
    /// <paramref name="emit"/> for each complete line as it appears. Files are read every 0.2 s; the scheduler is asked
    /// (one batched call) at its own polling pace. A file that does not exist yet (a pending job) is waited for.
    /// </summary>
    public static async Task FollowAsync(
        IScheduler scheduler,
        IReadOnlyList<JobInfo> jobs,
        bool error,
        int? tail,
        Action<JobOutputLine> emit,
        CancellationToken ct
    )
    {
        var followers = jobs.Select(j => new Follower(j, PathOf(j, error), tail)).ToList();
        var statusEvery = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, scheduler.MinPollInterval.Ticks));
        var nextStatus = DateTimeOffset.Now;
        while (followers.Count > 0)
        {
            foreach (var f in followers)
                f.ReadNew(emit);
            if (DateTimeOffset.Now >= nextStatus)
            {
                var running = followers.Where(f => f.EndedAt is null).Select(f => f.Job.JobId).ToList();
                if (running.Count > 0)
                {
                    var report = await scheduler.GetStatusAsync(running, ct).ConfigureAwait(false);
                    var ended = report
                        .Jobs.Where(j => j.IsFinished || j.CanNeverRun)
                        .Select(j => j.JobId)
                        .Concat(report.NotFound.Select(n => n.JobId))
                        .ToHashSet();
                    foreach (var f in followers.Where(f => ended.Contains(f.Job.JobId)))
                        f.EndedAt = DateTimeOffset.Now;
                }
                nextStatus = DateTimeOffset.Now + statusEvery;
            }
            // an ended job is read once more; its file may appear late (PBS copies output back after the job)
            foreach (
                var f in followers
                    .Where(f => f.EndedAt is { } at && (f.Exists || DateTimeOffset.Now - at > TimeSpan.FromSeconds(10)))
                    .ToList()
            )
            {
                f.ReadNew(emit);
                f.Flush(emit);
                followers.Remove(f);
            }
            if (followers.Count > 0)
                await Task.Delay(200, ct).ConfigureAwait(false);
        }
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private sealed class Follower(JobInfo job, string path, int? tail)
    {
        private long _position;
        private long _lineNumber;
        private readonly StringBuilder _partial = new();
        private bool _started;

        public JobInfo Job => job;
        public DateTimeOffset? EndedAt { get; set; }
        public bool Exists => File.Exists(path);

        public void ReadNew(Action<JobOutputLine> emit)
        {
            if (!File.Exists(path))
                return;
            using var stream = new FileStream(
                path,
                FileMode.Open,
                FileAccess.Read,
                FileShare.ReadWrite | FileShare.Delete
            );
            if (stream.Length < _position)
                _position = 0; // truncated or replaced: start over
            stream.Seek(_position, SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var text = reader.ReadToEnd();
            _position = stream.Position;
            _partial.Append(text);
            var all = _partial.ToString();
            var lastNewline = all.LastIndexOf('\n');
            if (lastNewline < 0)
                return;
            var complete = all[..lastNewline].Split('\n');
            _partial.Clear().Append(all[(lastNewline + 1)..]);
            var skip = !_started && tail is { } t ? Math.Max(0, complete.Length - t) : 0;
            _lineNumber += skip;
            _started = true;
            foreach (var line in complete.Skip(skip))
                emit(new JobOutputLine(job.JobId, ++_lineNumber, line.TrimEnd('\r')));
        }

        public void Flush(Action<JobOutputLine> emit)
        {
            if (_partial.Length > 0)
                emit(new JobOutputLine(job.JobId, ++_lineNumber, _partial.ToString().TrimEnd('\r')));
            _partial.Clear();
        }
    }
}
