using System.Text;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Operations;

/// <summary>The output of a job on a cluster over SSH, read there with <c>sh</c> on the session: whole, its end, or followed.</summary>
internal static class RemoteOutput
{
    /// <summary>The output of a job on a cluster over SSH: one call (<c>cat</c>, or <c>tail -n</c>) on the session.</summary>
    public static async Task<List<JobOutputLine>> ReadAsync(
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
        var reader = new OutputLineReader();
        var lines = reader.Feed(Encoding.UTF8.GetBytes(r.StandardOutput));
        if (reader.Finish() is { } last)
            lines.Add(last);
        long number = 0;
        return lines.Select(l => new JobOutputLine(job.JobId, tail is null ? ++number : null, l)).ToList();
    }

    /// <summary>$1 the file, $2 the lines from its end (empty: all); exit 3 when there is no such regular file.</summary>
    private const string ReadThereScript =
        "[ -f \"$1\" ] || exit 3; if [ -n \"$2\" ]; then tail -n \"$2\" -- \"$1\"; else cat -- \"$1\"; fi";

    /// <summary>The bytes of $1 from byte $2 on (1-based); exit 3 when there is no such file, 4 when it is shorter than that.</summary>
    internal const string FollowThereScript =
        "[ -f \"$1\" ] || exit 3; [ \"$(wc -c < \"$1\")\" -ge $(($2 - 1)) ] || exit 4; tail -c +\"$2\" -- \"$1\"";
}

/// <summary>
/// A followed file on a cluster: each read asks, in one call on the SSH session, for the bytes after the last whole
/// line read (a line still being written, or a character cut in two, is read whole next time); a file shorter than
/// that was truncated, a missing one deleted.
/// </summary>
internal sealed class RemoteOutputFollower(FollowedJob followed, string path, int? tail, IProcessRunner there)
    : OutputFollower(followed, path, tail)
{
    private long _offset;
    private bool _seen;

    public override bool Opened => _seen;

    public override async Task ReadNewAsync(Action<JobOutputLine> emit, Action<string> warn, CancellationToken ct)
    {
        // on the cluster: the bytes after the last whole line read, up to the last newline (a line still being
        // written, or a character cut in two, is read whole next time)
        var r = await there
            .RunAsync(
                "sh",
                [
                    "-c",
                    RemoteOutput.FollowThereScript,
                    "sh",
                    Path,
                    (_offset + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ],
                null,
                ct
            )
            .ConfigureAwait(false);
        if (r.ExitCode == 3)
        {
            if (_seen && !DeletedSaid)
                warn(
                    $"Job {JobId}'s output '{Path}' on {there.Location} was deleted while followed; what the job "
                        + "writes to it is lost."
                );
            DeletedSaid = _seen;
            return;
        }
        if (r.ExitCode == 4)
        {
            warn(
                $"Job {JobId}'s output '{Path}' on {there.Location} was truncated while followed; reading it "
                    + "again from its start."
            );
            _offset = 0;
            Restart();
            return;
        }
        DeletedSaid = false;
        if (!_seen && Tail is { } t)
        {
            var all = r.StandardOutput;
            var lines = all.Split('\n'); // the last is the partial line (or "" after a final newline)
            var kept = lines[..^1].Skip(Math.Max(0, lines.Length - 1 - t)).ToList();
            _offset += Encoding.UTF8.GetByteCount(all) - Encoding.UTF8.GetByteCount(lines[^1]);
            foreach (var line in kept)
                emit(new JobOutputLine(JobId, null, line.TrimEnd('\r')));
            _seen = true;
            LineNumber = null;
            return;
        }
        if (!_seen)
            LineNumber = 0;
        _seen = true;
        var text = r.StandardOutput;
        var end = EndedAt is not null ? text.Length : text.LastIndexOf('\n') + 1;
        foreach (var line in Reader.Feed(Encoding.UTF8.GetBytes(text[..end])))
            emit(Next(line));
        _offset += Encoding.UTF8.GetByteCount(text[..end]);
    }

    public override void Finish(Action<JobOutputLine> emit, Action<string> warn)
    {
        if (!_seen)
        {
            warn(
                $"Job {JobId} ended ({EndState?.ToString() ?? "no longer known to its scheduler"}) and its output "
                    + $"'{Path}' never appeared: the job wrote nothing there, or it never ran."
            );
            return;
        }
        if (Reader.Finish() is { } rest)
            emit(Next(rest));
    }
}
