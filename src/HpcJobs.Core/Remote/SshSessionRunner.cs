using System.Text;
using System.Threading.Channels;
using CliWrap;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Remote;

/// <summary>
/// Runs programs on a cluster reached over SSH, through one long-lived session of the system's OpenSSH client per
/// (user, host, port, key) and pwsh process: one authentication (a 2FA code is typed once), ~/.ssh/config as the user
/// wrote it (aliases, ProxyJump, IdentityFile, agent, known_hosts), and no ControlMaster needed (Windows' ssh has none).
/// <para>
/// The remote command is the literal <c>/bin/sh</c>, which every login shell (bash, zsh, tcsh, fish) runs as it is. Its
/// first input line starts a small POSIX sh loop (<see cref="RemoteLoop"/>); after that only frames cross: a count, then
/// each field as a byte length and the bytes (working folder, stdin, environment, argv), answered with the exit code and
/// the byte lengths of stdout and stderr. No argument ever passes through a shell parser, so any bytes arrive as sent,
/// whatever the login shell. Calls are serialized (a second session would be a second authentication); a session that
/// drops is opened again on the next call.
/// </para>
/// </summary>
public sealed class SshSessionRunner : IProcessRunner, IAsyncDisposable
{
    /// <summary>Environment variable overriding the ssh client (a path), for sites with more than one.</summary>
    public const string SshVariable = "HPCJOBS_SSH";

    private const string Ready = "HPCJOBS-READY";
    private const string Result = "HPCJOBS-RESULT";
    private const string NotFound = "HPCJOBS-NOTFOUND";

    private static readonly Dictionary<RemoteHost, SshSessionRunner> Sessions = [];
    private readonly SemaphoreSlim _oneCall = new(1, 1);
    private Session? _session;
    private int _connections;

    /// <summary>The ssh client this runner starts; null: <see cref="SshVariable"/>, else <c>ssh</c> from PATH.</summary>
    private readonly string? _client;

    private SshSessionRunner(RemoteHost host, string? client = null)
    {
        Host = host;
        _client = client;
    }

    /// <summary>
    /// A runner of its own (not shared by host) that starts <paramref name="client"/> instead of ssh, with ssh's
    /// arguments: tests run the whole session protocol through a client that execs its last argument here.
    /// </summary>
    internal static SshSessionRunner Through(string client, RemoteHost host) => new(host, client);

    public RemoteHost Host { get; }

    /// <summary>The place status is shared under, and where the jobs live: <c>ssh://[user@]host[:port]</c>.</summary>
    public string Machine => Host.Location;

    public string Location => Host.Location;

    public async Task<bool> HasProgramAsync(string program, CancellationToken cancellationToken = default) =>
        (await RunAsync("command", ["-v", program], null, cancellationToken).ConfigureAwait(false)).Succeeded;

    /// <summary>How many ssh connections this runner has opened (one per pwsh session unless one dropped).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The key ssh logs in with (-i), when not the one ~/.ssh/config or the agent gives.</summary>
    public string? KeyFilePath { get; private set; }

    /// <summary>The one runner of <paramref name="host"/> in this process; a key file given is used from the next connection.</summary>
    public static SshSessionRunner For(RemoteHost host, string? keyFilePath = null)
    {
        lock (Sessions)
        {
            if (!Sessions.TryGetValue(host, out var runner))
                Sessions[host] = runner = new SshSessionRunner(host);
            if (keyFilePath is not null)
                runner.KeyFilePath = keyFilePath;
            return runner;
        }
    }

    /// <summary>
    /// Whether this process has a live session to <paramref name="host"/>: Tab completion asks a cluster only then, so that
    /// pressing Tab never logs in (nor asks for a password or a second factor).
    /// </summary>
    public static bool IsOpen(RemoteHost host)
    {
        lock (Sessions)
            return Sessions.TryGetValue(host, out var runner) && runner._session is { IsAlive: true };
    }

