using HpcJobs.Core.Model;
using HpcJobs.Core.Remote;

namespace HpcJobs.Core.Operations;

/// <summary>
/// One followed job's file (<see cref="JobOutput.FollowAsync"/>), read as it grows: here (<see cref="LocalOutputFollower"/>)
/// or on the cluster over the SSH session (<see cref="RemoteOutputFollower"/>). Each says when the file is truncated,
/// replaced or deleted while followed, and when it never appeared.
/// </summary>
internal abstract class OutputFollower(FollowedJob followed, string path, int? tail)
{
    /// <summary>The follower for <paramref name="followed"/>'s file: read where the job's scheduler is.</summary>
    public static OutputFollower For(FollowedJob followed, string path, int? tail) =>
        RemoteHost.FromLocation(followed.Job.Location) is { } host
            ? new RemoteOutputFollower(followed, path, tail, SshSessionRunner.For(host))
            : new LocalOutputFollower(followed, path, tail);

    public FollowedJob Followed => followed;

    /// <summary>When the job was seen ended; its file is then read once more and finished.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    public JobState? EndState => Ended?.State;

    /// <summary>The scheduler's answer that said the job ended (null when it no longer knew the job).</summary>
    public JobInfo? Ended { get; set; }

    /// <summary>The file has been found (an ended job's file that never appears is waited for a while).</summary>
    public abstract bool Opened { get; }

    protected string Path => path;

    /// <summary>Lines to show from the end of what is there when the file is first found; null: all, numbered.</summary>
    protected int? Tail => tail;

    protected string JobId => followed.Job.JobId;

    protected OutputLineReader Reader { get; set; } = new();

    /// <summary>The number of the last line given; null when lines are not numbered (after a tail).</summary>
    protected long? LineNumber { get; set; }

    protected bool DeletedSaid { get; set; }

    /// <summary>Reads what was written since the last read, and gives each complete line.</summary>
    public abstract Task ReadNewAsync(Action<JobOutputLine> emit, Action<string> warn, CancellationToken ct);

    /// <summary>The job has ended and its file was read to the end: the last line, without a newline, is given too.</summary>
    public abstract void Finish(Action<JobOutputLine> emit, Action<string> warn);

    /// <summary>The next line, numbered when lines are.</summary>
    protected JobOutputLine Next(string text) => new(JobId, LineNumber is { } n ? LineNumber = n + 1 : null, text);

    /// <summary>The file was truncated: read again from its start, numbering from 1.</summary>
    protected void Restart()
    {
        Reader = new OutputLineReader();
        LineNumber = 0;
    }
}
