using System.Net.Sockets;
using System.Text;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Local;

/// <summary>Talks to the state folder's <see cref="LocalDaemon"/>, starting it when no daemon answers.</summary>
internal sealed class LocalDaemonClient(string stateRoot, LocalAgentLauncher launcher)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private string SocketPath => LocalDaemon.SocketPath(stateRoot);

    /// <summary>
    /// Sends one request and returns when the daemon has carried it out (or <paramref name="timeout"/> passed: false). A
    /// daemon that dies mid-request is replaced and asked again: every request is idempotent (a new daemon reads every
    /// pending job from the store anyway).
    /// </summary>
    public async Task<bool> SendAsync(string request, TimeSpan? timeout, CancellationToken ct)
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

    private async Task<bool> SendOnceAsync(string request, TimeSpan? timeout, CancellationToken ct)
    {
        using var socket = await ConnectAsync(ct).ConfigureAwait(false);
        var bytes = Encoding.UTF8.GetBytes(request + "\n");
        await socket.SendAsync(bytes, SocketFlags.None, ct).ConfigureAwait(false);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t)
            limit.CancelAfter(t);
        var buffer = new byte[256];
        try
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token).ConfigureAwait(false);
            return n > 0 && Encoding.UTF8.GetString(buffer, 0, n).StartsWith("ok", StringComparison.Ordinal);
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
        await launcher.LaunchDaemonAsync(stateRoot, ct).ConfigureAwait(false);
        var deadline = DateTimeOffset.Now + StartTimeout;
        while (DateTimeOffset.Now < deadline)
        {
            await Task.Delay(20, ct).ConfigureAwait(false);
            if (TryConnect() is { } socket)
                return socket;
        }
        throw new SchedulerUnavailableException(
            $"The Local scheduler's daemon did not start within {StartTimeout.TotalSeconds:0} s (socket {SocketPath})."
        );
    }

    private Socket? TryConnect()
    {
        if (!File.Exists(SocketPath))
            return null;
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }
}
