using System.Text;
using HpcJobs.Core.Local;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;

namespace HpcJobs.Core.Tests.Operations;

/// <summary>
/// Reading job output in bounded memory (issue 20, finding 8): -Tail seeks from the end, files are streamed, a followed
/// file keeps one decoder, and a truncated, replaced, deleted or never-written file is said, never silent.
/// </summary>
[Collection("local-daemon")]
public sealed class JobOutputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hpcjobs-output-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private JobInfo Job(string path, JobState state = JobState.Completed) =>
        new()
        {
            JobId = "7",
            Scheduler = "Local",
            State = state,
            StdOutPath = path,
        };

    private string FileWith(string content)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Issue 28: a file that is one long run of NULs before its last lines died with OutOfMemoryException.</summary>
    [Fact]
    public void A_line_of_hundreds_of_megabytes_is_cut_not_held_whole()
    {
        var path = Path.Combine(_dir, "nuls");
        using (var f = File.Create(path))
        {
            f.SetLength(300L * 1024 * 1024); // a sparse run of NULs
            f.Seek(0, SeekOrigin.End);
            f.Write("\none\ntwo\nthree\n"u8);
        }
        var lines = JobOutput.Read(Job(path), error: false, tail: 4).Select(l => l.Line).ToList();
        Assert.Equal(4, lines.Count);
        Assert.EndsWith($"{300L * 1024 * 1024 - 1024 * 1024} more characters of this line not shown]", lines[0]);
        Assert.Equal(["one", "two", "three"], lines[1..]);
    }

    [Theory]
    [InlineData("a\nb\nc\n", 2, "b|c")]
    [InlineData("a\nb\nc", 2, "b|c")]
    [InlineData("a\nb\nc\n", 5, "a|b|c")]
    [InlineData("a\nb\nc\n", 0, "")]
    [InlineData("", 3, "")]
    [InlineData("\n\n", 1, "")]
    [InlineData("x\r\ny\r\n", 1, "y")]
    public void Tail_keeps_the_last_lines_as_tail_does(string content, int tail, string expected)
    {
        var lines = JobOutput.Read(Job(FileWith(content)), error: false, tail).Select(l => l.Line);
        Assert.Equal(expected, string.Join('|', lines));
    }

    [Fact]
    public void Tail_across_block_boundaries_and_whole_reads_number_their_lines()
    {
        var content = string.Concat(Enumerable.Range(1, 50_000).Select(i => $"line {i} {new string('x', i % 37)}\n"));
        var path = FileWith(content);
        var tail = JobOutput.Read(Job(path), false, 12_345).ToList();
        Assert.Equal(12_345, tail.Count);
        Assert.StartsWith("line 37656 ", tail[0].Line);
        Assert.All(tail, l => Assert.Null(l.LineNumber));
        var whole = JobOutput.Read(Job(path), false, null).ToList();
        Assert.Equal(50_000, whole.Count);
        Assert.Equal(
            (50_000L, "line 50000 " + new string('x', 50_000 % 37)),
            (whole[^1].LineNumber!.Value, whole[^1].Line)
        );
    }

    [Fact]
    public void Tail_of_a_large_file_reads_a_bounded_amount_whatever_its_size()
    {
        var path = Path.Combine(_dir, "big.out");
        using (var f = File.Create(path))
        {
            var block = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0123456789abcdef012345678\n", 4096)));
            for (var i = 0; i < 3000; i++) // ~300 MB
                f.Write(block);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        var lines = JobOutput.Read(Job(path), false, 10).ToList();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10, lines.Count);
        Assert.All(lines, l => Assert.Equal("0123456789abcdef012345678", l.Line));
        Assert.InRange(allocated, 0, 2 * 1024 * 1024);
    }

    [Fact]
    public void A_fifo_or_device_is_not_read()
    {
        var fifo = Path.Combine(_dir, "fifo");
        Tests.Support.OtherUser.Run("mkfifo", fifo);
        var e = Assert.Throws<HpcErrorException>(() => JobOutput.Read(Job(fifo), false, null).ToList());
        Assert.Equal("HpcOutputNotReadable", e.ErrorId);
        Assert.Contains("FIFO", e.Message);
        Assert.Contains(
            "character device",
            Assert.Throws<HpcErrorException>(() => JobOutput.Read(Job("/dev/zero"), false, 1)).Message
        );
    }

    // The jobs below pause 2.5 s between changes to their file: the follower reads every 200 ms, but in the whole suite's
    // parallel run its timer can be late by seconds (0.7 s pauses failed there, never alone), and a change it never
    // saw cannot be reported.
    private async Task<(List<string> Lines, List<string> Warnings)> Follow(JobRequest request, int? tail = null)
    {
        var local = new LocalScheduler(Path.Combine(_dir, "state"));
        var job = await local.SubmitAsync(request with { WorkingDirectory = _dir });
        var lines = new List<string>();
        var warnings = new List<string>();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await JobOutput.FollowAsync(
            [new FollowedJob(local, job)],
            false,
            tail,
            l => lines.Add(l.Line),
            warnings.Add,
            limit.Token
        );
        return (lines, warnings);
    }

    [Fact]
    public async Task A_character_split_across_two_writes_arrives_whole()
    {
        var (lines, warnings) = await Follow(
            new JobRequest { Command = ["sh", "-c", @"printf 'caf\303'; sleep 1; printf '\251 ok\n'"] }
        );
        Assert.Equal(["café ok"], lines);
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task An_output_moved_away_and_replaced_loses_no_line_and_is_said()
    {
        var (lines, warnings) = await Follow(
            new JobRequest
            {
                Command =
                [
                    "sh",
                    "-c",
                    "echo one; sleep 2.5; mv o.out o.old; echo two; sleep 2.5; exec > o.out; echo three; sleep 2.5",
                ],
                OutputPath = "o.out",
            }
        );
        Assert.Equal(["one", "two", "three"], lines);
        Assert.Contains(warnings, w => w.Contains("replaced"));
    }

    [Fact]
    public async Task An_output_deleted_while_followed_or_never_written_is_a_warning()
    {
        var (_, deleted) = await Follow(
            new JobRequest { Command = ["sh", "-c", "echo one; sleep 2.5; rm d.out; sleep 2.5"], OutputPath = "d.out" }
        );
        Assert.Contains(deleted, w => w.Contains("deleted"));
        var local = new LocalScheduler(Path.Combine(_dir, "state"));
        var job = await local.SubmitAsync(new JobRequest { Command = ["true"], WorkingDirectory = _dir });
        var never = new List<string>();
        await JobOutput.FollowAsync(
            [new FollowedJob(local, job with { StdOutPath = Path.Combine(_dir, "never.out") })],
            false,
            null,
            _ => { },
            never.Add,
            CancellationToken.None
        );
        Assert.Contains(never, w => w.Contains("never appeared"));
    }

    [Fact]
    public async Task A_truncated_output_is_read_again_from_its_start_with_a_warning()
    {
        var (lines, warnings) = await Follow(
            new JobRequest
            {
                Command = ["sh", "-c", "echo aaaaaaaaaa; sleep 2.5; : > t.out; echo b >> t.out; sleep 2.5"],
                OutputPath = "t.out",
            }
        );
        Assert.Equal(["aaaaaaaaaa", "b"], lines);
        Assert.Contains(warnings, w => w.Contains("truncated"));
    }
}