    public async Task<ProcessResult> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        ProcessOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        await _oneCall.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var session = _session is { IsAlive: true } alive
                ? alive
                : await ConnectAsync(cancellationToken).ConfigureAwait(false);
            var request = Frame(program, arguments, options);
            try
            {
                return await session
                    .CallAsync(request, program, options?.Timeout, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await DropAsync().ConfigureAwait(false); // the command may still run there: only a new session is clean
                throw;
            }
            catch (IOException e)
            {
                await DropAsync().ConfigureAwait(false);
                throw new SchedulerUnavailableException(
                    $"The SSH connection to {Host} was lost during '{program}' ({e.Message}); it is opened again on the "
                        + "next call.",
                    e,
                    HpcErrors.RemoteConnectionLost
                );
            }
        }
        finally
        {
            _oneCall.Release();
        }
    }

    private async Task<Session> ConnectAsync(CancellationToken ct)
    {
        await DropAsync().ConfigureAwait(false);
        Interlocked.Increment(ref _connections);
        _session = await Session.OpenAsync(Host, KeyFilePath, _client, ct).ConfigureAwait(false);
        return _session;
    }

    private async Task DropAsync()
    {
        if (_session is { } s)
            await s.DisposeAsync().ConfigureAwait(false);
        _session = null;
    }

    public async ValueTask DisposeAsync()
    {
        await DropAsync().ConfigureAwait(false);
        lock (Sessions)
            Sessions.Remove(Host);
    }

    /// <summary>
    /// The request: a line with the field count, then each field as its byte length on a line and the bytes: the working
    /// folder ("" for the login folder), stdin, the number of environment variables, their names and values, then argv.
    /// </summary>
    internal static byte[] Frame(string program, IReadOnlyList<string> arguments, ProcessOptions? options)
    {
        var env = (options?.Environment ?? new Dictionary<string, string?>())
            .Where(kv => kv.Value is not null)
            .ToList();
        var fields = new List<string>
        {
            options?.WorkingDirectory ?? "",
            options?.StandardInput ?? "",
            env.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in env)
        {
            fields.Add(name);
            fields.Add(value!);
        }
        fields.Add(program);
        fields.AddRange(arguments);
        using var frame = new MemoryStream();
        void Line(string s) => frame.Write(Encoding.ASCII.GetBytes(s + "\n"));
        Line(fields.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var field in fields)
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            Line(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            frame.Write(bytes);
        }
        return frame.ToArray();
    }

    /// <summary>
    /// The loop /bin/sh runs on the far side, one line. It reads the user's PATH from their profile (in a subshell with no
    /// input or output, so nothing a profile prints or reads can disturb the frames), makes a private temporary folder,
    /// says it is ready, and then serves one frame at a time. <c>head -c N</c> never reads past N bytes and <c>read</c>
    /// reads a pipe byte by byte, so frames stay aligned; no field is ever parsed by a shell.
    /// </summary>
    internal const string RemoteLoop =
        "t=$(mktemp -d) || exit 1; trap 'rm -rf \"$t\"' EXIT; "
        + "p=$(exec 3>&1 >/dev/null 2>&1 </dev/null; [ -r /etc/profile ] && . /etc/profile; "
        + "[ -r \"$HOME/.profile\" ] && . \"$HOME/.profile\"; printf %s \"$PATH\" >&3); "
        + "[ -n \"$p\" ] && PATH=$p && export PATH; "
        + "f() { IFS= read -r n || exit 0; v=$(head -c \"$n\"; echo x); v=${v%x}; }; "
        + "printf '"
        + Ready
        + " %s\\n' \"$$\"; "
        + "while IFS= read -r c; do "
        + "set --; f; d=$v; IFS= read -r n || exit 0; head -c \"$n\" > \"$t/i\"; f; e=$v; i=3; "
        + "while [ \"$i\" -lt \"$c\" ]; do f; set -- \"$@\" \"$v\"; i=$((i+1)); done; "
        + "k=$((e*2+1)); eval \"x=\\${$k}\"; "
        + "if ! command -v \"$x\" >/dev/null 2>&1; then printf '"
        + NotFound
        + "\\n'; continue; fi; "
        + "( if [ -n \"$d\" ]; then cd -- \"$d\" || exit 126; fi; j=0; "
        + "while [ \"$j\" -lt \"$e\" ]; do export \"$1=$2\"; shift 2; j=$((j+1)); done; \"$@\" ) "
        + "< \"$t/i\" > \"$t/o\" 2> \"$t/e\"; r=$?; "
        + "printf '"
        + Result
        + " %s %s %s\\n' \"$r\" $(wc -c < \"$t/o\") $(wc -c < \"$t/e\"); "
        + "cat \"$t/o\" \"$t/e\"; done";

    /// <summary>One ssh process and the frame reader on its stdout.</summary>
    private sealed class Session : IAsyncDisposable
    {
        private readonly Channel<byte[]> _outgoing = Channel.CreateUnbounded<byte[]>();
        private readonly FrameReader _reader = new();
        private readonly StringBuilder _sshErrors = new();
        private readonly CancellationTokenSource _kill = new();
        private readonly RemoteHost _host;
        private Task<CommandResult>? _process;

        private Session(RemoteHost host) => _host = host;

        public bool IsAlive => _process is { IsCompleted: false };

        public static async Task<Session> OpenAsync(
            RemoteHost host,
            string? keyFilePath,
            string? client,
            CancellationToken ct
        )
        {
            var session = new Session(host);
            var ssh =
                client ?? (Environment.GetEnvironmentVariable(SshVariable) is { Length: > 0 } chosen ? chosen : "ssh");
            var command = Cli.Wrap(ssh)
                .WithArguments([.. host.SshArguments(SshPrompts.CanPrompt, keyFilePath), "/bin/sh"])
                .WithStandardInputPipe(
                    PipeSource.Create(
                        async (destination, token) =>
                        {
                            await foreach (var chunk in session._outgoing.Reader.ReadAllAsync(token))
                            {
                                await destination.WriteAsync(chunk, token).ConfigureAwait(false);
                                await destination.FlushAsync(token).ConfigureAwait(false);
                            }
                        }
                    )
                )
                .WithStandardOutputPipe(PipeTarget.Create((source, token) => session._reader.PumpAsync(source, token)))
                .WithStandardErrorPipe(PipeTarget.ToDelegate(line => session.NoteError(line)))
                .WithValidation(CommandResultValidation.None);
            try
            {
                session._process = command.ExecuteAsync(session._kill.Token).Task;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new SchedulerUnavailableException(
                    $"The ssh client ('{ssh}') could not be started: {e.Message}. Install OpenSSH's client, or name it "
                        + $"with ${SshVariable}.",
                    e,
                    HpcErrors.SchedulerNotInstalled
                );
            }
            session._outgoing.Writer.TryWrite(Encoding.ASCII.GetBytes(RemoteLoop + "\n"));
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(host.ConnectTimeout + TimeSpan.FromSeconds(20));
            var eof = false;
            try
            {
                while (true)
                {
                    var line = await session._reader.ReadLineAsync(limit.Token).ConfigureAwait(false);
                    if (line is null)
                    {
                        eof = true;
                        break;
                    }
                    if (line.StartsWith(Ready, StringComparison.Ordinal))
                        return session; // lines before it are what the login shell's rc files printed
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
            var ended = eof ? await session.ExitCodeAsync().ConfigureAwait(false) : null;
            await session.DisposeAsync().ConfigureAwait(false);
            throw SshFailures.ConnectFailed(
                host,
                session.Errors,
                ended,
                host.ConnectTimeout + TimeSpan.FromSeconds(20),
                ssh == "ssh" ? null : ssh
            );
        }

        /// <summary>ssh's exit code once it has ended (a line read as null: its output closed).</summary>
        private async Task<int?> ExitCodeAsync()
        {
            try
            {
                return _process is null
                    ? null
                    : (await _process.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false)).ExitCode;
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                return null;
            }
        }

        private string Errors
        {
            get
            {
                lock (_sshErrors)
                    return _sshErrors.ToString().Trim();
            }
        }

        private void NoteError(string line)
        {
            lock (_sshErrors)
                if (_sshErrors.Length < 16_000)
                    _sshErrors.AppendLine(line);
        }

        public async Task<ProcessResult> CallAsync(
            byte[] request,
            string program,
            TimeSpan? timeout,
            CancellationToken ct
        )
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (timeout is { } t)
                limit.CancelAfter(t);
            try
            {
                if (!_outgoing.Writer.TryWrite(request))
                    throw new IOException("the session is closed");
                var header =
                    await _reader.ReadLineAsync(limit.Token).ConfigureAwait(false)
                    ?? throw new IOException(Errors is { Length: > 0 } e ? e : "ssh ended");
                if (header == NotFound)
                    throw new System.ComponentModel.Win32Exception(
                        2,
                        $"'{program}' is not on the PATH of {_host} (from its /etc/profile and ~/.profile)"
                    );
                var parts = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length != 4 || parts[0] != Result)
                    throw new IOException($"unexpected answer from the remote loop: {header}");
                var exit = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
                var stdout = await _reader
                    .ReadExactAsync(int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), limit.Token)
                    .ConfigureAwait(false);
                var stderr = await _reader
                    .ReadExactAsync(int.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture), limit.Token)
                    .ConfigureAwait(false);
                return new ProcessResult(exit, Encoding.UTF8.GetString(stdout), Encoding.UTF8.GetString(stderr));
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"'{program}' on {_host} did not finish within {timeout!.Value.TotalSeconds:0.#} s",
                    e
                );
            }
        }

        public async ValueTask DisposeAsync()
        {
            _outgoing.Writer.TryComplete(); // EOF: the remote sh ends, and ssh with it
            if (_process is null)
            {
                _kill.Dispose();
                return;
            }
            try
            {
                await _process.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException or InvalidOperationException)
            { }
            await _kill.CancelAsync().ConfigureAwait(false);
            try
            {
                await _process.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException) { }
            _kill.Dispose();
        }
    }
}
