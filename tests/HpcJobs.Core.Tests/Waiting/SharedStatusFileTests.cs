using HpcJobs.Core.Model;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Waiting;

/// <summary>What the snapshot file trusts (issue 28): nothing from the future, nothing others could read.</summary>
public sealed class SharedStatusFileTests : IDisposable
{
    private readonly SharedStatusFile _file =
        SharedStatusFile.Open($"test-{Guid.NewGuid():N}") ?? throw new InvalidOperationException("no status folder");

    public void Dispose()
    {
        foreach (var suffix in new[] { "", ".lock", ".answered" })
            File.Delete(_file.Path + suffix);
    }

    private static StatusSnapshot Answered(DateTimeOffset at) =>
        new(
            at,
            at,
            TimeSpan.FromSeconds(5),
            new Dictionary<string, DateTimeOffset> { ["1"] = at },
            [
                new JobInfo
                {
                    JobId = "1",
                    Scheduler = "Slurm",
                    State = JobState.Running,
                },
            ],
            [],
            null,
            Environment.ProcessId
        );

    private void Write(StatusSnapshot snapshot)
    {
        using var held = _file.TryLock() ?? throw new InvalidOperationException("lock held");
        held.Write(snapshot);
    }

    [Fact]
    public void A_snapshot_of_now_is_read()
    {
        Write(Answered(DateTimeOffset.UtcNow));
        Assert.Equal("1", Assert.Single(_file.Read()!.Jobs).JobId);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_file.Path));
    }

    [Fact]
    public void A_snapshot_answered_in_the_future_is_not_trusted()
    {
        // written before the clock was stepped back an hour: it would count as fresh for an hour
        Write(Answered(DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Null(_file.Read());
        Assert.Null(_file.LastAnswer());
    }

    [Fact]
    public void A_ping_from_the_future_is_not_an_answer()
    {
        using (var held = _file.TryLock()!)
            held.WriteAnswered(DateTimeOffset.UtcNow.AddHours(1));
        Assert.Null(_file.LastAnswer());
    }

    [Fact]
    public void A_snapshot_others_may_read_is_not_trusted_and_the_next_write_is_private_again()
    {
        Write(Answered(DateTimeOffset.UtcNow));
        File.SetUnixFileMode(_file.Path, (UnixFileMode)Convert.ToInt32("644", 8));
        Assert.Null(_file.Read());
        Write(Answered(DateTimeOffset.UtcNow));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_file.Path));
        Assert.NotNull(_file.Read());
    }
}
