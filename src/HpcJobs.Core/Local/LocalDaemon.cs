using System.Globalization;
using System.Net.Sockets;
using System.Text;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Platform;

namespace HpcJobs.Core.Local;

/// <summary>
/// The Local scheduler's per-user daemon (like slurmd or pueue's daemon): <c>HpcJobs.LocalAgent daemon STATE_DIR</c>,
/// started on demand by the first client that needs it, one per state folder (an exclusive lock), gone after an idle
/// minute. This class serves the socket; the jobs themselves are <see cref="JobSupervisor"/>'s. Clients read status from
/// the store without the daemon.
/// <para>
/// Clients talk over <c>daemon.sock</c> in the state folder, one line per connection, <c>VERB [slots=N] ID…</c>
/// (<see cref="LocalDaemonProtocol"/>): <c>submitted ID…</c> (new records to schedule), <c>cancel ID…</c>,
/// <c>hold ID…</c>, <c>release ID…</c>, <c>requeue ID…</c>, <c>change changes=TOKEN ID…</c>, <c>schedule</c>, and
/// <c>wait ID…</c> (answered when one of
/// them ends); the answer is <c>ok</c> or <c>error WHY</c>. Only the daemon's own user is served (SO_PEERCRED). If the
/// daemon is killed, the jobs it ran lose their supervisor: the next client (or daemon) ends them and reports them
/// Failed with NativeState NODE_FAIL, as a batch system does after a node failure; pending jobs run under the next
/// daemon.
/// </para>
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LocalDaemon
{
    /// <summary>Grace between SIGTERM and SIGKILL, as SLURM's KillWait.</summary>
    public static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    public const string SocketName = "daemon.sock";

    private readonly LocalStateStore _store;
    private readonly JobSupervisor _jobs;
    private DateTimeOffset _lastRequest = DateTimeOffset.Now;

    private LocalDaemon(LocalStateStore store)
    {
        _store = store;
        _jobs = new JobSupervisor(store, new DaemonLog(Path.Combine(store.Root, "daemon.log")));
    }

    public static string SocketPath(string stateRoot) => Path.Combine(stateRoot, SocketName);

    /// <summary>Runs the daemon until it has been idle for <see cref="LocalSettings.DaemonIdle"/>. Returns 0.</summary>
    public static int Run(string stateRoot)
    {
        JobSpawn.DetachStandardStreams();
        Native.setsid();
        _ = Native.umask(0x3F); // 077: what the daemon itself creates is private; each job gets its submitter's umask
        var store = new LocalStateStore(stateRoot);
        FileLock daemonLock;
        try
        {
            daemonLock = FileLock.Open(Path.Combine(store.Root, "daemon.lock"));
        }
        catch (IOException)
        {
            return 0;
        }
        using var held = daemonLock; // for as long as this daemon serves
        if (!daemonLock.TryTake())
            return 0; // another daemon serves this state folder
        var daemon = new LocalDaemon(store);
        try
        {
            daemon.Serve(LocalSettings.DaemonIdle(orDefault: true));
        }
        catch (Exception e)
        {
            daemon._jobs.Log.Write($"start failed or the daemon stopped: {e.Message}");
            return 1;
        }
        return 0;
    }

    private void Serve(TimeSpan idle)
    {
        var path = SocketPath(_store.Root);
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        DaemonSocket.Use(path, listener.Bind);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(512);
        _jobs.Begin();
        var nextPurge = DateTimeOffset.Now;
        var folder = Native.LStat(_store.Root);
        var nextHousekeeping = DateTimeOffset.Now;
        while (true)
        {
            if (listener.Poll(1_000_000, SelectMode.SelectRead))
            {
                var client = listener.Accept();
                _lastRequest = DateTimeOffset.Now;
                // short requests on the thread pool; a wait, which may block for long, moves to a thread of its own
                ThreadPool.UnsafeQueueUserWorkItem(_ => Handle(client), null);
            }
            // once a second however busy the socket is: records that could not be written are tried again
            if (DateTimeOffset.Now < nextHousekeeping)
                continue;
            nextHousekeeping = DateTimeOffset.Now.AddSeconds(1);
            if (DateTimeOffset.Now >= nextPurge)
            {
                _jobs.Guarded("retention purge", _jobs.Purge);
                nextPurge = DateTimeOffset.Now.AddHours(1);
            }
            lock (_jobs.Gate)
            {
                _jobs.Housekeep();
                if (FolderGone(folder) && _jobs.LetGoOfTheStore())
                    return;
                var lastActivity = _lastRequest > _jobs.LastEnd ? _lastRequest : _jobs.LastEnd;
                if (_jobs.Done && DateTimeOffset.Now - lastActivity > idle)
                {
                    File.Delete(path);
                    return;
                }
            }
        }
    }

    private bool FolderGone(Native.FileStatus? atStart) =>
        Native.LStat(_store.Root) is not { } now
        || atStart is not { } was
        || now.Inode != was.Inode
        || now.Device != was.Device;

    private void Handle(Socket client)
    {
        var stream = new NetworkStream(client, ownsSocket: true);
        var reader = new StreamReader(stream, Encoding.UTF8);
        var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        var handedOver = false;
        try
        {
            if (PeerUid(client) is { } uid && uid != StateFolderTrust.CurrentUser)
            {
                writer.WriteLine(
                    $"{LocalDaemonProtocol.Error} this daemon serves uid {StateFolderTrust.CurrentUser} only"
                );
                return;
            }
            var line = reader.ReadLine();
            if (line is null)
                return;
            var (verb, slots, ids, changes) = LocalDaemonProtocol.Parse(line);
            if (slots is { } n)
                _jobs.Slots = n;
            switch (verb)
            {
                case LocalDaemonProtocol.Submitted:
                    lock (_jobs.Gate)
                        _jobs.Submitted(ids);
                    break;
                case LocalDaemonProtocol.Schedule:
                    lock (_jobs.Gate)
                        _jobs.Schedule();
                    break;
                case LocalDaemonProtocol.Cancel:
                    lock (_jobs.Gate)
                        _jobs.Cancel(ids);
                    break;
                case LocalDaemonProtocol.Change when changes is not null:
                    var changed = _store.TakeChanges(changes);
                    if (changed is not null)
                        lock (_jobs.Gate)
                            _jobs.Change(ids, changed);
                    break;
                case LocalDaemonProtocol.Hold or LocalDaemonProtocol.Release or LocalDaemonProtocol.Requeue:
                    lock (_jobs.Gate)
                        _jobs.Control(verb, ids);
                    break;
                case LocalDaemonProtocol.Wait:
                    var waiter = new Thread(() =>
                    {
                        try
                        {
                            _jobs.WaitForAnyEnd(ids);
                            writer.WriteLine(LocalDaemonProtocol.Ok);
                        }
                        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
                        finally
                        {
                            writer.Dispose();
                            stream.Dispose();
                        }
                    })
                    {
                        IsBackground = true,
                    };
                    handedOver = true;
                    waiter.Start();
                    return;
                default:
                    writer.WriteLine($"{LocalDaemonProtocol.Error} unknown request '{line}'");
                    return;
            }
            writer.WriteLine(LocalDaemonProtocol.Ok);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // the client went away (a wait it stopped): that request alone ends
        }
        catch (Exception e)
        {
            // a record that cannot be read or written, or a bug: that request fails, the daemon carries on
            _jobs.Log.Write($"request failed: {e}");
            try
            {
                writer.WriteLine($"{LocalDaemonProtocol.Error} {e.Message.ReplaceLineEndings(" ")}");
            }
            catch (Exception) { }
        }
        finally
        {
            _lastRequest = DateTimeOffset.Now;
            if (!handedOver)
            {
                writer.Dispose();
                stream.Dispose();
            }
        }
    }

    /// <summary>The uid of the process at the other end of a Unix socket (SO_PEERCRED: struct ucred {pid, uid, gid}).</summary>
    private static uint? PeerUid(Socket socket)
    {
        var credentials = new byte[12];
        try
        {
            return socket.GetRawSocketOption(1, 17, credentials) == 12 ? BitConverter.ToUInt32(credentials, 4) : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
