using System.Text;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Local;
using HpcJobs.Core.Model;
using HpcJobs.Core.Platform;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Remote;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Operations;

/// <summary>
/// Reads the output files of jobs: whole, the last lines, or followed while the jobs run (like tail -f). Memory stays
/// bounded whatever the file's size: files are streamed, and -Tail seeks back from the end.
/// </summary>
public static class JobOutput
{
    private const int BlockSize = 64 * 1024;

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
            return ReadThereAsync(job, Remote.SshSessionRunner.For(host), path, tail, CancellationToken.None)
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

    /// <summary>The output of a job on a cluster over SSH: one call (<c>cat</c>, or <c>tail -n</c>) on the session.</summary>
    private static async Task<List<JobOutputLine>> ReadThereAsync(
        JobInfo job,
        Processes.IProcessRunner runner,
        string path,
        int? tail,
        CancellationToken ct
    )
    {
        var r = await runner
            .RunAsync(
                "sh",
                [
                    "-c",
                    ReadThereScript,
                    "sh",
                    path,
                    tail?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
                ],
                null,
                ct
            )
            .ConfigureAwait(false);
        if (r.ExitCode == 3)
            throw new HpcErrorException(
                HpcErrors.OutputNotFound,
                $"Job {job.JobId} ({job.State}) has no output file '{path}' on {runner.Location}"
                    + (job.IsFinished ? "; it wrote nothing there, or the file was removed." : " yet.")
            );
        if (r.ExitCode != 0)
            throw new HpcErrorException(
                HpcErrors.OutputNotReadable,
                $"Job {job.JobId}'s output '{path}' on {runner.Location} cannot be read: {r.StandardError.Trim()}"
            );
        var reader = new LineReader();
        var lines = reader.Feed(Encoding.UTF8.GetBytes(r.StandardOutput));
        if (reader.Finish() is { } last)
            lines.Add(last);
        long number = 0;
        return lines.Select(l => new JobOutputLine(job.JobId, tail is null ? ++number : null, l)).ToList();
    }

    /// <summary>$1 the file, $2 the lines from its end (empty: all); exit 3 when there is no such regular file.</summary>
    private const string ReadThereScript =
        "[ -f \"$1\" ] || exit 3; if [ -n \"$2\" ]; then tail -n \"$2\" -- \"$1\"; else cat -- \"$1\"; fi";

    /// <summary>$1 the file, $2 the byte to start at (1-based): the new bytes of a followed file; exit 3 while it does not exist.</summary>
    /// <summary>The bytes of $1 from byte $2 on; exit 3 when there is no such file, 4 when it is shorter than that.</summary>
    private const string FollowThereScript =
        "[ -f \"$1\" ] || exit 3; [ \"$(wc -c < \"$1\")\" -ge $(($2 - 1)) ] || exit 4; tail -c +\"$2\" -- \"$1\"";

