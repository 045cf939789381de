using System.ComponentModel;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Tests.Support;

namespace HpcJobs.Core.Tests.Kit;

/// <summary>The one runner every back end's commands go through: chunking, retry, counting, missing programs.</summary>
[Trait("Category", "Unit")]
public class SchedulerCommandsTests
{
    private static readonly RetryPolicy Fast = new(MaxAttempts: 3, FirstDelaySeconds: 0.01, MaxDelaySeconds: 0.02);

    private static SchedulerCommands For(IProcessRunner runner) =>
        new("TEST", runner, Fast, r => SchedulerCommands.FailedWithAny(r, ["try again"]));

    [Fact]
    public void Id_lists_are_cut_into_chunks_under_the_limit_in_order()
    {
        var ids = Enumerable.Range(100000, 25001).Select(i => i.ToString()).ToList();
        var chunks = SchedulerCommands.Chunk(ids).ToList();
        Assert.Equal(2, chunks.Count); // 25,001 seven-character ids: 175,007 characters
        Assert.All(chunks, c => Assert.True(string.Join(',', c).Length <= SchedulerCommands.MaxIdCharsPerCall));
        Assert.Equal(ids, chunks.SelectMany(c => c));
        Assert.Single(SchedulerCommands.Chunk(["1", "2"]));
        Assert.Empty(SchedulerCommands.Chunk([]));
        Assert.Equal(3, SchedulerCommands.Chunk(["aaaa", "bbbb", "cccc"], maxChars: 6).Count());
    }

    [Fact]
    public async Task A_chunked_call_costs_one_command_per_chunk()
    {
        var runner = new ScriptedProcessRunner().On("squeue", new ProcessResult(0, "", ""));
        var commands = For(runner);
        var ids = Enumerable.Range(1, 30000).Select(i => (1000000 + i).ToString()).ToList();
        var results = await commands.RunChunkedAsync("squeue", ids, chunk => ["-j", string.Join(',', chunk)], default);
        Assert.Equal(3, results.Count);
        Assert.Equal(3, commands.CallCount);
        Assert.All(runner.Calls, c => Assert.True(c.Args[1].Length < 128 * 1024));
    }

    [Fact]
    public async Task Transient_errors_are_retried_and_counted()
    {
        var runner = new ScriptedProcessRunner().On(
            "q",
            new ProcessResult(1, "", "please try again"),
            new ProcessResult(0, "ok", "")
        );
        var commands = For(runner);
        Assert.Equal("ok", (await commands.RunAsync("q", [], default)).StandardOutput);
        Assert.Equal(2, commands.CallCount);
        var never = For(new ScriptedProcessRunner().On("q", new ProcessResult(1, "", "please try again")));
        var e = await Assert.ThrowsAsync<SchedulerUnavailableException>(() => never.RunAsync("q", [], default));
        Assert.Contains("did not answer after 3 attempts", e.Message);
    }

    [Fact]
    public async Task A_missing_program_is_told_apart_from_other_start_failures()
    {
        var missing = For(new ThrowingRunner(new Win32Exception(2, "No such file or directory")));
        var e = await Assert.ThrowsAsync<SchedulerUnavailableException>(() => missing.RunAsync("squeue", [], default));
        Assert.Contains("'squeue' was not found. Is TEST installed and on PATH?", e.Message);
        var tooLong = For(new ThrowingRunner(new Win32Exception(7, "Argument list too long")));
        e = await Assert.ThrowsAsync<SchedulerUnavailableException>(() => tooLong.RunAsync("squeue", [], default));
        Assert.Contains("could not be started: Argument list too long (error 7)", e.Message);
        Assert.DoesNotContain("installed", e.Message);
    }

    [Fact]
    public async Task A_missing_program_is_found_so_for_real()
    {
        var commands = new SchedulerCommands("TEST", CliWrapProcessRunner.Instance, Fast, _ => false);
        var e = await Assert.ThrowsAsync<SchedulerUnavailableException>(() =>
            commands.RunAsync("hpcjobs-no-such-program", [], default)
        );
        Assert.Contains("was not found", e.Message);
    }

    private sealed class ThrowingRunner(Exception e) : IProcessRunner
    {
        public Task<ProcessResult> RunAsync(
            string program,
            IReadOnlyList<string> arguments,
            ProcessOptions? options = null,
            CancellationToken cancellationToken = default
        ) => Task.FromException<ProcessResult>(e);
    }
}
