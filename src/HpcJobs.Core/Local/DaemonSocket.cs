using System.Net.Sockets;
using System.Text;
using HpcJobs.Core.Platform;

namespace HpcJobs.Core.Local;

/// <summary>
/// The address of a state folder's <c>daemon.sock</c>. A Unix socket's path may hold at most 107 bytes (sun_path), and
/// state folders in deep home or project folders are longer: then the socket is reached through an open descriptor of
/// the folder, <c>/proc/self/fd/N/daemon.sock</c>, which is short whatever the folder's path, and keeps the socket in the
/// private folder rather than somewhere shared.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class DaemonSocket
{
    private const int MaxPathBytes = 100;

    /// <summary>Runs <paramref name="use"/> (a bind or a connect) on the socket's address.</summary>
    public static void Use(string socketPath, Action<UnixDomainSocketEndPoint> use)
    {
        if (Encoding.UTF8.GetByteCount(socketPath) <= MaxPathBytes)
        {
            use(new UnixDomainSocketEndPoint(socketPath));
            return;
        }
        var folder = Path.GetDirectoryName(socketPath)!;
        var fd = Native.open(folder, Native.O_RDONLY | Native.O_DIRECTORY | Native.O_CLOEXEC, 0);
        if (fd < 0)
            throw new SocketException((int)SocketError.AddressNotAvailable);
        try
        {
            use(new UnixDomainSocketEndPoint($"/proc/self/fd/{fd}/{Path.GetFileName(socketPath)}"));
        }
        finally
        {
            Native.close(fd);
        }
    }
}
