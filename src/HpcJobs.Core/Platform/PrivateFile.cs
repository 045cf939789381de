using System.Runtime.InteropServices;

namespace HpcJobs.Core.Platform;

/// <summary>
/// Files only their owner can read (state records hold a job's whole environment), created so whatever the umask, and
/// written whole: a private temporary file renamed into place, so a reader never sees half of one and a full disk
/// leaves no temporary file behind.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class PrivateFile
{
    public const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A file opened for writing, created with <paramref name="mode"/> whatever more the umask would allow.</summary>
    public static FileStream Create(
        string path,
        FileMode fileMode = FileMode.Create,
        UnixFileMode mode = OwnerReadWrite
    ) =>
        new(
            path,
            new FileStreamOptions
            {
                Mode = fileMode,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            }
        );

    /// <summary>Writes <paramref name="path"/> whole, replacing what was there.</summary>
    public static void Replace(string path, Action<Stream> write) => Write(path, write, createNew: false);

    /// <summary>Writes <paramref name="path"/> whole if it does not exist yet; false (and nothing written) if it does.</summary>
    public static bool CreateNew(string path, Action<Stream> write) => Write(path, write, createNew: true);

    /// <summary>Text, UTF-8 without a byte-order mark.</summary>
    public static Action<Stream> Text(string content) =>
        stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(content);
        };

    private static bool Write(string path, Action<Stream> write, bool createNew)
    {
        // one temporary name per process and thread: two writers of one file never share a temporary file
        var temporary = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        try
        {
            using (var stream = Create(temporary))
                write(stream);
            if (!createNew)
            {
                File.Move(temporary, path, overwrite: true);
                return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw;
        }
        // one rename that refuses to replace (File.Move without overwrite costs a link and an unlink)
        if (Native.renameat2(Native.AT_FDCWD, temporary, Native.AT_FDCWD, path, Native.RENAME_NOREPLACE) == 0)
            return true;
        var error = Marshal.GetLastPInvokeError();
        TryDelete(temporary);
        if (error == Native.EEXIST)
            return false;
        throw new IOException($"Cannot create '{path}': {Marshal.GetPInvokeErrorMessage(error)}");
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
