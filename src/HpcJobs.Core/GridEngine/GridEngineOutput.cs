using System.Globalization;
using System.Xml.Linq;
using HpcJobs.Core.Kit;

namespace HpcJobs.Core.GridEngine;

/// <summary>One line of <c>qstat -xml -g d -u '*'</c>: a job, or one task of an array (every task its own line).</summary>
/// <param name="JobNumber">JB_job_number.</param>
/// <param name="Task">The task index (tasks), null outside arrays.</param>
/// <param name="State">The state letters (qw, hqw, r, Rr, s, Eqw, dr...).</param>
/// <param name="Name">JB_name.</param>
/// <param name="Owner">JB_owner.</param>
/// <param name="Time">JAT_start_time while it runs, else JB_submission_time: local time, no offset.</param>
/// <param name="Queue">queue_name, <c>all.q@host</c>, while it runs.</param>
/// <param name="Slots">slots.</param>
public sealed record GridEngineListing(
    string JobNumber,
    int? Task,
    string State,
    string? Name,
    string? Owner,
    DateTimeOffset? Time,
    string? Queue,
    int? Slots
)
{
    public string JobId => Task is { } t ? $"{JobNumber}.{t.ToString(CultureInfo.InvariantCulture)}" : JobNumber;
}

/// <summary>What <c>qstat -j IDS -xml</c> says of one job that the listing does not.</summary>
public sealed record GridEngineDetail
{
    public required string JobNumber { get; init; }
    public string? WorkingDirectory { get; init; }
    public string? StdOutPath { get; init; }
    public string? StdErrPath { get; init; }
    public bool MergeStdErr { get; init; }
    public IReadOnlyList<string> Predecessors { get; init; } = [];
    public IReadOnlyDictionary<string, string> HardResources { get; init; } = new Dictionary<string, string>();
    public string? Project { get; init; }
    public string? ParallelEnvironment { get; init; }
    public int? Slots { get; init; }

    /// <summary>The scheduler's messages about this job (why it is not started), when schedd_job_info is on.</summary>
    public IReadOnlyList<string> SchedulingInfo { get; init; } = [];
}

/// <summary>One record of <c>qacct -j N</c>: one run of a job or of one array task (a rescheduled job has several).</summary>
public sealed record GridEngineAccounting(IReadOnlyDictionary<string, string> Fields)
{
    public string? this[string key] => Fields.TryGetValue(key, out var v) ? v : null;

    public string JobNumber => this["jobnumber"] ?? "";

