using System.Runtime.InteropServices;

namespace HpcJobs.Core.Local;

/// <summary>
/// The few libc calls the Local back end needs and .NET does not offer: sessions, process groups, exact wait status.
/// .NET's Process reports a signal death as 128+signo, which cannot be told apart from <c>exit 137</c>.
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

    /// <summary>
    /// Output files: created with 0666 minus the job's umask (as a shell's redirection), never blocking, truncated only
    /// once they are known to be ours (<see cref="OpenJobOutput"/>).
    /// </summary>
    private const int OutputFlags = O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC;
    public const int O_NOFOLLOW = 0x20000;
    private const int ELOOP = 40;
    public const short POSIX_SPAWN_SETSIGDEF = 0x04,
        POSIX_SPAWN_SETSIGMASK = 0x08,
        POSIX_SPAWN_SETSID = 0x80;
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

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ftruncate(int fd, long length);

    /// <summary>
    /// A folder where someone else could put a link or a file before the job opens its output: writable by group or
    /// others (a sticky 1777 /tmp as well), or owned by another user than this one and root. The kernel's
    /// protected_symlinks/protected_regular settings guard such folders only when they are on; this does not depend
    /// on them.
    /// </summary>
    public static bool OthersMayPlantIn(FileStatus folder) =>
        folder.WritableByOthers || (folder.Uid != geteuid() && folder.Uid != 0);

    /// <summary>
    /// Opens a job's output file for the job, refusing what someone else could have planted: in a folder others may
    /// write (<see cref="OthersMayPlantIn"/>), a symbolic link is never followed and a file that is not this user's is
    /// never written into. Anything but a regular file (a FIFO, a device) is refused everywhere. Returns the open fd,
    /// truncated, close-on-exec.
    /// </summary>
    public static int OpenJobOutput(string path)
    {
        if (path == "/dev/null")
            return open(path, O_WRONLY | O_CLOEXEC, 0);
        var folder = Path.GetDirectoryName(path);
        var shared = folder is not null && Status(folder, followLinks: true) is { } f && OthersMayPlantIn(f);
        // what is there now, named plainly; the checks on the open file below close the race with a later swap
        RefuseOutput(path, folder, shared, shared ? LStat(path) : Status(path, followLinks: true));
        var fd = open(path, OutputFlags | (shared ? O_NOFOLLOW : 0), 0x1B6);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (shared)
                RefuseOutput(path, folder, shared, LStat(path)); // a link planted in between (ELOOP, or EACCES)
            throw new IOException(
                OutputFailure(path, Marshal.GetPInvokeErrorMessage(errno))
                    ?? $"cannot open the output '{path}': {Marshal.GetPInvokeErrorMessage(errno)}"
            );
        }
        try
        {
            RefuseOutput(path, folder, shared, DescriptorStatus(fd));
            if (ftruncate(fd, 0) != 0)
                throw new IOException(
                    $"cannot empty the output '{path}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}"
                );
            return fd;
        }
        catch
        {
            close(fd);
            throw;
        }
    }

    private static void RefuseOutput(string path, string? folder, bool shared, FileStatus? existing)
    {
        if (existing is not { } status)
            return;
        if (status.IsSymlink)
            throw new IOException(
                $"the output '{path}' is a symbolic link in '{folder}', which other users can write: whoever made "
                    + "the link would choose which file the job overwrites, so it is not followed"
            );
        if (!status.IsRegularFile)
            throw new IOException($"the output '{path}' is a {status.TypeName}, not a regular file");
        if (shared && status.Uid != geteuid())
            throw new IOException(
                $"the output '{path}' belongs to user id {status.Uid}, in '{folder}', which other users can write: "
                    + "its owner could read what the job writes, so it is not written into"
            );
    }

    /// <summary>This process's umask, read without changing it (Linux 4.7+ shows it in /proc/self/status).</summary>
    public static int? CurrentUmask()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("Umask:", StringComparison.Ordinal))
                    return Convert.ToInt32(line["Umask:".Length..].Trim(), 8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }

    /// <summary>A process's peak resident memory (VmHWM of /proc/PID/status) in KiB; null when it is gone.</summary>
    public static long? PeakRssKiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(
                        line["VmHWM:".Length..].Trim().Split(' ')[0],
                        System.Globalization.CultureInfo.InvariantCulture
                    );
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }

    /// <summary>This boot's random id: a pid and a start time only name the same process within one boot.</summary>
    public static string? BootId() => CachedBootId.Value;

    private static readonly Lazy<string?> CachedBootId = new(() =>
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    });

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int posix_spawn_file_actions_addopen(
        void* actions,
        int fd,
        string path,
        int oflag,
        int mode
    );

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newfd);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int posix_spawn_file_actions_addchdir_np(void* actions, string path);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_init(void* attr);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [LibraryImport("libc")]
    private static partial int sigemptyset(void* set);

    [LibraryImport("libc")]
    private static partial int sigaddset(void* set, int signo);

    [LibraryImport("libc")]
    private static partial int posix_spawnp(
        out int pid,
        byte* file,
        void* actions,
        void* attr,
        byte** argv,
        byte** envp
    );

    /// <summary>
    /// Starts <paramref name="argv"/> as the leader of a new session (so its whole tree can be signalled as one process group),
    /// with stdout/stderr going to files, in <paramref name="workingDirectory"/>, with exactly <paramref name="environment"/>.
    /// Returns the pid or throws with the errno text.
    /// </summary>
    public static int SpawnJob(
        IReadOnlyList<string> argv,
        IReadOnlyDictionary<string, string> environment,
        string workingDirectory,
        string stdoutPath,
        string? stderrPath
    )
    {
        // the outputs are opened here, not by the spawned child: a FIFO or device would block this (vfork'd) spawn, and
        // what another user planted must be refused before the job writes a byte (OpenJobOutput)
        var outputFds = new List<int>();
        // glibc's opaque types are 80, 336 and 128 bytes on x86_64/arm64; room to spare
        var actions = NativeMemory.AllocZeroed(1024);
        var attr = NativeMemory.AllocZeroed(1024);
        var defaults = NativeMemory.AllocZeroed(256);
        var mask = NativeMemory.AllocZeroed(256);
        var strings = new List<IntPtr>();
        try
        {
            Check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            Check(posix_spawnattr_init(attr), "posix_spawnattr_init");
            Check(posix_spawn_file_actions_addchdir_np(actions, workingDirectory), "chdir");
            Check(posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0), "open stdin");
            outputFds.Add(OpenJobOutput(stdoutPath));
            Check(posix_spawn_file_actions_adddup2(actions, outputFds[0], 1), "dup2 stdout");
            if (stderrPath is null || stderrPath == stdoutPath)
                Check(posix_spawn_file_actions_adddup2(actions, 1, 2), "dup2 stderr");
            else
            {
                outputFds.Add(OpenJobOutput(stderrPath));
                Check(posix_spawn_file_actions_adddup2(actions, outputFds[1], 2), "dup2 stderr");
            }
            // the .NET runtime ignores SIGPIPE and blocks some signals; a job must start with the defaults a shell would give it
            sigemptyset(defaults);
            foreach (
                var s in new[]
                {
                    SIGHUP,
                    SIGINT,
                    SIGQUIT,
                    SIGPIPE,
                    SIGALRM,
                    SIGTERM,
                    SIGCHLD,
                    SIGCONT,
                    SIGTSTP,
                    SIGTTIN,
                    SIGTTOU,
                    SIGXFSZ,
                }
            )
                sigaddset(defaults, s);
            sigemptyset(mask);
            Check(posix_spawnattr_setsigdefault(attr, defaults), "setsigdefault");
            Check(posix_spawnattr_setsigmask(attr, mask), "setsigmask");
            Check(
                posix_spawnattr_setflags(
                    attr,
                    (short)(POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
                ),
                "setflags"
            );

            byte* Utf8(string s)
            {
                var p = (byte*)Marshal.StringToCoTaskMemUTF8(s);
                strings.Add((IntPtr)p);
                return p;
            }
            var argvPtr = (byte**)NativeMemory.AllocZeroed((nuint)((argv.Count + 1) * sizeof(byte*)));
            strings.Add((IntPtr)argvPtr);
            for (var i = 0; i < argv.Count; i++)
                argvPtr[i] = Utf8(argv[i]);
            var envList = environment.ToList();
            var envPtr = (byte**)NativeMemory.AllocZeroed((nuint)((envList.Count + 1) * sizeof(byte*)));
            strings.Add((IntPtr)envPtr);
            for (var i = 0; i < envList.Count; i++)
                envPtr[i] = Utf8($"{envList[i].Key}={envList[i].Value}");

            // posix_spawnp searches PATH of *this* process; resolve against the job's PATH instead
            var program =
                Processes.ProgramLocator.Find(
                    argv[0],
                    environment.TryGetValue("PATH", out var path) ? path : "/usr/local/bin:/usr/bin:/bin"
                ) ?? argv[0];
            var rc = posix_spawnp(out var pid, Utf8(program), actions, attr, argvPtr, envPtr);
            if (rc != 0)
                throw new IOException(SpawnFailure(argv[0], program, workingDirectory, stdoutPath, stderrPath, rc));
            return pid;
        }
        finally
        {
            foreach (var fd in outputFds)
                close(fd);
            posix_spawn_file_actions_destroy(actions);
            posix_spawnattr_destroy(attr);
            foreach (var p in strings)
            {
                if (p == (IntPtr)0)
                    continue;
                Marshal.FreeCoTaskMem(p);
            }
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
            NativeMemory.Free(defaults);
            NativeMemory.Free(mask);
        }
    }

    /// <summary>
    /// What made a spawn fail. posix_spawn reports one errno for its whole set of steps (chdir, the output opens, the
    /// exec), so the steps are checked one by one to name the one that failed rather than blame the program.
    /// </summary>
    private static string SpawnFailure(
        string given,
        string program,
        string workingDirectory,
        string stdoutPath,
        string? stderrPath,
        int errno
    )
    {
        var error = Marshal.GetPInvokeErrorMessage(errno);
        if (!Directory.Exists(workingDirectory))
            return $"the working directory '{workingDirectory}' does not exist any more ({error})";
        foreach (var output in new[] { stdoutPath, stderrPath })
            if (output is not null && OutputFailure(Path.GetFullPath(output, workingDirectory), error) is { } failure)
                return failure;
        if (access(workingDirectory, X_OK) != 0)
            return $"the working directory '{workingDirectory}' cannot be entered ({error})";
        return program == given || !Path.IsPathRooted(program)
            ? $"cannot start '{given}': {error}"
            : $"cannot start '{given}' ({program}): {error}";
    }

    /// <summary>Why an output file cannot be opened, when its folder or the file itself says so; else null.</summary>
    private static string? OutputFailure(string output, string error)
    {
        if (output == "/dev/null")
            return null;
        var folder = Path.GetDirectoryName(output);
        if (folder is not null && !Directory.Exists(folder))
            return $"the output folder '{folder}' does not exist ({error})";
        if (folder is not null && access(folder, W_OK) != 0 && !File.Exists(output))
            return $"the output folder '{folder}' is not writable ({error})";
        if (File.Exists(output) && access(output, W_OK) != 0)
            return $"the output file '{output}' is not writable ({error})";
        return null;
    }

    private const int W_OK = 2,
        X_OK = 1;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int access(string path, int mode);

    /// <summary>Decodes a wait(2) status into an exit code or a signal.</summary>
    public static (int? ExitCode, int? Signal) DecodeWaitStatus(int status) =>
        (status & 0x7f) == 0 ? ((status >> 8) & 0xff, null) : (null, status & 0x7f);

    /// <summary>Alive and not a zombie: a killed orphan stays a zombie where PID 1 does not reap (containers).</summary>
    /// <summary>Some process has process group <paramref name="pgid"/> (kill with signal 0 says so without sending anything).</summary>
    public static bool ProcessGroupExists(int pgid) => kill(-pgid, 0) == 0 || Marshal.GetLastPInvokeError() != ESRCH;

    public static bool ProcessAlive(int pid) => kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != ESRCH;

    public static bool ProcessRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The kernel's start time of a process (clock ticks since boot), to tell a live pid from a reused one.</summary>
    public static long? ProcessStartTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(afterName[19], System.Globalization.CultureInfo.InvariantCulture); // field 22 overall
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
            throw new IOException($"{what} failed: {Marshal.GetPInvokeErrorMessage(rc)}");
    }

    /// <summary>
    /// Points stdin/stdout/stderr at /dev/null so that a detached process holds no pipe of the process that started it.
    /// The runtime keeps dups of the three (CoreCLR's PAL does), so every fd that names the same pipe or file is redirected too.
    /// </summary>
    public static void DetachStandardStreams()
    {
        var targets = new HashSet<string>();
        for (var fd = 0; fd <= 2; fd++)
            if (FdTarget(fd) is { } t && t != "/dev/null")
                targets.Add(t);
        var devNull = open("/dev/null", O_RDWR, 0);
        if (devNull < 0)
            return;
        var fds = new List<int> { 0, 1, 2 };
        try
        {
            foreach (var entry in Directory.GetFiles("/proc/self/fd"))
                if (
                    int.TryParse(Path.GetFileName(entry), out var fd)
                    && fd > 2
                    && fd != devNull
                    && FdTarget(fd) is { } t
                    && targets.Contains(t)
                )
                    fds.Add(fd);
        }
        catch (IOException)
        { /* no /proc: the three standard fds are the best we can do */
        }
        foreach (var fd in fds)
            dup2(devNull, fd);
        close(devNull);
    }

    private static string? FdTarget(int fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
