using System.Globalization;
using System.Text.RegularExpressions;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Slurm;

/// <summary>One row of <c>squeue -O</c> with the fields in <see cref="SlurmOutput.SqueueFields"/>.</summary>
internal sealed record SqueueRow(
    string ShownId,
    string RawId,
    string ArrayJobId,
    string ArrayTasks,
    string State,
    string Reason,
    string Submit,
    string Start,
    string End,
    string WorkDir,
    string StdOut,
    string StdErr,
    string Restarts,
    string Partition,
    string NodeList,
    string Name
)
{
    public bool IsArray => ArrayTasks != "N/A";
}

/// <summary>One row of <c>sacct -X -P</c> with the fields in <see cref="SlurmOutput.SacctFields"/>.</summary>
internal sealed record SacctRow(
    string JobId,
    string RawId,
    string Name,
    string State,
    string ExitCode,
    string Reason,
    string Submit,
    string Start,
    string End,
    string Partition,
    string NodeList,
    string WorkDir
);

/// <summary>One row of <c>sacct -P</c> with the fields in <see cref="SlurmOutput.SacctUsageFields"/>: a job or one of its steps.</summary>
internal sealed record SacctUsageRow(
    string JobId,
    string State,
    string ElapsedRaw,
    string TotalCpu,
    string AllocCpus,
    string Timelimit,
    string ReqMem,
    string MaxRss,
    string NNodes
);

/// <summary>Reads SLURM's delimited outputs. Columns are named here once; parsers never rely on column positions in padded text.</summary>
internal static partial class SlurmOutput
{
    /// <summary>Unit separator: cannot appear in a job name typed by a user, unlike '|'.</summary>
    public const char Delimiter = '\x1f';

    public static readonly string[] SqueueFields =
    [
        "JobArrayID",
        "JobID",
        "ArrayJobID",
        "ArrayTaskID",
        "State",
        "Reason",
        "SubmitTime",
        "StartTime",
        "EndTime",
        "WorkDir",
        "STDOUT",
        "STDERR",
        "RestartCnt",
        "Partition",
        "NodeList",
        "Name",
    ];

    public static readonly string[] SacctFields =
    [
        "JobID",
        "JobIDRaw",
        "JobName",
        "State",
        "ExitCode",
        "Reason",
        "Submit",
        "Start",
        "End",
        "Partition",
        "NodeList",
        "WorkDir",
    ];

    public static readonly string[] SacctUsageFields =
    [
        "JobID",
        "State",
        "ElapsedRaw",
        "TotalCPU",
        "AllocCPUS",
        "Timelimit",
        "ReqMem",
        "MaxRSS",
        "NNodes",
    ];

    /// <summary>sacct -P usage rows (jobs and their steps), each column named by <see cref="SacctUsageFields"/>.</summary>
    public static List<SacctUsageRow> ParseSacctUsage(string text, char delimiter = Delimiter) =>
        ParseDelimited("sacct", text, delimiter, SacctUsageFields)
            .Select(f => new SacctUsageRow(
                f("JobID"),
                f("State"),
                f("ElapsedRaw"),
                f("TotalCPU"),
                f("AllocCPUS"),
                f("Timelimit"),
                f("ReqMem"),
                f("MaxRSS"),
                f("NNodes")
            ))
            .ToList();

    /// <summary>The -O argument: each field followed by the delimiter (a suffix also stops squeue padding the column).</summary>
    public static string SqueueFormat(char delimiter = Delimiter) =>
        string.Join(',', SqueueFields.Select(f => $"{f}:{delimiter}"));

    /// <summary>squeue rows, each column named by <paramref name="fields"/> (squeue -O names); absent columns read as empty.</summary>
    public static List<SqueueRow> ParseSqueue(
        string text,
        char delimiter = Delimiter,
        IReadOnlyList<string>? fields = null
    ) =>
        ParseDelimited("squeue", text, delimiter, fields ?? SqueueFields)
            .Select(f => new SqueueRow(
                f("JobArrayID").Trim(),
                f("JobID").Trim(),
                f("ArrayJobID").Trim(),
                f("ArrayTaskID").Trim() is { Length: > 0 } t ? t : "N/A",
                f("State").Trim(),
                f("Reason").Trim(),
                f("SubmitTime"),
                f("StartTime"),
                f("EndTime"),
                f("WorkDir"),
                f("STDOUT"),
                f("STDERR"),
                f("RestartCnt").Trim(),
                f("Partition").Trim(),
                f("NodeList").Trim(),
                f("Name")
            ))
            .ToList();

