using System.Runtime.InteropServices;
using HpcJobs.Core.Processes;
using static HpcJobs.Core.Platform.Native;

namespace HpcJobs.Core.Local;

/// <summary>
/// Starting a Local job: posix_spawn into a new session with the signal defaults a shell would give, its outputs opened
/// here first and refused when someone else could have planted them. Also how the daemon lets go of its starter's pipes
/// and reads a child's wait status.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static unsafe partial class JobSpawn
{
    /// <summary>
    /// Output files: created with 0666 minus the job's umask (as a shell's redirection), never blocking, truncated only
    /// once they are known to be ours (<see cref="OpenJobOutput"/>).
    /// </summary>
    private const int OutputFlags = O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC;
    public const short POSIX_SPAWN_SETSIGDEF = 0x04,
        POSIX_SPAWN_SETSIGMASK = 0x08,
        POSIX_SPAWN_SETSID = 0x80;

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
            _ = sigemptyset(defaults);
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
                _ = sigaddset(defaults, s);
            _ = sigemptyset(mask);
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
            _ = posix_spawn_file_actions_destroy(actions);
            _ = posix_spawnattr_destroy(attr);
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

    /// <summary>Decodes a wait(2) status into an exit code or a signal.</summary>
    public static (int? ExitCode, int? Signal) DecodeWaitStatus(int status) =>
        (status & 0x7f) == 0 ? ((status >> 8) & 0xff, null) : (null, status & 0x7f);

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
