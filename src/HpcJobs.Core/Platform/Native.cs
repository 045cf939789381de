using System.Runtime.InteropServices;

namespace HpcJobs.Core.Platform;

/// <summary>
/// The libc calls HpcJobs needs and .NET does not offer: signals to process groups, exact wait status, flock, a rename
/// that refuses to replace, file status that does not follow links. .NET's Process reports a signal death as 128+signo,
/// which cannot be told apart from <c>exit 137</c>. File status and /proc are read in this class's other two files;
/// starting a Local job (posix_spawn) is the Local back end's own (<c>Local/JobSpawn.cs</c>).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static unsafe partial class Native
{
    public const int SIGHUP = 1,
        SIGINT = 2,
        SIGQUIT = 3,
        SIGKILL = 9,
        SIGPIPE = 13,
        SIGALRM = 14,
        SIGTERM = 15,
        SIGCHLD = 17,
        SIGCONT = 18,
        SIGSTOP = 19,
        SIGTSTP = 20,
        SIGTTIN = 21,
        SIGTTOU = 22,
        SIGXFSZ = 25;
    public const int O_RDONLY = 0,
        O_WRONLY = 1,
        O_RDWR = 2,
        O_CREAT = 0x40,
        O_TRUNC = 0x200,
        O_CLOEXEC = 0x80000;
    public const int O_NONBLOCK = 0x800,
        O_DIRECTORY = 0x10000;

    public const int O_NOFOLLOW = 0x20000;
    public const int ESRCH = 3;
    public const int LOCK_EX = 2,
        LOCK_NB = 4;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int sig);

    /// <summary>struct rusage on 64-bit Linux: two timevals, then 14 longs (ru_maxrss, in KiB, first).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Rusage
    {
        public long UserSeconds,
            UserMicroseconds,
            SystemSeconds,
            SystemMicroseconds,
            MaxRssKiB;
        public long Ixrss,
            Idrss,
            Isrss,
            Minflt,
            Majflt,
            Nswap,
            Inblock,
            Oublock,
            Msgsnd,
            Msgrcv,
            Nsignals,
            Nvcsw,
            Nivcsw;

        public readonly TimeSpan CpuTime =>
            TimeSpan.FromSeconds(UserSeconds + SystemSeconds)
            + TimeSpan.FromMicroseconds(UserMicroseconds + SystemMicroseconds);
    }

    /// <summary>waitpid that also returns what the child (and the descendants it waited for) used: CPU time, max RSS.</summary>
    [LibraryImport("libc", SetLastError = true)]
    public static partial int wait4(int pid, out int status, int options, out Rusage usage);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setsid();

    public const int AT_FDCWD = -100,
        RENAME_NOREPLACE = 1,
        EEXIST = 17;

    /// <summary>rename(2) that fails with EEXIST instead of replacing the target (Linux 3.15+).</summary>
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dup2(int oldfd, int newfd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, int mode);

    [LibraryImport("libc")]
    public static partial uint geteuid();

    [LibraryImport("libc")]
    public static partial uint umask(uint mask);

    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const uint STATX_BASIC_STATS = 0x7ff;
    public const int S_IFMT = 0xF000,
        S_IFDIR = 0x4000,
        S_IFREG = 0x8000,
        S_IFLNK = 0xA000,
        S_ISVTX = 0x200;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    public const int W_OK = 2,
        X_OK = 1;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int access(string path, int mode);
}
