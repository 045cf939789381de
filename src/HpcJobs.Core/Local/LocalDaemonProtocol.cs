namespace HpcJobs.Core.Local;

/// <summary>
/// The words client and daemon exchange over <c>daemon.sock</c>, written once for both sides: one request line per
/// connection, <c>VERB [slots=N] ID…</c>, answered by one line, <see cref="Ok"/> or <c>error TEXT</c>.
/// </summary>
internal static class LocalDaemonProtocol
{
    /// <summary>New records were written: schedule them.</summary>
    public const string Submitted = "submitted";

    /// <summary>End these jobs (pending at once, running with SIGTERM then SIGKILL).</summary>
    public const string Cancel = "cancel";

    /// <summary>Keep these pending jobs from starting (Suspend-HpcJob).</summary>
    public const string Hold = "hold";

    /// <summary>Let these held jobs start again (Resume-HpcJob).</summary>
    public const string Release = "release";

    /// <summary>End these running jobs and queue them again under the same id (Restart-HpcJob).</summary>
    public const string Requeue = "requeue";

    /// <summary>Apply the changes kept under <see cref="ChangesPrefix"/> to these jobs if they have not started (Set-HpcJob).</summary>
    public const string Change = "change";

    /// <summary>Run a scheduling pass.</summary>
    public const string Schedule = "schedule";

    /// <summary>Answer when one of these jobs (or any task of these arrays) ends.</summary>
    public const string Wait = "wait";

    public const string Ok = "ok";
    public const string Error = "error";

    /// <summary>
    /// The slot count of the client's session (HPCJOBS_LOCAL_CPUS), sent with every request, so the daemon schedules
    /// with the setting of whoever spoke last, not of whoever happened to start it.
    /// </summary>
    public const string SlotsPrefix = "slots=";

    /// <summary>With <see cref="Change"/>: the token of the changes the client kept in the store.</summary>
    public const string ChangesPrefix = "changes=";

    public static string Request(string verb, IEnumerable<string> ids, int? slots = null, string? changes = null) =>
        string.Join(
            ' ',
            new[] { verb }
                .Concat(slots is { } n ? [SlotsPrefix + n] : [])
                .Concat(changes is not null ? [ChangesPrefix + changes] : [])
                .Concat(ids)
        );

    public static (string Verb, int? Slots, List<string> Ids, string? Changes) Parse(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int? slots = null;
        string? changes = null;
        var ids = new List<string>();
        foreach (var word in words.Skip(1))
        {
            if (
                word.StartsWith(SlotsPrefix, StringComparison.Ordinal)
                && int.TryParse(word[SlotsPrefix.Length..], out var n)
                && n > 0
            )
                slots = n;
            else if (word.StartsWith(ChangesPrefix, StringComparison.Ordinal))
                changes = word[ChangesPrefix.Length..];
            else if (LocalJobId.IsValid(word))
                ids.Add(word);
        }
        return (words.FirstOrDefault() ?? "", slots, ids, changes);
    }
}
