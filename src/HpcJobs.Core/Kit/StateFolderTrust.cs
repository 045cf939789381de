using HpcJobs.Core.Model;
using HpcJobs.Core.Platform;

namespace HpcJobs.Core.Kit;

/// <summary>
/// Whether the Local store may be trusted, the way OpenSSH's StrictModes decides about ~/.ssh: the daemon runs every
/// pending record it finds, so a record another user could have written is a command run as you. Every folder on the
/// way to the state folder, and every symlink followed, must belong to you or to root; a folder others may write is
/// allowed on the way only with the sticky bit (/tmp); the state folder itself and each record must be yours and not
/// writable by group or others. Nothing is ever changed here: a folder that fails is refused, never repaired.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class StateFolderTrust
{
    private const int MaxSymlinks = 40;

    public static uint CurrentUser => Native.geteuid();

    /// <summary>Throws <see cref="HpcErrors.StateUntrusted"/> unless <paramref name="folder"/> (absolute) may be trusted.</summary>
    /// <remarks>
    /// With <paramref name="create"/>, a missing folder is created (private, 0700, with any missing parents) once the
    /// folders above it have passed: nothing is created under a folder that is refused.
    /// </remarks>
    public static void CheckFolder(string folder, bool create = false)
    {
        var me = CurrentUser;
        var resolved = Resolve(folder, me);
        if (create && Native.LStat(resolved) is null)
            Directory.CreateDirectory(
                resolved,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            );
        var status = Native.LStat(resolved) ?? throw Unusable(folder, $"'{resolved}' does not exist");
        if (!status.IsDirectory)
            throw Unusable(folder, $"'{resolved}' is a {status.TypeName}, not a folder");
        if (status.Uid != me)
            throw Refused(folder, $"'{resolved}' belongs to {UserName(status.Uid)}, not to you ({UserName(me)})");
        if (status.WritableByOthers)
            throw Refused(
                folder,
                $"'{resolved}' (mode {status.Permissions}) may be written by group or others, who could plant jobs in it"
            );
    }

    /// <summary>
    /// Throws <see cref="HpcErrors.StateUntrusted"/> unless the record at <paramref name="path"/> is a regular file of
    /// yours that group and others cannot write. A missing file passes (the caller treats it as no record).
    /// </summary>
    public static void CheckRecord(string path)
    {
        if (Native.LStat(path) is not { } status)
            return;
        var me = CurrentUser;
        if (status.IsSymlink)
            throw RefusedRecord(path, "it is a symbolic link");
        if (!status.IsRegularFile)
            throw RefusedRecord(path, "it is not a regular file");
        if (status.Uid != me)
            throw RefusedRecord(path, $"it belongs to {UserName(status.Uid)}, not to you ({UserName(me)})");
        if (status.WritableByOthers)
            throw RefusedRecord(path, $"its mode {status.Permissions} lets group or others write it");
    }

    /// <summary>
    /// The real path of <paramref name="folder"/>, checking on the way that every existing folder and symlink belongs to
    /// you or root and that no folder others may write (without the sticky bit) could swap an entry under us.
    /// </summary>
    private static string Resolve(string folder, uint me)
    {
        var pending = new Stack<string>(ComponentsLastFirst(folder));
        var current = "/";
        var links = 0;
        CheckAncestor(folder, current, me);
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".")
                continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }
            var next = Path.Combine(current, part);
            var status = Native.LStat(next);
            if (status is null)
                return Path.Combine([next, .. pending]); // not created yet: the caller creates it under a checked folder
            if (status.Value.IsSymlink)
            {
                if (status.Value.Uid != me && status.Value.Uid != 0)
                    throw Refused(
                        folder,
                        $"the symbolic link '{next}' belongs to {UserName(status.Value.Uid)}, who could point it anywhere"
                    );
                if (++links > MaxSymlinks)
                    throw Refused(folder, "too many symbolic links on the way");
                var target = new FileInfo(next).LinkTarget ?? "";
                foreach (var p in ComponentsLastFirst(target))
                    pending.Push(p);
                if (Path.IsPathRooted(target))
                    current = "/";
                continue;
            }
            current = next;
            if (pending.Count > 0)
                CheckAncestor(folder, current, me);
        }
        return current;
    }

    private static void CheckAncestor(string folder, string path, uint me)
    {
        if (Native.LStat(path) is not { } status)
            return;
        if (!status.IsDirectory)
            throw Unusable(folder, $"'{path}' on the way is a {status.TypeName}, not a folder");
        if (status.Uid != me && status.Uid != 0)
            throw Refused(folder, $"the folder '{path}' on the way belongs to {UserName(status.Uid)}");
        if (status.WritableByOthers && !status.Sticky)
            throw Refused(
                folder,
                $"the folder '{path}' on the way (mode {status.Permissions}) may be written by others without the sticky bit"
            );
    }

    /// <summary>The path's names from the last to the first (a stack pushed with them pops the first).</summary>
    private static IEnumerable<string> ComponentsLastFirst(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).AsEnumerable().Reverse();

    private static LocalStateException Refused(string folder, string why) =>
        new(
            HpcErrors.StateUntrusted,
            folder,
            $"The Local scheduler will not use the state folder '{folder}': {why}. Another user could make it run "
                + "commands as you. Use a folder of your own that only you can write (the default is "
                + "~/.local/share/hpcjobs/local), or set $env:HPCJOBS_STATE_DIR to one; HpcJobs never changes "
                + "a folder it did not create."
        );

    private static LocalStateException Unusable(string folder, string why) =>
        new(
            HpcErrors.StateUnusable,
            folder,
            $"The Local scheduler's state folder '{folder}' cannot be used: {why}. Point $env:HPCJOBS_STATE_DIR at a "
                + "folder you can write."
        );

    private static LocalStateException RefusedRecord(string path, string why) =>
        new(
            HpcErrors.StateUntrusted,
            path,
            $"The Local scheduler's record '{path}' is not trusted: {why}. It was not read or run; remove it if "
                + "you did not put it there."
        );

    /// <summary>A uid as "name (uid N)", from /etc/passwd when it is there.</summary>
    internal static string UserName(uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var fields = line.Split(':');
                if (fields.Length > 2 && fields[2] == uid.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    return $"{fields[0]} (uid {uid})";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return $"uid {uid}";
    }
}
