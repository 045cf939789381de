using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Local;

/// <summary>
/// The Local back end's state directory: one JSON file per unit, one per array, a marker per active unit, a cancel marker per
/// cancel request, and one lock file. Files are replaced by rename, so readers never see half a record; writers hold the lock.
/// Layout: <c>next-id</c>, <c>lock</c>, <c>units/ID.json</c>, <c>arrays/ID.json</c>, <c>active/ID</c>, <c>cancel/ID</c>, <c>scripts/ID</c>.
/// </summary>
internal sealed class LocalStateStore
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public LocalStateStore(string root)
    {
        Root = Path.GetFullPath(root);
        foreach (var dir in new[] { Root, UnitsDir, ArraysDir, ActiveDir, CancelDir, ScriptsDir })
            Directory.CreateDirectory(dir);
        try { File.SetUnixFileMode(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* not ours to change: fine */ }
    }

    public string Root { get; }
    private string UnitsDir => Path.Combine(Root, "units");
    private string ArraysDir => Path.Combine(Root, "arrays");
    private string ActiveDir => Path.Combine(Root, "active");
    private string CancelDir => Path.Combine(Root, "cancel");
    public string ScriptsDir => Path.Combine(Root, "scripts");

    /// <summary>The default state directory: $HPCJOBS_STATE_DIR, else $XDG_DATA_HOME/hpcjobs/local, else ~/.local/share/hpcjobs/local.</summary>
    public static string DefaultRoot()
    {
        var explicitDir = System.Environment.GetEnvironmentVariable("HPCJOBS_STATE_DIR");
        if (!string.IsNullOrEmpty(explicitDir)) return explicitDir;
        var xdg = System.Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(xdg)) xdg = Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(xdg, "hpcjobs", "local");
    }

    /// <summary>Holds the state lock (an exclusive flock, so it also excludes other processes) until disposed.</summary>
    public IDisposable Lock(TimeSpan? timeout = null)
    {
        // opened natively: a FileStream would take flocks of its own to emulate FileShare and fight ours
        var fd = Native.open(Path.Combine(Root, "lock"), Native.O_RDWR | Native.O_CREAT | Native.O_CLOEXEC, 0x180);
        if (fd < 0) throw new IOException($"Cannot open the Local scheduler's lock file in {Root}: {Marshal.GetLastPInvokeErrorMessage()}");
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (Native.flock(fd, Native.LOCK_EX | Native.LOCK_NB) != 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                Native.close(fd);
                throw new TimeoutException($"The Local scheduler's state lock in {Root} was held for too long.");
            }
            Thread.Sleep(2);
        }
        return new Releaser(fd);
    }

    private sealed class Releaser(int fd) : IDisposable
    {
        private int _fd = fd;
        public void Dispose()
        {
            var fd = Interlocked.Exchange(ref _fd, -1);
            if (fd >= 0) Native.close(fd); // closing the only fd releases the flock
        }
    }

    public long AllocateIds(int count)
    {
        var path = Path.Combine(Root, "next-id");
        long next = File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture, out var n) ? n : 1;
        WriteAtomic(path, (next + count).ToString(CultureInfo.InvariantCulture));
        return next;
    }

    public LocalJobRecord? LoadUnit(string id) => Load<LocalJobRecord>(UnitPath(id));
    public LocalArrayRecord? LoadArray(string id) => Load<LocalArrayRecord>(Path.Combine(ArraysDir, Safe(id) + ".json"));

    public void SaveUnit(LocalJobRecord unit)
    {
        WriteAtomic(UnitPath(unit.Id), JsonSerializer.Serialize(unit, Json));
        var marker = Path.Combine(ActiveDir, Safe(unit.Id));
        if (unit.IsFinished) { File.Delete(marker); File.Delete(Path.Combine(CancelDir, Safe(unit.Id))); }
        else if (!File.Exists(marker)) File.WriteAllText(marker, "");
    }

    public void SaveArray(LocalArrayRecord array) => WriteAtomic(Path.Combine(ArraysDir, Safe(array.Id) + ".json"), JsonSerializer.Serialize(array, Json));

    /// <summary>Units that are pending or running, in submission order.</summary>
    public List<LocalJobRecord> LoadActiveUnits() =>
        Directory.EnumerateFiles(ActiveDir).Select(Path.GetFileName).Select(id => LoadUnit(id!)).OfType<LocalJobRecord>()
            .OrderBy(u => u.SubmitTime).ThenBy(u => IdOrder(u.Id)).ToList();

    public void RequestCancel(string id) => File.WriteAllText(Path.Combine(CancelDir, Safe(id)), "");
    public bool IsCancelRequested(string id) => File.Exists(Path.Combine(CancelDir, Safe(id)));

    private string UnitPath(string id) => Path.Combine(UnitsDir, Safe(id) + ".json");

    private static (long, long) IdOrder(string id)
    {
        var parts = id.Split('_');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length > 1 ? long.Parse(parts[1], CultureInfo.InvariantCulture) : -1);
    }

    /// <summary>Local ids are digits with an optional <c>_N</c>; anything else cannot name a file here.</summary>
    public static bool IsValidId(string id) =>
        id.Length is > 0 and < 40 && id.Split('_') is var p && p.Length <= 2 && p.All(s => s.Length > 0 && s.All(char.IsAsciiDigit));

    private static string Safe(string id) => IsValidId(id) ? id : throw new ArgumentException($"'{id}' is not a Local job id.");

    private static T? Load<T>(string path) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    private static void WriteAtomic(string path, string content)
    {
        var tmp = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        File.WriteAllText(tmp, content);
        File.Move(tmp, path, overwrite: true);
    }
}
