using System.Runtime.InteropServices;

namespace HpcJobs.Core.Platform;

/// <summary>What /proc and kill(2) say about processes: this umask, peak memory, alive or a zombie, start time, the boot.</summary>
internal static partial class Native
{
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
}