    /// <summary>sacct -P rows, each column named by <paramref name="fields"/> (sacct -o names).</summary>
    public static List<SacctRow> ParseSacct(
        string text,
        char delimiter = Delimiter,
        IReadOnlyList<string>? fields = null
    ) =>
        ParseDelimited("sacct", text, delimiter, fields ?? SacctFields)
            .Select(f => new SacctRow(
                f("JobID"),
                f("JobIDRaw"),
                f("JobName"),
                f("State"),
                f("ExitCode"),
                f("Reason"),
                f("Submit"),
                f("Start"),
                f("End"),
                f("Partition").Trim(),
                f("NodeList").Trim(),
                f("WorkDir")
            ))
            .ToList();

    private static IEnumerable<Func<string, string>> ParseDelimited(
        string command,
        string text,
        char delimiter,
        IReadOnlyList<string> fields
    )
    {
        var index = fields
            .Select((name, i) => (name, i))
            .ToDictionary(x => x.name, x => x.i, StringComparer.OrdinalIgnoreCase);
        foreach (var line in Lines(text))
        {
            // a value may itself hold the delimiter only in the last column (a job name with '|' in '|'-delimited output)
            var f = line.Split(delimiter, fields.Count);
            if (f.Length < fields.Count)
                throw new SchedulerOutputException(command, $"expected {fields.Count} fields, found {f.Length}", line);
            if (f[^1].EndsWith(delimiter))
                f[^1] = f[^1][..^1]; // squeue -O ends every field, the last too, with its suffix
            yield return name => index.TryGetValue(name, out var i) ? f[i] : "";
        }
    }

    /// <summary>
    /// <c>scontrol -o show job</c>: one job per line, <c>Key=Value</c> pairs separated by spaces. Values may contain spaces
    /// (JobName, Command, WorkDir), so a pair ends where the next <c>Key=</c> of a known shape starts.
    /// </summary>
    public static List<Dictionary<string, string>> ParseScontrol(string text)
    {
        var records = new List<Dictionary<string, string>>();
        foreach (var line in Lines(text))
        {
            if (!line.StartsWith("JobId=", StringComparison.Ordinal))
                continue;
            var record = new Dictionary<string, string>();
            var matches = ScontrolKey().Matches(line);
            for (var i = 0; i < matches.Count; i++)
            {
                var start = matches[i].Index + matches[i].Length;
                var end = i + 1 < matches.Count ? matches[i + 1].Index : line.Length; // the next match starts at its separating space
                record[matches[i].Groups[1].Value] = line[start..Math.Max(start, end)];
            }
            records.Add(record);
        }
        return records;
    }

    [GeneratedRegex(@"(?:^| )([A-Z][A-Za-z_:/]*)=")]
    private static partial Regex ScontrolKey();

    /// <summary>
    /// Array task indices of a squeue pending-range spec: <c>2-5%2</c>, <c>1,3,7-9</c>, <c>0-99:3%4</c>.
    /// </summary>
    public static IEnumerable<int> ExpandTaskSpec(string spec)
    {
        var body = spec.Split('%')[0];
        foreach (var part in body.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var stepSplit = part.Split(':');
            var step = stepSplit.Length > 1 ? int.Parse(stepSplit[1], CultureInfo.InvariantCulture) : 1;
            var range = stepSplit[0].Split('-');
            var a = int.Parse(range[0], CultureInfo.InvariantCulture);
            var b = range.Length > 1 ? int.Parse(range[1], CultureInfo.InvariantCulture) : a;
            for (var i = a; i <= b; i += step)
                yield return i;
        }
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0);
}