    public int? Task =>
        int.TryParse(this["taskid"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;

    /// <summary>The failed code, the number before the colon (<c>37  : qmaster enforced h_rt...</c>).</summary>
    public int Failed =>
        int.TryParse(
            (this["failed"] ?? "0").Split(':')[0].Trim(),
            NumberStyles.None,
            CultureInfo.InvariantCulture,
            out var f
        )
            ? f
            : 0;

    /// <summary>The words after the failed code, if any.</summary>
    public string? FailedText => (this["failed"] ?? "").Split(':', 2) is [_, var text] ? text.Trim() : null;

    public int? ExitStatus =>
        int.TryParse(
            (this["exit_status"] ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(),
            NumberStyles.None,
            CultureInfo.InvariantCulture,
            out var e
        )
            ? e
            : null;
}

/// <summary>Parsers for Grid Engine's qstat -xml, qstat -j -xml and qacct output (recorded samples in tests/fixtures/sge).</summary>
public static class GridEngineOutput
{
    /// <summary>Every job_list element of <c>qstat -xml</c>, running (queue_info) and pending (job_info) alike.</summary>
    public static List<GridEngineListing> ParseListing(string xml)
    {
        if (string.IsNullOrWhiteSpace(xml))
            return [];
        return XDocument
            .Parse(xml)
            .Descendants("job_list")
            .Select(j => new GridEngineListing(
                Text(j, "JB_job_number") ?? "",
                ParseTask(Text(j, "tasks")),
                Text(j, "state") ?? "",
                Text(j, "JB_name"),
                Text(j, "JB_owner"),
                ParseIsoLocal(Text(j, "JAT_start_time") ?? Text(j, "JB_submission_time")),
                Text(j, "queue_name") is { Length: > 0 } q ? q : null,
                int.TryParse(Text(j, "slots"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null
            ))
            .Where(l => l.JobNumber.Length > 0)
            .ToList();
    }

    /// <summary>The djob_info elements of <c>qstat -j IDS -xml</c>, with the scheduler's messages per job.</summary>
    public static Dictionary<string, GridEngineDetail> ParseDetails(string xml)
    {
        var details = new Dictionary<string, GridEngineDetail>();
        if (string.IsNullOrWhiteSpace(xml) || !xml.TrimStart().StartsWith('<'))
            return details;
        var doc = XDocument.Parse(xml);
        var messages = doc.Descendants("SME_message_list")
            .Elements("element")
            .SelectMany(m =>
                m.Descendants("ULNG_value").Select(v => (Job: v.Value.Trim(), Text: Text(m, "MES_message") ?? ""))
            )
            .ToLookup(m => m.Job, m => m.Text);
        foreach (var job in doc.Descendants("djob_info").Elements("element"))
        {
            var number = Text(job, "JB_job_number");
            if (number is null)
                continue;
            var merge = string.Equals(Text(job, "JB_merge_stderr"), "true", StringComparison.OrdinalIgnoreCase);
            details[number] = new GridEngineDetail
            {
                JobNumber = number,
                WorkingDirectory = Text(job, "JB_cwd"),
                StdOutPath = Path(job, "JB_stdout_path_list"),
                StdErrPath = Path(job, "JB_stderr_path_list"),
                MergeStdErr = merge,
                Predecessors =
                    job.Element("JB_jid_predecessor_list")
                        ?.Descendants("JRE_job_number")
                        .Select(e => e.Value.Trim())
                        .ToList()
                    ?? [],
                HardResources =
                    job.Element("JB_hard_resource_list")
                        ?.Elements()
                        .Where(e => Text(e, "CE_name") is not null)
                        .GroupBy(e => Text(e, "CE_name")!)
                        .ToDictionary(g => g.Key, g => Text(g.Last(), "CE_stringval") ?? "")
                    ?? new Dictionary<string, string>(),
                Project = Text(job, "JB_project"),
                ParallelEnvironment = Text(job, "JB_pe"),
                Slots = job.Element("JB_pe_range")
                    ?.Descendants("RN_max")
                    .Select(e => ParseInt(e.Value))
                    .FirstOrDefault(),
                SchedulingInfo = messages[number].Distinct().ToList(),
            };
        }
        return details;
    }

    /// <summary>The records of <c>qacct -j</c>: blocks after a line of '=', one "key value" per line.</summary>
    public static List<GridEngineAccounting> ParseAccounting(string text)
    {
        var records = new List<GridEngineAccounting>();
        Dictionary<string, string>? current = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("====", StringComparison.Ordinal))
            {
                if (current is { Count: > 0 })
                    records.Add(new GridEngineAccounting(current));
                current = [];
                continue;
            }
            if (current is null || line.Trim().Length == 0)
                continue;
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0)
                continue;
            current[line[..space]] = line[space..].Trim();
        }
        if (current is { Count: > 0 })
            records.Add(new GridEngineAccounting(current));
        return records;
    }

    /// <summary>qacct's times: ctime-style local time, "Sun Dec  6 10:13:12 2026"; null for -/undefined.</summary>
    public static DateTimeOffset? ParseCtime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 5)
            return null;
        return DateTime.TryParseExact(
            $"{parts[1]} {parts[2]} {parts[3]} {parts[4]}",
            "MMM d HH:mm:ss yyyy",
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeLocal,
            out var t
        )
            ? new DateTimeOffset(t)
            : null;
    }

    /// <summary>qstat -xml's times: "2026-12-06T10:13:12", the qmaster's local time.</summary>
    public static DateTimeOffset? ParseIsoLocal(string? text) => UsageUnits.ParseLocalTime(text);

    /// <summary>qacct's durations and sizes carry a unit: "4s", "0.118s"; sizes "5.230MB", "4.422KB", "0.000B".</summary>
    public static TimeSpan? ParseSeconds(string? text) =>
        text is not null
        && double.TryParse(text.TrimEnd('s'), NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
            ? TimeSpan.FromSeconds(s)
            : null;

    public static long? ParseBytes(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var units = new (string Suffix, double Factor)[]
        {
            ("TB", 1L << 40),
            ("GB", 1L << 30),
            ("MB", 1L << 20),
            ("KB", 1L << 10),
            ("B", 1),
        };
        foreach (var (suffix, factor) in units)
            if (
                text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            )
                return (long)Math.Round(v * factor);
        return null;
    }

    /// <summary>A size as Grid Engine's resource requests write it: 100M, 2G, 1.5G, 512K, or bytes.</summary>
    public static long? ParseRequestSize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var factor = char.ToUpperInvariant(text[^1]) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            'T' => 1L << 40,
            _ => 1L,
        };
        var number = factor == 1 ? text : text[..^1];
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? (long)Math.Round(v * factor)
            : null;
    }

    /// <summary>A time limit as h_rt holds it: seconds, or h:m:s.</summary>
    public static TimeSpan? ParseLimit(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var parts = text.Split(':');
        if (parts.Any(p => !double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            return null;
        var seconds = parts.Aggregate(0.0, (acc, p) => acc * 60 + double.Parse(p, CultureInfo.InvariantCulture));
        return TimeSpan.FromSeconds(seconds);
    }

    private static int? ParseTask(string? tasks) =>
        int.TryParse(tasks, NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;

    private static int? ParseInt(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static string? Text(XElement e, string name) => e.Element(name)?.Value.Trim();

    private static string? Path(XElement job, string list) =>
        job.Element(list)?.Descendants("PN_path").Select(p => p.Value.Trim()).FirstOrDefault(p => p.Length > 0);
}
