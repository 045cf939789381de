using HpcJobs.Core.Platform;

namespace HpcJobs.Core.Local;

/// <summary>
/// The daemon's own log (<c>daemon.log</c> in the state folder, private): what went wrong in the daemon, which has no
/// terminal. Kept to about a megabyte (the older half is dropped); a log that cannot be written is not an error.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class DaemonLog(string path)
{
    private const long MaxBytes = 1 << 20;
    private readonly object _gate = new();

    public string Path { get; } = path;

    public void Write(string message)
    {
        lock (_gate)
        {
            try
            {
                if (File.Exists(Path) && new FileInfo(Path).Length > MaxBytes)
                    File.Move(Path, Path + ".1", overwrite: true);
                using var stream = PrivateFile.Create(Path, FileMode.Append);
                using var writer = new StreamWriter(stream);
                writer.WriteLine($"{DateTimeOffset.Now:O} [{Environment.ProcessId}] {message}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
