using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Platform;

namespace HpcJobs.Core.Local;

// Over 400 lines: the store's whole on-disk format is here (layout, lock, records, arrays, scripts, retention, trust
// checks), so that one file says what is on disk.

/// <summary>
/// The Local back end's state directory: one JSON file per unit, one per array, a marker per active unit, and one lock
/// file. Files are replaced by rename, so readers never see half a record; writers hold the lock.
/// Layout: <c>next-id</c>, <c>lock</c>, <c>units/ID.json</c>, <c>arrays/ID.json</c>, <c>active/ID</c>, <c>scripts/ID</c>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class LocalStateStore
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Opens (creating, private to you, what is missing) the store at <paramref name="root"/>, refusing a folder another
    /// user could write to (<see cref="StateFolderTrust"/>). An existing folder is never changed.
    /// </summary>
    public LocalStateStore(string root)
    {
        Root = Path.GetFullPath(root);
        EnsureLayout();
    }

    /// <summary>Checks the store can be trusted and creates what is missing of it (also after the folder was deleted).</summary>
    private void EnsureLayout()
    {
        try
        {
            StateFolderTrust.CheckFolder(Root, create: true);
            foreach (var dir in new[] { UnitsDir, ArraysDir, ActiveDir, ScriptsDir, ChangesDir })
                StateFolderTrust.CheckFolder(dir, create: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unusable(e);
        }
    }

    /// <summary>
    /// Runs a store write; when the state folder (or one of its folders) was removed under us, lays it out again and
    /// tries once more. Any other failure (a full disk, a read-only mount) is <see cref="HpcErrors.StateUnusable"/>.
    /// </summary>
    private T Write<T>(Func<T> write)
    {
        try
        {
            return write();
        }
        catch (DirectoryNotFoundException)
        {
            EnsureLayout();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unusable(e);
        }
        try
        {
            return write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unusable(e);
        }
    }

    private LocalStateException Unusable(Exception e) =>
        new(
            HpcErrors.StateUnusable,
            Root,
            $"The Local scheduler's state folder '{Root}' cannot be used: {e.Message}. "
                + (
                    IsDiskFull(e)
                        ? "The disk (or your quota) holding it is full: free some space (nothing was submitted), or "
                            + "point $env:HPCJOBS_STATE_DIR at a folder on another disk."
                        : "Fix its permissions, or point $env:HPCJOBS_STATE_DIR at a folder you can write."
                ),
            e
        );

    /// <summary>ENOSPC or EDQUOT (.NET keeps the errno in the HResult's low bits on Unix, as 0x8007xxxx or itself).</summary>
    private static bool IsDiskFull(Exception e)
    {
        const int ENOSPC = 28;
        const int EDQUOT = 122;
        var code = e.HResult & 0xFFFF;
        return e is IOException
            && (
                code is ENOSPC or EDQUOT
                || e.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
                || e.Message.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase)
            );
    }

    private static LocalStateException Corrupt(string path, string problem, Exception? e = null) =>
        new(
            HpcErrors.StateCorrupt,
            path,
            $"The Local scheduler's record '{path}' cannot be read ({problem}). "
                + "Move it aside to forget that job; other jobs are not affected.",
            e
        );

    public string Root { get; }
    private string UnitsDir => Path.Combine(Root, "units");
    private string ArraysDir => Path.Combine(Root, "arrays");
    private string ActiveDir => Path.Combine(Root, "active");
    public string ScriptsDir => Path.Combine(Root, "scripts");
    private string ChangesDir => Path.Combine(Root, "changes");

    /// <summary>
    /// The default state directory: $HPCJOBS_STATE_DIR, else $XDG_DATA_HOME/hpcjobs/local, else
    /// ~/.local/share/hpcjobs/local.
    /// </summary>
    public static string DefaultRoot()
    {
        var explicitDir = System.Environment.GetEnvironmentVariable("HPCJOBS_STATE_DIR");
        if (!string.IsNullOrEmpty(explicitDir))
            return Resolve(explicitDir);
        var xdg = System.Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(xdg))
            xdg = Path.Combine(
                System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile),
                ".local",
                "share"
            );
        return Path.Combine(xdg, "hpcjobs", "local");
    }

    /// <summary>
    /// A state folder as the user wrote it: <c>~</c> is the home folder, relative is relative to
    /// <see cref="EnvironmentSettings.RelativeTo"/>.
    /// </summary>
    public static string Resolve(string path)
    {
        var home = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        if (path == "~")
            path = home;
        else if (path.StartsWith("~/", StringComparison.Ordinal))
            path = Path.Combine(home, path[2..]);
        return Path.GetFullPath(path, EnvironmentSettings.RelativeTo.Value ?? System.Environment.CurrentDirectory);
    }

    /// <summary>Holds the state lock (an exclusive flock, so it also excludes other processes) until disposed.</summary>
    public IDisposable Lock(TimeSpan? timeout = null)
    {
        var path = Path.Combine(Root, "lock");
        FileLock stateLock;
        try
        {
            try
            {
                stateLock = FileLock.Open(path, followLinks: false);
            }
            catch (DirectoryNotFoundException)
            {
                EnsureLayout(); // the state folder was deleted under this session: laid out again, as a new session would
                stateLock = FileLock.Open(path, followLinks: false);
            }
        }
        catch (IOException e)
        {
            throw Unusable(e);
        }
        if (stateLock.Take(timeout ?? TimeSpan.FromSeconds(60)))
            return stateLock;
        stateLock.Dispose();
        throw Unusable(new TimeoutException("its lock was held by another process for over a minute"));
    }

    /// <summary>
    /// Takes the next id (caller holds the lock). Ids are never reused: when <c>next-id</c> is missing, unreadable, or names
    /// an id that already has a record (rewound, restored from a backup), the next id is recovered from the highest id on disk.
    /// </summary>
    public long AllocateId()
    {
        var path = Path.Combine(Root, "next-id");
        long? stored = null;
        try
        {
            // a link (another user's plant, or a restore gone wrong) is neither read nor written through
            if (
                Native.LStat(path) is { IsRegularFile: true }
                && long.TryParse(
                    File.ReadAllText(path).Trim(),
                    NumberStyles.None,
                    CultureInfo.InvariantCulture,
                    out var n
                )
                && n >= 1
            )
                stored = n;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { /* recovered below */
        }
        var next = stored is { } s && !IdTaken(s) ? s : HighestIdOnDisk() + 1;
        try
        {
            // replaced by rename, under the lock: a link there is replaced, never followed
            WriteAtomic(path, (next + 1).ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unusable(e);
        }
        return next;
    }

    private bool IdTaken(long id)
    {
        var s = id.ToString(CultureInfo.InvariantCulture);
        return File.Exists(UnitPath(s))
            || File.Exists(Path.Combine(ArraysDir, s + ".json"))
            || File.Exists(Path.Combine(ScriptsDir, s));
    }

    private long HighestIdOnDisk()
    {
        long highest = 0;
        foreach (var dir in new[] { UnitsDir, ArraysDir, ScriptsDir })
        foreach (var file in Files(dir, "*"))
        {
            var name = Path.GetFileName(file);
            var digits = name.Length - name.TrimStart("0123456789".ToCharArray()).Length;
            if (
                digits > 0
                && long.TryParse(name.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            )
                highest = Math.Max(highest, id);
        }
        return highest;
    }

    public bool UnitExists(string id) => File.Exists(UnitPath(id));

    public LocalJobRecord? LoadUnit(string id) => Load<LocalJobRecord>(UnitPath(id));

    /// <summary>Keeps what Set-HpcJob changes for the daemon to apply (<see cref="TakeChanges"/>); its token.</summary>
    public string SaveChanges(JobChanges changes)
    {
        var token = Guid.NewGuid().ToString("N");
        Write(() => WriteAtomic(ChangesPath(token), JsonSerializer.Serialize(changes, Json), createNew: true));
        return token;
    }

    /// <summary>The changes a client kept under <paramref name="token"/>, read once (the file is removed); null if none.</summary>
    public JobChanges? TakeChanges(string token)
    {
        var path = ChangesPath(token);
        try
        {
            return Load<JobChanges>(path);
        }
        finally
        {
            TryDelete(path);
        }
    }

    private string ChangesPath(string token) =>
        Path.Combine(
            ChangesDir,
            (token.Length == 32 && token.All(char.IsAsciiHexDigitLower) ? token : throw new ArgumentException(token))
                + ".json"
        );

    public LocalArrayRecord? LoadArray(string id) =>
        Load<LocalArrayRecord>(Path.Combine(ArraysDir, Safe(id) + ".json"));

    /// <summary>Writes a new job's record; an existing record with that id is never overwritten.</summary>
    public void CreateUnit(LocalJobRecord unit)
    {
        var text = JsonSerializer.Serialize(unit, Json);
        if (!Write(() => WriteAtomic(UnitPath(unit.Id), text, createNew: true)))
            throw Corrupt(
                UnitPath(unit.Id),
                "a record with this id already exists, so the id was not new; submit again"
            );
        MarkActive(unit);
    }

    public void SaveUnit(LocalJobRecord unit)
    {
        var text = JsonSerializer.Serialize(unit, Json);
        Write(() => WriteAtomic(UnitPath(unit.Id), text));
        MarkActive(unit);
    }

    private void MarkActive(LocalJobRecord unit)
    {
        var marker = Path.Combine(ActiveDir, Safe(unit.Id));
        Write(() =>
        {
            if (unit.IsFinished)
                File.Delete(marker);
            else if (!File.Exists(marker))
                PrivateFile.Create(marker).Dispose();
            return true;
        });
    }

    public void CreateArray(LocalArrayRecord array)
    {
        var path = Path.Combine(ArraysDir, Safe(array.Id) + ".json");
        var text = JsonSerializer.Serialize(array, Json);
        if (!Write(() => WriteAtomic(path, text, createNew: true)))
            throw Corrupt(path, "a record with this id already exists, so the id was not new; submit again");
    }

    /// <summary>Removes everything a submission wrote, for a submission that could not be completed.</summary>
    public void Forget(string baseId, IEnumerable<string> unitIds)
    {
        foreach (var id in unitIds)
        {
            TryDelete(UnitPath(id));
            TryDelete(Path.Combine(ActiveDir, Safe(id)));
        }
        TryDelete(Path.Combine(ArraysDir, Safe(baseId) + ".json"));
        TryDelete(Path.Combine(ScriptsDir, Safe(baseId)));
    }

    /// <summary>
    /// Keeps the script a submission runs, as it was at submission (a batch system never runs a later edit), private.
    /// </summary>
    public string SaveScript(string baseId, string sourcePath)
    {
        var copy = Path.Combine(ScriptsDir, Safe(baseId));
        Write(() =>
        {
            using var source = File.OpenRead(sourcePath);
            using var target = PrivateFile.Create(copy, FileMode.CreateNew, Private);
            source.CopyTo(target);
            return true;
        });
        return copy;
    }

    /// <summary>
    /// Forgets finished jobs whose record was last written (their end) before <paramref name="cutoff"/>, and arrays and
    /// scripts no record needs any more. Ids are not reused: next-id keeps counting.
    /// </summary>
    public void PurgeFinishedBefore(DateTime cutoff)
    {
        var active = ActiveUnitIds().ToHashSet();
        foreach (var path in Files(UnitsDir, "*.json"))
        {
            var id = Path.GetFileNameWithoutExtension(path);
            if (!active.Contains(id) && File.GetLastWriteTimeUtc(path) < cutoff)
                TryDelete(path);
        }
        var kept = AllUnitIds().Select(id => id.Split('_')[0]).ToHashSet();
        foreach (var path in Files(ArraysDir, "*").Concat(Files(ScriptsDir, "*")))
            if (!kept.Contains(Path.GetFileNameWithoutExtension(path)) && File.GetLastWriteTimeUtc(path) < cutoff)
                TryDelete(path);
    }

    /// <summary>A store folder's files; none when the folder was removed (the next write lays it out again).</summary>
    private static List<string> Files(string dir, string pattern)
    {
        try
        {
            return Directory.EnumerateFiles(dir, pattern).ToList();
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    /// <summary>Ids of the units that are pending or running (a marker each, so this never scans history).</summary>
    public IEnumerable<string> ActiveUnitIds() =>
        Files(ActiveDir, "*").Select(Path.GetFileName).OfType<string>().Where(LocalJobId.IsValid);

    /// <summary>Ids of every unit on record, finished ones included.</summary>
    public IEnumerable<string> AllUnitIds() =>
        Files(UnitsDir, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Where(LocalJobId.IsValid);

    public int RecordCount => Files(UnitsDir, "*.json").Count;

    /// <summary>Units that are pending or running, in submission order. Unreadable records are left out (status reports them).</summary>
    public List<LocalJobRecord> LoadActiveUnits()
    {
        var units = new List<LocalJobRecord>();
        foreach (var id in Files(ActiveDir, "*").Select(Path.GetFileName))
        {
            if (id is null || !LocalJobId.IsValid(id))
                continue;
            try
            {
                if (LoadUnit(id) is { } unit)
                    units.Add(unit);
            }
            catch (LocalStateException)
            { /* one bad record must not stop every other job */
            }
        }
        return units.OrderBy(u => u.SubmitTime).ThenBy(u => LocalJobId.Order(u.Id)).ToList();
    }

    private string UnitPath(string id) => Path.Combine(UnitsDir, Safe(id) + ".json");

    private static string Safe(string id) =>
        LocalJobId.IsValid(id) ? id : throw new ArgumentException($"'{id}' is not a Local job id.");

    private static T? Load<T>(string path)
        where T : class
    {
        string text;
        try
        {
            StateFolderTrust.CheckRecord(path);
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Corrupt(path, e.Message, e);
        }
        try
        {
            return JsonSerializer.Deserialize<T>(text, Json) ?? throw Corrupt(path, "it holds no record");
        }
        catch (JsonException e)
        {
            throw Corrupt(path, text.Length == 0 ? "it is empty" : $"invalid JSON: {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Writes by rename, so readers never see half a file. With <paramref name="createNew"/>, false if the file exists.</summary>
    internal static bool WriteAtomic(string path, string content, bool createNew = false)
    {
        if (createNew)
            return PrivateFile.CreateNew(path, PrivateFile.Text(content));
        PrivateFile.Replace(path, PrivateFile.Text(content));
        return true;
    }
}