    private static IEnumerable<JobOutputLine> ReadLines(string jobId, FileStream stream, bool numbered)
    {
        using (stream)
        {
            var reader = new LineReader();
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
    private static FileStream Open(JobInfo job, string path)
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
        var followers = jobs.Select(j => new Follower(j, PathOf(j.Job, error), tail)).ToList();
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
                    f.EndState = report.Jobs.FirstOrDefault(j => j.JobId == f.Followed.Job.JobId)?.State;
                }
                var every = TimeSpan.FromTicks(
                    Math.Max(TimeSpan.FromSeconds(1).Ticks, scheduler.MinPollInterval.Ticks)
                );
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
            }
            if (followers.Count > 0)
                await Task.Delay(200, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Splits bytes into lines on '\n' (a '\r' before it is dropped), keeping one decoder for the whole file.</summary>
    private sealed class LineReader
    {
        /// <summary>
        /// The longest line kept whole: a file that is one run of NULs, or a binary dump, has one "line" of gigabytes;
        /// the rest of such a line is counted, not held.
        /// </summary>
        internal const int MaxLineChars = 1024 * 1024;

        private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
        private readonly StringBuilder _partial = new();
        private long _dropped;
        private char[] _chars = new char[BlockSize + 4];

        private void Append(ReadOnlySpan<char> part)
        {
            var room = MaxLineChars - _partial.Length;
            if (part.Length <= room)
            {
                _partial.Append(part);
                return;
            }
            _partial.Append(part[..Math.Max(0, room)]);
            _dropped += part.Length - Math.Max(0, room);
        }

        public List<string> Feed(ReadOnlySpan<byte> bytes)
        {
            var needed = _decoder.GetCharCount(bytes, flush: false);
            if (_chars.Length < needed)
                _chars = new char[needed];
            var n = _decoder.GetChars(bytes, _chars, flush: false);
            var lines = new List<string>();
            var span = _chars.AsSpan(0, n);
            int newline;
            while ((newline = span.IndexOf('\n')) >= 0)
            {
                Append(span[..newline]);
                lines.Add(Take());
                span = span[(newline + 1)..];
            }
            Append(span);
            return lines;
        }

        /// <summary>The last line when the file does not end with a newline.</summary>
        public string? Finish()
        {
            var n = _decoder.GetChars([], _chars, flush: true);
            Append(_chars.AsSpan(0, n));
            return _partial.Length > 0 ? Take() : null;
        }

        private string Take()
        {
            if (_partial.Length > 0 && _partial[^1] == '\r' && _dropped == 0)
                _partial.Length--;
            var line =
                _dropped == 0
                    ? _partial.ToString()
                    : $"{_partial} ... [{_dropped} more characters of this line not shown]";
            _partial.Clear();
            _dropped = 0;
            return line;
        }
    }

    /// <summary>
    /// One followed file: kept open between reads, so nothing written to it is lost when it is moved away; the path is
    /// looked at again after each read, so a replaced, truncated or deleted file is noticed and said.
    /// </summary>
    private sealed class Follower(FollowedJob followed, string path, int? tail)
    {
        private FileStream? _stream;
        private LineReader _reader = new();
        private (ulong Inode, ulong Device)? _identity;
        private long? _lineNumber;
        private bool _tailApplied;
        private bool _deletedSaid;

        public FollowedJob Followed => followed;
        public DateTimeOffset? EndedAt { get; set; }
        public JobState? EndState { get; set; }
        public bool Opened => _stream is not null || _seen;
        private string JobId => followed.Job.JobId;

        private readonly Processes.IProcessRunner? _there = Remote.RemoteHost.FromLocation(followed.Job.Location)
            is { } h
            ? Remote.SshSessionRunner.For(h)
            : null;
        private long _offset;
        private bool _seen;

        public async Task ReadNewAsync(Action<JobOutputLine> emit, Action<string> warn, CancellationToken ct)
        {
            if (_there is null)
            {
                ReadNew(emit, warn);
                return;
            }
            // on the cluster: the bytes after the last whole line read, up to the last newline (a line still being
            // written, or a character cut in two, is read whole next time)
            var r = await _there
                .RunAsync(
                    "sh",
                    [
                        "-c",
                        FollowThereScript,
                        "sh",
                        path,
                        (_offset + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ],
                    null,
                    ct
                )
                .ConfigureAwait(false);
            if (r.ExitCode == 3)
            {
                if (_seen && !_deletedSaid)
                    warn(
                        $"Job {JobId}'s output '{path}' on {_there.Location} was deleted while followed; what the job "
                            + "writes to it is lost."
                    );
                _deletedSaid = _seen;
                return;
            }
            if (r.ExitCode == 4)
            {
                warn(
                    $"Job {JobId}'s output '{path}' on {_there.Location} was truncated while followed; reading it "
                        + "again from its start."
                );
                _offset = 0;
                _reader = new LineReader();
                _lineNumber = 0;
                return;
            }
            _deletedSaid = false;
            if (!_seen && tail is { } t)
            {
                var all = r.StandardOutput;
                var lines = all.Split('\n'); // the last is the partial line (or "" after a final newline)
                var kept = lines[..^1].Skip(Math.Max(0, lines.Length - 1 - t)).ToList();
                _offset += Encoding.UTF8.GetByteCount(all) - Encoding.UTF8.GetByteCount(lines[^1]);
                foreach (var line in kept)
                    emit(new JobOutputLine(JobId, null, line.TrimEnd('\r')));
                _seen = true;
                _lineNumber = null;
                return;
            }
            if (!_seen)
                _lineNumber = 0;
            _seen = true;
            var text = r.StandardOutput;
            var end = EndedAt is not null ? text.Length : text.LastIndexOf('\n') + 1;
            foreach (var line in _reader.Feed(Encoding.UTF8.GetBytes(text[..end])))
                emit(new JobOutputLine(JobId, _lineNumber is { } l ? _lineNumber = l + 1 : null, line));
            _offset += Encoding.UTF8.GetByteCount(text[..end]);
        }

        private void ReadNew(Action<JobOutputLine> emit, Action<string> warn)
        {
            if (_stream is null && !TryOpen())
                return;
            var stream = _stream!;
            if (stream.Length < stream.Position)
            {
                warn($"Job {JobId}'s output '{path}' was truncated while followed; reading it again from its start.");
                stream.Position = 0;
                _reader = new LineReader();
                _lineNumber = 0;
            }
            var buffer = new byte[BlockSize];
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
                foreach (var line in _reader.Feed(buffer.AsSpan(0, n)))
                    emit(new JobOutputLine(JobId, _lineNumber is { } l ? _lineNumber = l + 1 : null, line));
            if (!OperatingSystem.IsLinux())
                return;
            var now = Native.Status(path, followLinks: true);
            if (now is null)
            {
                if (!_deletedSaid)
                    warn(
                        $"Job {JobId}'s output '{path}' was deleted while followed; what the job writes to it is lost."
                    );
                _deletedSaid = true;
            }
            else if (_identity is { } id && (now.Value.Inode, now.Value.Device) != id)
            {
                // the old file is read to its end above; what follows is in the new one
                if (_reader.Finish() is { } last)
                    emit(new JobOutputLine(JobId, _lineNumber is { } l ? _lineNumber = l + 1 : null, last));
                warn(
                    $"Job {JobId}'s output '{path}' was replaced while followed; following the new file from its start."
                );
                Close();
                TryOpen();
            }
        }

        private bool TryOpen()
        {
            if (!File.Exists(path))
                return false;
            _stream = Open(followed.Job, path);
            _reader = new LineReader();
            _lineNumber = 0;
            _deletedSaid = false;
            if (OperatingSystem.IsLinux() && Native.Status(path, followLinks: true) is { } status)
                _identity = (status.Inode, status.Device);
            if (tail is { } t && !_tailApplied)
            {
                _stream.Position = TailStart(_stream, t);
                _lineNumber = null;
            }
            _tailApplied = true;
            return true;
        }

        public void Finish(Action<JobOutputLine> emit, Action<string> warn)
        {
            if (_there is not null && _seen)
            {
                if (_reader.Finish() is { } rest)
                    emit(new JobOutputLine(JobId, _lineNumber is { } n ? _lineNumber = n + 1 : null, rest));
                return;
            }
            if (_stream is null)
            {
                warn(
                    $"Job {JobId} ended ({EndState?.ToString() ?? "no longer known to its scheduler"}) and its output "
                        + $"'{path}' never appeared: the job wrote nothing there, or it never ran."
                );
                return;
            }
            if (_reader.Finish() is { } last)
                emit(new JobOutputLine(JobId, _lineNumber is { } l ? _lineNumber = l + 1 : null, last));
            Close();
        }

        private void Close()
        {
            _stream?.Dispose();
            _stream = null;
        }
    }
}
