using System.Text;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Remote;

namespace HpcJobs.Core.Tests.Remote;

/// <summary>
/// The SSH session's protocol and remote submission with no sshd: the runner starts, in place of ssh, a client that
/// runs its last argument (<c>/bin/sh</c>, as ssh runs it on the cluster) here, so the frames, the remote loop and every
/// remote-submission script run exactly as they do over SSH. The live tests (SshSessionRunnerTests, over a bash and a
/// tcsh login) add what only a real sshd shows.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SessionProtocolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hpcjobs-session-").FullName;
    private readonly SshSessionRunner _runner;

    public SessionProtocolTests()
    {
        var client = Path.Combine(_dir, "fake-ssh");
        File.WriteAllText(client, "#!/bin/sh\nfor a; do last=$a; done\nexec \"$last\"\n");
        File.SetUnixFileMode(client, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _runner = SshSessionRunner.Through(client, new RemoteHost("cluster.example"));
    }

    public void Dispose()
    {
        _runner.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void A_request_frame_is_the_field_count_then_each_field_s_byte_length_and_bytes() =>
        Assert.Equal("5\n0\n0\n1\n04\necho2\nü", Encoding.UTF8.GetString(SshSessionRunner.Frame("echo", ["ü"], null)));

    [Fact]
    public async Task Every_argument_arrives_byte_exact_and_all_share_one_session()
    {
        var r = await _runner.RunAsync("printf", ["%s\\0", .. SshSessionRunnerTests.Hostile]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(SshSessionRunnerTests.Hostile, r.StandardOutput.Split('\0')[..^1]);
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => _runner.RunAsync("echo", [$"{i}"])));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"{i}\n"), answers.Select(a => a.StandardOutput));
        Assert.Equal(1, _runner.Connections);
    }

    [Fact]
    public async Task Environment_stdin_and_working_folder_arrive_byte_exact()
    {
        var folder = Path.Combine(_dir, "it's a $dir; `x`");
        Directory.CreateDirectory(folder);
        var value = "line one\nline two $HOME `id` ü";
        var r = await _runner.RunAsync(
            "sh",
            ["-c", "pwd -P; printf '%s|' \"$HPCJOBS_VALUE\"; cat"],
            new ProcessOptions
            {
                WorkingDirectory = folder,
                StandardInput = "from stdin\0with a NUL",
                Environment = new Dictionary<string, string?> { ["HPCJOBS_VALUE"] = value },
            }
        );
        Assert.Equal($"{folder}\n{value}|from stdin\0with a NUL", r.StandardOutput);
    }

    [Fact]
    public async Task Exit_codes_and_both_streams_come_back_apart_and_a_missing_program_is_said_as_such()
    {
        var r = await _runner.RunAsync("sh", ["-c", "printf out; printf 'err\\n' >&2; exit 3"]);
        Assert.Equal((3, "out", "err\n"), (r.ExitCode, r.StandardOutput, r.StandardError));
        var missing = await Assert.ThrowsAsync<System.ComponentModel.Win32Exception>(() =>
            _runner.RunAsync("hpcjobs-no-such-program", [])
        );
        Assert.Equal(2, missing.NativeErrorCode);
        Assert.Equal("after\n", (await _runner.RunAsync("echo", ["after"])).StandardOutput);
    }

    [Fact]
    public async Task A_session_whose_far_side_died_is_said_lost_and_opened_again_on_the_next_call()
    {
        var pid = (await _runner.RunAsync("sh", ["-c", "echo $PPID"])).StandardOutput.Trim();
        // the loop's shell dies mid-call, as when sshd's session is killed
        var lost = await Record.ExceptionAsync(() => _runner.RunAsync("kill", ["-KILL", pid]));
        Assert.True(lost is SchedulerUnavailableException { Error.Id: "HpcRemoteConnectionLost" }, $"{lost}");
        Assert.Equal("back\n", (await _runner.RunAsync("echo", ["back"])).StandardOutput);
        Assert.Equal(2, _runner.Connections);
    }

    [Fact]
    public async Task A_local_script_travels_into_a_private_file_there_and_is_removed_after()
    {
        var script = Path.Combine(_dir, "analyse.sh");
        File.WriteAllText(script, "#!/bin/sh\necho 'it ran'\n");
        var (sent, path) = await RemoteSubmission.SendScriptAsync(
            new JobRequest { ScriptPath = script },
            _runner,
            default
        );
        Assert.NotNull(path);
        Assert.True(sent.ScriptOnCluster);
        Assert.Equal("analyse.sh", sent.Name);
        Assert.Equal(File.ReadAllText(script), File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        await RemoteSubmission.RemoveAsync(path, _runner);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Folders_are_checked_on_the_cluster_before_anything_is_submitted()
    {
        async Task<HpcError?> Refusal(JobRequest request) =>
            (
                await Record.ExceptionAsync(() => RemoteSubmission.CheckFoldersAsync(request, _runner, default))
                as InvalidJobRequestException
            )?.Error;
        var missing = Path.Combine(_dir, "no-such-folder");
        Assert.Equal(HpcErrors.WorkingDirectoryNotFound, await Refusal(new JobRequest { WorkingDirectory = missing }));
        Assert.Equal(HpcErrors.InvalidOutputPath, await Refusal(new JobRequest { OutputPath = _dir }));
        Assert.Equal(
            HpcErrors.InvalidOutputPath,
            await Refusal(new JobRequest { OutputPath = "out/job.txt", WorkingDirectory = _dir })
        );
        Directory.CreateDirectory(Path.Combine(_dir, "out"));
        Assert.Null(await Refusal(new JobRequest { OutputPath = "out/job-%j.txt", WorkingDirectory = _dir }));
    }

    /// <summary>A stream that gives one byte per read, as a slow link may.</summary>
    private sealed class Trickle(byte[] bytes) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }

    [Fact]
    public async Task Answers_read_back_whole_however_the_bytes_arrive()
    {
        var reader = new FrameReader();
        var payload = Encoding.UTF8.GetBytes("out\nwith ü\0");
        var pump = reader.PumpAsync(
            new Trickle([.. Encoding.ASCII.GetBytes("HPCJOBS-RESULT 0 12 0\n"), .. payload, .. "rest"u8.ToArray()]),
            default
        );
        Assert.Equal("HPCJOBS-RESULT 0 12 0", await reader.ReadLineAsync(default));
        Assert.Equal(payload, await reader.ReadExactAsync(payload.Length, default));
        await pump;
        Assert.Null(await reader.ReadLineAsync(default)); // "rest" has no newline and the stream ended
        var cut = await Assert.ThrowsAsync<IOException>(() => reader.ReadExactAsync(10, default));
        Assert.Contains("ended 4 bytes into an answer of 10", cut.Message);
    }
}
