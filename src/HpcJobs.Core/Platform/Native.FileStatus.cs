using System.Runtime.InteropServices;

namespace HpcJobs.Core.Platform;

/// <summary>File status read with statx (one layout on every architecture), and which folders others could plant in.</summary>
internal static unsafe partial class Native
{
    /// <summary>Owner, mode and type of a path as lstat sees it (a symlink is not followed); null when it does not exist.</summary>
    public readonly record struct FileStatus(uint Uid, int Mode, ulong Inode = 0, ulong Device = 0, long Size = 0)
    {
        public int Type => Mode & S_IFMT;
        public bool IsDirectory => Type == S_IFDIR;
        public bool IsRegularFile => Type == S_IFREG;
        public bool IsSymlink => Type == S_IFLNK;

        public string TypeName =>
            Type switch
            {
                S_IFDIR => "folder",
                S_IFREG => "regular file",
                S_IFLNK => "symbolic link",
                0x1000 => "FIFO",
                0x2000 => "character device",
                0x6000 => "block device",
                0xC000 => "socket",
                _ => "unknown",
            };

        /// <summary>Writable by group or others.</summary>
        public bool WritableByOthers => (Mode & 0x12) != 0;
        public bool Sticky => (Mode & S_ISVTX) != 0;

        public string Permissions => Convert.ToString(Mode & 0xFFF, 8).PadLeft(4, '0');
    }

    public static FileStatus? LStat(string path) => Status(path, followLinks: false);

    /// <summary>struct statx has one layout on every architecture (unlike struct stat): uid at 20, mode at 28.</summary>
    public static FileStatus? Status(string path, bool followLinks)
    {
        var buffer = stackalloc byte[256];
        if (statx(AT_FDCWD, path, followLinks ? 0 : AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            if (error is 2 or 20) // ENOENT, ENOTDIR
                return null;
            throw new IOException($"cannot examine '{path}': {Marshal.GetPInvokeErrorMessage(error)}");
        }
        return new FileStatus(
            *(uint*)(buffer + 20),
            *(ushort*)(buffer + 28),
            *(ulong*)(buffer + 32),
            ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140),
            *(long*)(buffer + 40)
        );
    }

    /// <summary>The status of an open file (fstat).</summary>
    public static FileStatus DescriptorStatus(int fd)
    {
        var buffer = stackalloc byte[256];
        if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, buffer) != 0)
            throw new IOException(
                $"cannot examine an open file: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}"
            );
        return new FileStatus(*(uint*)(buffer + 20), *(ushort*)(buffer + 28), *(ulong*)(buffer + 32));
    }

    private const int AT_EMPTY_PATH = 0x1000;

    /// <summary>
    /// A folder where someone else could put a link or a file before the job opens its output: writable by group or
    /// others (a sticky 1777 /tmp as well), or owned by another user than this one and root. The kernel's
    /// protected_symlinks/protected_regular settings guard such folders only when they are on; this does not depend
    /// on them.
    /// </summary>
    public static bool OthersMayPlantIn(FileStatus folder) =>
        folder.WritableByOthers || (folder.Uid != geteuid() && folder.Uid != 0);
}
