using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Remote;
using HpcJobs.Core.Tests.Support;

namespace HpcJobs.Core.Tests.Remote;

/// <summary>The SSH transport against the real test sshd, through a bash and a tcsh login shell.</summary>
[Collection("sshd")]
public sealed class SshSessionRunnerTests
{
    /// <summary>What a login shell would mangle if it ever parsed an argument.</summary>
    public static readonly string[] Hostile =
    [
        "plain",
        "",
        " ",
        "two words",
        "'single'",
        "\"double\"",
        "$HOME",
        "${PATH}",
        "$(id)",
        "`id`",
        "!",
        "!!",
        "a!b",
        "; rm -rf /tmp/nothing",
        "| cat",
        "&& false",
        "< /etc/passwd",
        "> /tmp/hpcjobs-should-not-exist",
        "line one\nline two",
        "\ttab\t",
        "trailing newline\n",
        "\n",
        "back\\slash",
        "ünïcødé ✓ 日本",
        "-n",
        "--version",
        "-",
        "*",
        "~",
        "#comment",
        "%s%n",
        "{a,b}",
        "[x]",
        "\r",
        new string('x', 100_000),
    ];

    public static TheoryData<string> Shells() => new(SshServer.Aliases);

    private static IProcessRunner Runner(string alias) => SshSessionRunner.For(new RemoteHost(alias));

    [SshTheory]
    [MemberData(nameof(Shells))]
    public async Task Every_argument_arrives_byte_exact(string alias)
    {
        var r = await Runner(alias).RunAsync("printf", ["%s\\0", .. Hostile]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(Hostile, r.StandardOutput.Split('\0')[..^1]);
        Assert.False(File.Exists("/tmp/hpcjobs-should-not-exist"));
    }

    [SshTheory]
    [MemberData(nameof(Shells))]
    public async Task Environment_values_stdin_and_folders_arrive_byte_exact(string alias)
    {
        var runner = Runner(alias);
        foreach (var value in Hostile.Where(v => v.Length > 0))
        {
            var env = await runner.RunAsync(
                "printenv",
                ["HPCJOBS_VALUE"],
                new ProcessOptions { Environment = new Dictionary<string, string?> { ["HPCJOBS_VALUE"] = value } }
            );
            Assert.Equal(value + "\n", env.StandardOutput);
            var stdin = await runner.RunAsync("cat", [], new ProcessOptions { StandardInput = value });
            Assert.Equal(value, stdin.StandardOutput);
        }
        foreach (var name in new[] { "it's a $dir", "new\nline", "-leading dash", "ünïcødé `x`", "semi;colon & amp" })
        {
            var path = $"/tmp/hpcjobs-remote-{alias}/{name}";
            Assert.Equal(0, (await runner.RunAsync("mkdir", ["-p", "--", path])).ExitCode);
            var pwd = await runner.RunAsync("pwd", ["-P"], new ProcessOptions { WorkingDirectory = path });
            Assert.Equal(path + "\n", pwd.StandardOutput);
        }
    }

    [SshTheory]
    [MemberData(nameof(Shells))]
    public async Task Exit_codes_and_both_streams_come_back_apart(string alias)
    {
        var r = await Runner(alias).RunAsync("sh", ["-c", "printf out; printf err >&2; exit 3"]);
        Assert.Equal((3, "out", "err"), (r.ExitCode, r.StandardOutput, r.StandardError));
        var missing = await Assert.ThrowsAsync<System.ComponentModel.Win32Exception>(() =>
            Runner(alias).RunAsync("hpcjobs-no-such-program", [])
        );
        Assert.Equal(2, missing.NativeErrorCode);
    }

    [SshFact]
    public async Task Calls_made_at_once_share_one_connection()
    {
        var host = new RemoteHost("hpc-tcsh");
        var runner = SshSessionRunner.For(host);
        await runner.RunAsync("true", []);
        var before = SshServer.AcceptedLogins("hpctcsh");
        var connections = runner.Connections;
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => runner.RunAsync("echo", [$"call {i}"])));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"call {i}\n"), answers.Select(a => a.StandardOutput));
        Assert.Equal(connections, runner.Connections);
        Assert.Equal(before, SshServer.AcceptedLogins("hpctcsh"));
    }

    [SshFact]
    public async Task ProxyJump_from_ssh_config_works()
    {
        var r = await SshSessionRunner.For(new RemoteHost("hpc-jump")).RunAsync("id", ["-un"]);
        Assert.Equal("hpctcsh\n", r.StandardOutput);
    }

    [SshFact]
    public async Task A_dropped_connection_is_opened_again_on_the_next_call()
    {
        var runner = SshSessionRunner.For(new RemoteHost("hpc-bash"));
        await runner.RunAsync("true", []);
        var connections = runner.Connections;
        // sshd's process for the session dies, as when sshd restarts or the network drops it
        await CliWrapProcessRunner.Instance.RunAsync("pkill", ["-KILL", "-u", "hpcbash", "-x", "sshd"]);
        var lost = await Record.ExceptionAsync(() => runner.RunAsync("true", []));
        Assert.True(
            lost is null || lost is SchedulerUnavailableException { Error.Id: "HpcRemoteConnectionLost" },
            $"{lost}"
        );
        var again = await runner.RunAsync("echo", ["back"]);
        Assert.Equal("back\n", again.StandardOutput);
        Assert.True(runner.Connections > connections);
    }

    [SshFact]
    public async Task An_unknown_host_key_is_refused_never_accepted()
    {
        var e = await Assert.ThrowsAsync<SchedulerUnavailableException>(() =>
            SshSessionRunner.For(new RemoteHost("127.0.0.1", "hpcbash", 2222)).RunAsync("true", [])
        );
        Assert.Equal(HpcErrors.RemoteHostKeyUnknown, e.Error);
    }

    [SshFact]
    public async Task A_refused_key_is_an_authentication_failure()
    {
        var e = await Assert.ThrowsAsync<SchedulerUnavailableException>(() =>
            SshSessionRunner
                .For(new RemoteHost("hpc-bash", "nosuchuser"), Path.Combine(SshServer.Folder, "stranger_key"))
                .RunAsync("true", [])
        );
        Assert.Equal(HpcErrors.RemoteAuthenticationFailed, e.Error);
    }

    [SshFact]
    public async Task An_unreachable_host_fails_within_the_connect_timeout()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<SchedulerUnavailableException>(() =>
            SshSessionRunner
                .For(new RemoteHost("127.0.0.1", "hpcbash", 1) { ConnectTimeout = TimeSpan.FromSeconds(3) })
                .RunAsync("true", [])
        );
        Assert.Equal(HpcErrors.RemoteUnreachable, e.Error);
        Assert.Contains("127.0.0.1", e.Message);
    }
}

[CollectionDefinition("sshd", DisableParallelization = true)]
public sealed class SshCollection;
