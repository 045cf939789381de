using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Platform;

namespace HpcJobs.Core.Waiting;

/// <summary>
/// The snapshot file of <see cref="SharedStatus"/>: one per user, scheduler and machine, private (0600 in a 0700 folder that
/// <see cref="StateFolderTrust"/> accepts, like the Local store), replaced whole by rename so a reader never sees half of
/// one, guarded by an flock on a lock file beside it (the kernel drops the lock of a process that dies). A file that is
/// not yours, not private, unreadable, of another format, user or key is ignored and rewritten.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SharedStatusFile
{
    private const int Format = 2;

    /// <summary>How long a poller waits for another's refresh before refreshing itself (a stopped refresher holds the lock).</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(15);

    private readonly string _key;

    private SharedStatusFile(string path, string key)
    {
        Path = path;
        _key = key;
    }

    public string Path { get; }

    /// <summary>
    /// The snapshot file of <paramref name="key"/> in <see cref="Folder"/>; null (status not shared) when the default
    /// folder is not private to you or cannot be made. A folder chosen with $HPCJOBS_STATUS_DIR that cannot be used is an
    /// error (<see cref="HpcErrors.InvalidSetting"/>): whoever set it expects sharing, not its silent absence.
    /// </summary>
    public static SharedStatusFile? Open(string key)
    {
        var folder = Folder();
        try
        {
            StateFolderTrust.CheckFolder(folder, create: true);
        }
        catch (Exception e) when (e is HpcJobsException or IOException or UnauthorizedAccessException)
        {
            if (Environment.GetEnvironmentVariable(SharedStatus.FolderVariable) is not { Length: > 0 } chosen)
                return null;
            throw new HpcErrorException(
                HpcErrors.InvalidSetting,
                $"${SharedStatus.FolderVariable} is '{chosen}', which cannot hold shared status: {e.Message} Status is "
                    + "shared only through a folder private to you (made, mode 0700, when missing): name one, unset "
                    + $"the variable for the default, or set ${SharedStatus.SwitchVariable}=0 not to share."
            );
        }
        var name = string.Concat(key.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '@' ? c : '_'));
        return new SharedStatusFile(System.IO.Path.Combine(folder, name + ".json"), key);
    }

    /// <summary>$HPCJOBS_STATUS_DIR, else $XDG_RUNTIME_DIR/hpcjobs/status (memory, per login), else ~/.cache/hpcjobs/status.</summary>
    public static string Folder()
    {
        if (Environment.GetEnvironmentVariable(SharedStatus.FolderVariable) is { Length: > 0 } chosen)
            return System.IO.Path.GetFullPath(chosen);
        if (
            Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime
            && Directory.Exists(runtime)
        )
            return System.IO.Path.Combine(runtime, "hpcjobs", "status");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return System.IO.Path.Combine(home, ".cache", "hpcjobs", $"status-{Environment.MachineName}");
    }

    private const int ReadableByOthers = 0x24; // 0044

    /// <summary>Allowance for clocks of one machine read a little apart (CPUs, containers).</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A time later than now: written before the clock was stepped back (NTP, a restored VM). Such a snapshot would
    /// count as fresh until the clock caught up, and waiters would see a state that stopped changing.
    /// </summary>
    private static bool FromTheFuture(DateTimeOffset at) => at > DateTimeOffset.UtcNow + ClockSkew;

    /// <summary>When the scheduler last answered: the last good refresh, or a probe's ping written beside it.</summary>
    public DateTimeOffset? LastAnswer()
    {
        DateTimeOffset? refreshed = Read() is { Failure: null, RefreshedBy: not 0 } s ? s.AnsweredAt : null;
        DateTimeOffset? pinged = null;
        try
        {
            StateFolderTrust.CheckRecord(Path + ".answered");
            if (
                File.Exists(Path + ".answered")
                && long.TryParse(File.ReadAllText(Path + ".answered"), out var ticks)
                && ticks > 0
                && !FromTheFuture(new DateTimeOffset(ticks, TimeSpan.Zero))
            )
                pinged = new DateTimeOffset(ticks, TimeSpan.Zero);
        }
        catch (Exception e) when (e is HpcJobsException or IOException or UnauthorizedAccessException) { }
        return refreshed > pinged || pinged is null ? refreshed : pinged;
    }

    /// <summary>The snapshot, or null when there is none you can trust.</summary>
    public StatusSnapshot? Read()
    {
        try
        {
            StateFolderTrust.CheckRecord(Path);
            if (Native.LStat(Path) is not { } status || (status.Mode & ReadableByOthers) != 0)
                return null; // another user could have read it: not trusted, and the next refresh writes it private again
            var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllBytes(Path), Json);
            if (
                stored is null
                || stored.Format != Format
                || stored.Uid != StateFolderTrust.CurrentUser
                || stored.Place != _key
                || FromTheFuture(stored.StartedAt)
                || FromTheFuture(stored.AnsweredAt)
                || stored.Asked.Values.Any(FromTheFuture)
            )
                return null;
            return new StatusSnapshot(
                stored.StartedAt,
                stored.AnsweredAt,
                TimeSpan.FromSeconds(stored.IntervalSeconds),
                stored.Asked,
                stored.Jobs,
                stored.NotFound.Select(n => new JobLookupFailure(n.JobId, n.Message)).ToList(),
                stored.Failure,
                stored.RefreshedBy
            );
        }
        catch (Exception e) when (e is HpcJobsException or IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The file's lock, waited for at most <paramref name="wait"/> (<see cref="LockWait"/> when shorter): past that, a
    /// lock not held, so the caller refreshes on its own rather than hang behind a stopped process.
    /// </summary>
    public Task<Lock> LockAsync(TimeSpan wait, CancellationToken ct) => LockAsync(Path + ".lock", wait, ct);

    /// <summary>
    /// The probes' own lock (<see cref="LockWait"/> at most), beside the snapshot's: K processes that start together take
    /// turns on it to ping once, and never hold up a refresh, which would send the waiters past their bounded wait.
    /// </summary>
    public Task<Lock> ProbeLockAsync(CancellationToken ct) => LockAsync(Path + ".probe.lock", LockWait, ct);

    private async Task<Lock> LockAsync(string lockPath, TimeSpan wait, CancellationToken ct)
    {
        if (OpenLock(lockPath) is not { } fileLock)
            return Unlocked;
        if (
            await fileLock
                .TakeAsync(wait < LockWait ? wait : LockWait, TimeSpan.FromMilliseconds(20), ct)
                .ConfigureAwait(false)
        )
            return new Lock(this, fileLock);
        fileLock.Dispose();
        return Unlocked;
    }

    /// <summary>The lock when it is free now; null when another process holds it.</summary>
    public Lock? TryLock()
    {
        if (OpenLock(Path + ".lock") is not { } fileLock)
            return Unlocked;
        if (fileLock.TryTake())
            return new Lock(this, fileLock);
        fileLock.Dispose();
        return null;
    }

    /// <summary>The lock file, or null when it cannot be opened (a full or read-only folder only loses the sharing).</summary>
    private static FileLock? OpenLock(string path)
    {
        try
        {
            return FileLock.Open(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>No lock, for writing after the wait for one passed (the write is a rename: readers never see half).</summary>
    public Lock Unlocked => new(this, null);

    /// <summary>The lock on the snapshot (or, past the wait, none), and the one way to write it.</summary>
    public sealed class Lock : IDisposable
    {
        private readonly SharedStatusFile _file;
        private readonly FileLock? _held;

        internal Lock(SharedStatusFile file, FileLock? held)
        {
            _file = file;
            _held = held;
        }

        public bool Held => _held is not null;

        /// <summary>
        /// Writes <paramref name="snapshot"/> whole (a private temporary file renamed over the old one); a full disk only
        /// loses the sharing.
        /// </summary>
        public void Write(StatusSnapshot snapshot) =>
            Replace(
                _file.Path,
                stream =>
                    JsonSerializer.Serialize(
                        stream,
                        new Stored(
                            Format,
                            StateFolderTrust.CurrentUser,
                            _file._key,
                            snapshot.StartedAt,
                            snapshot.AnsweredAt,
                            snapshot.Interval.TotalSeconds,
                            snapshot.Asked.ToDictionary(),
                            snapshot.Jobs.ToList(),
                            snapshot.NotFound.Select(n => new StoredMissing(n.JobId, n.Message)).ToList(),
                            snapshot.Failure,
                            snapshot.RefreshedBy
                        ),
                        Json
                    )
            );

        /// <summary>Writes down that the scheduler answered at <paramref name="at"/> (a probe's ping).</summary>
        public void WriteAnswered(DateTimeOffset at) =>
            Replace(
                _file.Path + ".answered",
                stream =>
                    stream.Write(
                        System.Text.Encoding.ASCII.GetBytes(
                            at.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture)
                        )
                    )
            );

        /// <summary>Writes <paramref name="path"/> whole and private; a full disk only loses the sharing.</summary>
        private static void Replace(string path, Action<Stream> write)
        {
            try
            {
                PrivateFile.Replace(path, write);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }

        public void Dispose() => _held?.Dispose();
    }

    private sealed record Stored(
        int Format,
        uint Uid,
        string Place,
        DateTimeOffset StartedAt,
        DateTimeOffset AnsweredAt,
        double IntervalSeconds,
        Dictionary<string, DateTimeOffset> Asked,
        List<JobInfo> Jobs,
        List<StoredMissing> NotFound,
        StatusFailure? Failure,
        int RefreshedBy
    );

    private sealed record StoredMissing(string JobId, string Message);

    /// <summary>JobInfo's properties are init-only outside the assembly; the snapshot writes and reads those, nothing derived.</summary>
    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { SettableJobInfo } },
    };

    private static void SettableJobInfo(JsonTypeInfo info)
    {
        if (info.Type != typeof(JobInfo))
            return;
        foreach (var property in info.Properties)
        {
            var clr = typeof(JobInfo).GetProperty(property.Name, BindingFlags.Public | BindingFlags.Instance);
            if (clr?.SetMethod is { } setter && clr.Name != nameof(JobInfo.Resources))
                property.Set = (target, value) => setter.Invoke(target, [value]);
            else
                property.ShouldSerialize = (_, _) => false;
        }
    }
}
