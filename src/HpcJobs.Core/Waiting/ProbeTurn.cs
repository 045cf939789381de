namespace HpcJobs.Core.Waiting;

/// <summary>See <see cref="ISharedStatus.ProbeTurnAsync"/>: when the scheduler last answered, and where to say it did.</summary>
public sealed class ProbeTurn : IDisposable
{
    private readonly SharedStatusFile _file;
    private readonly SharedStatusFile.Lock _held;

    internal ProbeTurn(SharedStatusFile file, SharedStatusFile.Lock held)
    {
        _file = file;
        _held = held;
    }

    /// <summary>How long ago the scheduler last answered one of the user's processes; null when not known.</summary>
    public TimeSpan? AnsweredAgo =>
        OperatingSystem.IsLinux() && _file.LastAnswer() is { } at ? DateTimeOffset.Now - at : null;

    /// <summary>The scheduler answered just now (a ping).</summary>
    public void Answered()
    {
        if (OperatingSystem.IsLinux())
            _held.WriteAnswered(DateTimeOffset.Now);
    }

    public void Dispose()
    {
        if (OperatingSystem.IsLinux())
            _held.Dispose();
    }
}
