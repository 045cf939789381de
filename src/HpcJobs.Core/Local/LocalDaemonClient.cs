using System.Net.Sockets;
using System.Text;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Local;

/// <summary>Talks to the state folder's <see cref="LocalDaemon"/>, starting it when no daemon answers.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class LocalDaemonClient(string stateRoot, LocalAgentLauncher launcher)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private string SocketPath => LocalDaemon.SocketPath(stateRoot);

    private static TimeSpan RequestTimeout => LocalSettings.RequestTimeout;

    /// <summary>
    /// Sends one request and returns when the daemon has carried it out. A daemon that dies mid-request is replaced and
    /// asked again: every request is idempotent (a new daemon reads every pending job from the store anyway). A daemon
    /// that does not answer within <see cref="RequestTimeout"/> (stopped, wedged) is an error, never a hang.
    /// </summary>
    public async Task SendAsync(string verb, IEnumerable<string> ids, CancellationToken ct, string? changes = null)
    {
        var request = LocalDaemonProtocol.Request(verb, ids, LocalSettings.Cpus(orDefault: true), changes);
        if (!await SendWithRetryAsync(request, RequestTimeout, ct).ConfigureAwait(false))
            throw new SchedulerUnavailableException(
                $"The Local scheduler's daemon (socket {SocketPath}) did not answer a '{verb}' request within "
                    + $"{RequestTimeout.TotalSeconds:0} s: it may be stopped (SIGSTOP) or hung. Its log is "
                    + $"{Path.Combine(stateRoot, "daemon.log")}; killing it is safe (running jobs are then reported NODE_FAIL)."
            );
    }

    /// <summary>
    /// Asks the daemon to answer when one of <paramref name="ids"/> ends: true if it did within <paramref name="atMost"/>.
    /// </summary>
    public Task<bool> WaitAsync(IEnumerable<string> ids, TimeSpan atMost, CancellationToken ct) =>
        SendWithRetryAsync(LocalDaemonProtocol.Request(LocalDaemonProtocol.Wait, ids), atMost, ct);

    private async Task<bool> SendWithRetryAsync(string request, TimeSpan timeout, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendOnceAsync(request, timeout, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or IOException && attempt < 3)
            {
                await Task.Delay(50 * attempt, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                throw new SchedulerUnavailableException(
                    $"The Local scheduler's daemon ({SocketPath}) did not answer: {e.Message}",
                    e
                );
            }
        }
    }

    private async Task<bool> SendOnceAsync(string request, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            using var socket = await ConnectAsync(limit.Token).ConfigureAwait(false);
            var bytes = Encoding.UTF8.GetBytes(request + "\n");
            await socket.SendAsync(bytes, SocketFlags.None, limit.Token).ConfigureAwait(false);
            var buffer = new byte[4096];
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token).ConfigureAwait(false);
            if (n == 0)
                throw new IOException("the daemon closed the connection without an answer");
            var answer = Encoding.UTF8.GetString(buffer, 0, n).Trim();
            if (answer.StartsWith(LocalDaemonProtocol.Error, StringComparison.Ordinal))
                throw new LocalStateException(
                    HpcErrors.StateUnusable,
                    stateRoot,
                    $"The Local scheduler's daemon could not carry out the request: {answer[LocalDaemonProtocol.Error.Length..].Trim()}"
                );
            return answer.StartsWith(LocalDaemonProtocol.Ok, StringComparison.Ordinal);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Starts the daemon unless one answers.</summary>
    public async Task EnsureRunningAsync(CancellationToken ct)
    {
        using var _ = await ConnectAsync(ct).ConfigureAwait(false);
    }

    private async Task<Socket> ConnectAsync(CancellationToken ct)
    {
        if (TryConnect() is { } ready)
            return ready;
        // a daemon killed a moment ago may still hold the state folder's lock, and the new one then leaves at once:
        // so a daemon that is gone right after its start is launched once more before that counts as a failure
        for (var launch = 1; ; launch++)
        {
            var command = await launcher.LaunchDaemonAsync(stateRoot, ct).ConfigureAwait(false);
            var launched = DateTimeOffset.Now;
            var deadline = launched + StartTimeout;
            var died = false;
            while (!died && DateTimeOffset.Now < deadline)
            {
                await Task.Delay(20, ct).ConfigureAwait(false);
                if (TryConnect() is { } socket)
                    return socket;
                // setsid -f returns before the daemon runs: a daemon that died at start shows only by its absence
                died = DateTimeOffset.Now - launched > DeadAfter && !DaemonProcessExists();
            }
            if (!died)
                break;
            if (launch == 2)
                throw new SchedulerUnavailableException(
                    $"The Local scheduler's daemon did not start: `{command}` exited at once. {LogTail()}"
                        + "Get-HpcScheduler -Scheduler Local -Detailed says what Local needs."
                );
        }
        throw new SchedulerUnavailableException(
            $"The Local scheduler's daemon did not start within {StartTimeout.TotalSeconds:0} s (socket {SocketPath}). {LogTail()}"
        );
    }

    private static readonly TimeSpan DeadAfter = TimeSpan.FromMilliseconds(600);

    /// <summary>Whether a daemon process for this state folder runs (starting up, or serving).</summary>
    private bool DaemonProcessExists()
    {
        var marker = System.Text.Encoding.UTF8.GetBytes($"\0daemon\0{stateRoot}\0");
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!Path.GetFileName(dir).All(char.IsAsciiDigit))
                continue;
            try
            {
                if (File.ReadAllBytes(Path.Combine(dir, "cmdline")).AsSpan().IndexOf(marker) >= 0)
                    return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return false;
    }

    /// <summary>The daemon's last words, when it wrote any (daemon.log in the state folder).</summary>
    private string LogTail()
    {
        try
        {
            var log = Path.Combine(stateRoot, "daemon.log");
            var last = File.Exists(log) ? File.ReadLines(log).LastOrDefault() : null;
            return last is null ? "" : $"Its log ({log}) ends: {last} ";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private Socket? TryConnect()
    {
        if (!File.Exists(SocketPath))
            return null;
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            DaemonSocket.Use(SocketPath, socket.Connect);
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }
}
