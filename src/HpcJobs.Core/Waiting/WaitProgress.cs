using HpcJobs.Core.Model;

namespace HpcJobs.Core.Waiting;

/// <summary>One poll round's view, for progress display.</summary>
public sealed record WaitProgress(
    int Total,
    int Finished,
    IReadOnlyDictionary<JobState, int> Counts,
    TimeSpan Elapsed,
    TimeSpan NextPoll,
    string? Problem
)
{
    /// <summary>Something the user should know although the answer came (a slow, possibly rate-limiting controller).</summary>
    public string? Warning { get; init; }

    /// <summary>Why most waiting jobs wait, in plain words, and the earliest estimated start among them.</summary>
    public string? Waiting { get; init; }
}
