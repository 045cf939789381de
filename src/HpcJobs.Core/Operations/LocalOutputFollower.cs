using HpcJobs.Core.Platform;

namespace HpcJobs.Core.Operations;

/// <summary>
/// A followed file on this machine: kept open between reads, so nothing written to it is lost when it is moved away;
/// the path is looked at again after each read, so a replaced, truncated or deleted file is noticed and said.
/// </summary>
internal sealed class LocalOutputFollower(FollowedJob followed, string path, int? tail)
    : OutputFollower(followed, path, tail)
{
    private FileStream? _stream;
    private (ulong Inode, ulong Device)? _identity;
    private bool _tailApplied;

    public override bool Opened => _stream is not null;

    public override Task ReadNewAsync(Action<JobOutputLine> emit, Action<string> warn, CancellationToken ct)
    {
        ReadNew(emit, warn);
        return Task.CompletedTask;
    }

    private void ReadNew(Action<JobOutputLine> emit, Action<string> warn)
    {
        if (_stream is null && !TryOpen())
            return;
        var stream = _stream!;
        if (stream.Length < stream.Position)
        {
            warn($"Job {JobId}'s output '{Path}' was truncated while followed; reading it again from its start.");
            stream.Position = 0;
            Restart();
        }
        var buffer = new byte[JobOutput.BlockSize];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            foreach (var line in Reader.Feed(buffer.AsSpan(0, n)))
                emit(Next(line));
        if (!OperatingSystem.IsLinux())
            return;
        var now = Native.Status(Path, followLinks: true);
        if (now is null)
        {
            if (!DeletedSaid)
                warn($"Job {JobId}'s output '{Path}' was deleted while followed; what the job writes to it is lost.");
            DeletedSaid = true;
        }
        else if (_identity is { } id && (now.Value.Inode, now.Value.Device) != id)
        {
            // the old file is read to its end above; what follows is in the new one
            if (Reader.Finish() is { } last)
                emit(Next(last));
            warn($"Job {JobId}'s output '{Path}' was replaced while followed; following the new file from its start.");
            Close();
            TryOpen();
        }
    }

    private bool TryOpen()
    {
        if (!File.Exists(Path))
            return false;
        _stream = JobOutput.Open(Followed.Job, Path);
        Restart();
        DeletedSaid = false;
        if (OperatingSystem.IsLinux() && Native.Status(Path, followLinks: true) is { } status)
            _identity = (status.Inode, status.Device);
        if (Tail is { } t && !_tailApplied)
        {
            _stream.Position = JobOutput.TailStart(_stream, t);
            LineNumber = null;
        }
        _tailApplied = true;
        return true;
    }

    public override void Finish(Action<JobOutputLine> emit, Action<string> warn)
    {
        if (_stream is null)
        {
            warn(
                $"Job {JobId} ended ({EndState?.ToString() ?? "no longer known to its scheduler"}) and its output "
                    + $"'{Path}' never appeared: the job wrote nothing there, or it never ran."
            );
            return;
        }
        if (Reader.Finish() is { } last)
            emit(Next(last));
        Close();
    }

    private void Close()
    {
        _stream?.Dispose();
        _stream = null;
    }
}
