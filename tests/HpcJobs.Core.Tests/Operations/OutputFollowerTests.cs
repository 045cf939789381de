using System.Text;
using HpcJobs.Core.Local;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Tests.Operations;

/// <summary>
/// Both followers of a job's file, driven read by read with no job and no clock: the one here, and the one that reads
/// on a cluster over SSH, run through a local <c>sh</c> (the same commands the SSH session would run there).
/// </summary>
[Trait("Category", "Unit")]
public sealed class OutputFollowerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hpcjobs-follow-").FullName;
    private readonly List<JobOutputLine> _lines = [];
    private readonly List<string> _warnings = [];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Kinds => new() { "here", "over sh" };

    private string File(string name = "job.out") => Path.Combine(_dir, name);

    private OutputFollower Follower(string kind, int? tail = null, string name = "job.out")
    {
        var job = new JobInfo
        {
            JobId = "7",
            Scheduler = "Local",
            State = JobState.Running,
            StdOutPath = File(name),
        };
        var followed = new FollowedJob(new LocalScheduler(Path.Combine(_dir, "state")), job);
        return kind == "here"
            ? new LocalOutputFollower(followed, File(name), tail)
            : new RemoteOutputFollower(followed, File(name), tail, CliWrapProcessRunner.Instance);
    }

    private Task Read(OutputFollower follower) => follower.ReadNewAsync(_lines.Add, _warnings.Add, default);

    private static void Append(string path, byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.Append);
        stream.Write(bytes);
    }

    private static void Append(string path, string text) => Append(path, Encoding.UTF8.GetBytes(text));

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Lines_are_numbered_as_they_come_and_an_unfinished_last_line_waits_for_the_end(string kind)
    {
        var follower = Follower(kind);
        await Read(follower); // no file yet: nothing, and no warning
        Assert.False(follower.Opened);
        Append(File(), "one\ntwo\nthr");
        await Read(follower);
        Append(File(), "ee\nfour");
        await Read(follower);
        Assert.Equal([(1L, "one"), (2L, "two"), (3L, "three")], _lines.Select(l => (l.LineNumber!.Value, l.Line)));
        follower.EndedAt = DateTimeOffset.Now;
        await Read(follower);
        follower.Finish(_lines.Add, _warnings.Add);
        Assert.Equal((4L, "four"), (_lines[^1].LineNumber!.Value, _lines[^1].Line));
        Assert.Empty(_warnings);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_character_cut_between_two_writes_arrives_whole(string kind)
    {
        var follower = Follower(kind);
        Append(File(), [(byte)'c', (byte)'a', (byte)'f', 0xC3]);
        await Read(follower);
        Append(File(), [0xA9, (byte)' ', (byte)'o', (byte)'k', (byte)'\n']);
        await Read(follower);
        Assert.Equal(["café ok"], _lines.Select(l => l.Line));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_truncated_file_is_said_and_read_again_from_line_one(string kind)
    {
        var follower = Follower(kind);
        Append(File(), "aaaaaaaaaa\n");
        await Read(follower);
        System.IO.File.WriteAllText(File(), "b\n");
        await Read(follower);
        await Read(follower);
        Assert.Equal([(1L, "aaaaaaaaaa"), (1L, "b")], _lines.Select(l => (l.LineNumber!.Value, l.Line)));
        Assert.Contains("was truncated while followed", Assert.Single(_warnings));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_deleted_file_is_said_once(string kind)
    {
        var follower = Follower(kind);
        Append(File(), "one\n");
        await Read(follower);
        System.IO.File.Delete(File());
        await Read(follower);
        await Read(follower);
        Assert.Contains("was deleted while followed", Assert.Single(_warnings));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_tail_gives_the_last_lines_unnumbered_then_what_is_added(string kind)
    {
        Append(File(), "1\n2\n3\n4\n5\n");
        var follower = Follower(kind, tail: 2);
        await Read(follower);
        Append(File(), "6\n");
        await Read(follower);
        Assert.Equal(["4", "5", "6"], _lines.Select(l => l.Line));
        Assert.All(_lines, l => Assert.Null(l.LineNumber));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_file_that_never_appears_is_said_at_the_end(string kind)
    {
        var follower = Follower(kind, name: "never.out");
        await Read(follower);
        follower.Ended = follower.Followed.Job with { State = JobState.Failed };
        follower.Finish(_lines.Add, _warnings.Add);
        Assert.Contains("Failed) and its output", Assert.Single(_warnings));
        Assert.Contains("never appeared", _warnings[0]);
    }

    [Fact]
    public async Task A_file_replaced_here_is_read_to_its_end_then_followed_anew()
    {
        var follower = Follower("here");
        Append(File(), "one\n");
        await Read(follower);
        Append(File(), "two\n");
        System.IO.File.Move(File(), File("old.out"));
        Append(File(), "three\n");
        await Read(follower);
        await Read(follower);
        Assert.Equal(["one", "two", "three"], _lines.Select(l => l.Line));
        Assert.Contains("was replaced while followed", Assert.Single(_warnings));
    }
}
