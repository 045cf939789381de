using System.Runtime.InteropServices;

namespace HpcJobs.Core.Platform;

/// <summary>
/// An exclusive flock on a lock file, held until disposed. It excludes other processes and other opens in this one,
/// and the kernel drops it when its holder dies, so a killed process never leaves a lock behind. The file is opened
/// natively: a FileStream would take flocks of its own to emulate FileShare and fight this one.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class FileLock : IDisposable
{
    private const int ENOENT = 2;
    private int _fd;

    private FileLock(int fd) => _fd = fd;

    /// <summary>
    /// Opens <paramref name="path"/> (created 0600), not yet locked. A missing folder is a
    /// <see cref="DirectoryNotFoundException"/>, anything else an <see cref="IOException"/> with the system's words.
    /// </summary>
    /// <param name="path">The lock file.</param>
    /// <param name="followLinks">False in a folder whose files must be this user's own: a symbolic link is refused.</param>
    public static FileLock Open(string path, bool followLinks = true)
    {
        var fd = Native.open(
            path,
            Native.O_RDWR | Native.O_CREAT | Native.O_CLOEXEC | (followLinks ? 0 : Native.O_NOFOLLOW),
            0x180
        );
        if (fd >= 0)
            return new FileLock(fd);
        var error = Marshal.GetLastPInvokeError();
        var message = $"cannot open the lock file '{path}': {Marshal.GetPInvokeErrorMessage(error)}";
        throw error == ENOENT ? new DirectoryNotFoundException(message) : new IOException(message);
    }

    /// <summary>Takes the lock if it is free now.</summary>
    public bool TryTake() => _fd >= 0 && Native.flock(_fd, Native.LOCK_EX | Native.LOCK_NB) == 0;

    /// <summary>
    /// Takes the lock, waiting up to <paramref name="wait"/>. For locks held well under a millisecond at a time: it spins
    /// briefly before sleeping, or every waiter would pay a whole sleep.
    /// </summary>
    public bool Take(TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        for (var spins = 0; !TryTake(); spins++)
        {
            if (DateTime.UtcNow > deadline)
                return false;
            if (spins < 200)
                Thread.Yield();
            else
                Thread.Sleep(1);
        }
        return true;
    }

    /// <summary>
    /// Takes the lock, looking every <paramref name="every"/> for up to <paramref name="wait"/>, without blocking a
    /// thread.
    /// </summary>
    public async Task<bool> TakeAsync(TimeSpan wait, TimeSpan every, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + wait;
        while (!TryTake())
        {
            if (DateTimeOffset.UtcNow > deadline)
                return false;
            await Task.Delay(every, ct).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>Closes the file, which drops the lock.</summary>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
            Native.close(fd);
    }
}
