using System.Globalization;
using System.Text.Json;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Pbs;

/// <summary>
/// One job of <c>qstat -f</c>: its full id and its attributes, nested names flattened with dots
/// (Resource_List.walltime).
/// </summary>
internal sealed record PbsJobRecord(string Id, IReadOnlyDictionary<string, string> Attributes)
{
    public string? this[string name] => Attributes.TryGetValue(name, out var v) ? v : null;
}

/// <summary>Reads <c>qstat -f</c> text (both dialects) and PBS Pro's <c>qstat -f -F json</c>.</summary>
internal static class PbsOutput
{
    /// <summary>
    /// <c>qstat -f</c> text: records start with <c>Job Id: ID</c>; attributes are <c>    name = value</c>; a value goes on over
    /// continuation lines that start with a TAB (some sites' copies have spaces instead). Continuations are joined without a
    /// separator, as qstat split the value at a fixed width.
    /// </summary>
    public static List<PbsJobRecord> ParseFullText(string text)
    {
        var records = new List<PbsJobRecord>();
        string? id = null;
        Dictionary<string, string>? attrs = null;
        string? last = null;
        // learnt from each record's first attribute: 4 spaces (Torque, PBS Pro), TAB (SLURM's wrapper), more in pasted
        // copies
        string? attributeIndent = null;
        foreach (var raw in text.Replace("\r", "").Split('\n'))
        {
            var body = raw.TrimStart(' ', '\t');
            if (body.StartsWith("Job Id:", StringComparison.Ordinal))
            {
                if (id is not null)
                    records.Add(new PbsJobRecord(id, attrs!));
                id = body[7..].Trim();
                attrs = new Dictionary<string, string>(StringComparer.Ordinal);
                last = null;
                attributeIndent = null;
                continue;
            }
            if (id is null || raw.Trim().Length == 0)
                continue;
            var indent = raw[..(raw.Length - body.Length)];
            var eq = body.IndexOf(" = ", StringComparison.Ordinal);
            var looksLikeAttribute = eq > 0 && !body[..eq].Contains(' ') && !body[..eq].Contains('\t');
            if (looksLikeAttribute && (attributeIndent is null || indent == attributeIndent))
            {
                attributeIndent ??= indent;
                last = body[..eq];
                attrs![last] = body[(eq + 3)..];
            }
            else if (last is not null)
                attrs![last] += raw.TrimStart('\t', ' ');
        }
        if (id is not null)
            records.Add(new PbsJobRecord(id, attrs!));
        return records;
    }

    /// <summary>
    /// PBS Pro's JSON. Anything before the JSON object (the text-then-JSON bug of some OpenPBS versions, see
    /// qstat_u_fF_json_mixed_output_bug) or a document without "Jobs" where jobs were expected is an error, never a guess.
    /// </summary>
    public static List<PbsJobRecord> ParseJson(string text, string section = "Jobs")
    {
        var trimmed = text.TrimStart();
        if (trimmed.Length == 0)
            return [];
        if (trimmed[0] != '{')
            throw new SchedulerOutputException(
                "qstat -f -F json",
                "output does not start with a JSON object (text mixed into the JSON?)",
                text
            );
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(trimmed, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new SchedulerOutputException("qstat -f -F json", $"invalid JSON: {e.Message}", text);
        }
        using (doc)
        {
            if (!doc.RootElement.TryGetProperty(section, out var jobs))
                return [];
            if (jobs.ValueKind != JsonValueKind.Object)
                throw new SchedulerOutputException("qstat -f -F json", $"\"{section}\" is not an object", text);
            var records = new List<PbsJobRecord>();
            foreach (var job in jobs.EnumerateObject())
            {
                if (job.Value.ValueKind != JsonValueKind.Object)
                    throw new SchedulerOutputException("qstat -f -F json", $"job {job.Name} is not an object", text);
                var attrs = new Dictionary<string, string>(StringComparer.Ordinal);
                Flatten(job.Value, "", attrs);
                records.Add(new PbsJobRecord(job.Name, attrs));
            }
            return records;
        }
    }

    private static void Flatten(JsonElement e, string prefix, Dictionary<string, string> into)
    {
        foreach (var p in e.EnumerateObject())
        {
            var name = prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}";
            switch (p.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    Flatten(p.Value, name, into);
                    break;
                case JsonValueKind.String:
                    into[name] = p.Value.GetString()!;
                    break;
                default:
                    into[name] = p.Value.GetRawText();
                    break;
            }
        }
    }

    /// <summary>Text Variable_List ("A=b,C=d") or JSON's flattened Variable_List.NAME.</summary>
    /// <remarks>
    /// qstat escapes with a backslash what it prints of Variable_List: a quote in JSON (<c>"/tmp/it\\'s a, dir"</c>),
    /// a quote and a comma in text (<c>PBS_O_WORKDIR=/tmp/it\'s a\, dir,</c>), as seen on OpenPBS 23.06 here.
    /// </remarks>
    public static string? Variable(PbsJobRecord r, string name)
    {
        if (r[$"Variable_List.{name}"] is { } v)
            return Unescape(v);
        if (r["Variable_List"] is not { } list)
            return null;
        foreach (var pair in SplitUnescaped(list))
            if (pair.StartsWith(name + "=", StringComparison.Ordinal))
                return Unescape(pair[(name.Length + 1)..]);
        return null;
    }

    private static IEnumerable<string> SplitUnescaped(string list)
    {
        var start = 0;
        for (var i = 0; i < list.Length; i++)
        {
            if (list[i] == '\\')
                i++;
            else if (list[i] == ',')
            {
                yield return list[start..i];
                start = i + 1;
            }
        }
        yield return list[start..];
    }

    private static string Unescape(string value)
    {
        if (!value.Contains('\\'))
            return value;
        var sb = new System.Text.StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
            sb.Append(value[i] == '\\' && i + 1 < value.Length ? value[++i] : value[i]);
        return sb.ToString();
    }

    /// <summary>
    /// The vnodes a job runs on, from exec_vnode (<c>(vm[0]:ncpus=1:ngpus=1)+(vm[1]:ncpus=1)</c>, PBS Pro), else the
    /// hosts of exec_host (<c>vm/0*2+vm/1</c>, Torque <c>n1/0-3+n2/0</c>); comma separated, each once; null before it starts.
    /// </summary>
    public static string? NodeList(string? execVnode, string? execHost)
    {
        var chunks = execVnode is { Length: > 0 }
            ? execVnode.Split('+').Select(c => c.Trim().TrimStart('(').Split(':')[0].TrimEnd(')'))
            : (execHost ?? "").Split('+').Select(c => c.Trim().Split('/')[0]);
        var nodes = chunks.Where(n => n.Length > 0).Distinct().ToList();
        return nodes.Count == 0 ? null : string.Join(',', nodes);
    }

    /// <summary>Output_Path is "host:/path" (PBS keeps the submit host); the path is what a user opens.</summary>
    public static string? LocalPath(string? pbsPath)
    {
        if (string.IsNullOrWhiteSpace(pbsPath))
            return null;
        var colon = pbsPath.IndexOf(':');
        return colon > 0 && !pbsPath[..colon].Contains('/') ? pbsPath[(colon + 1)..] : pbsPath;
    }

    /// <summary>"123[4].server" → ("123[].server", 4); anything else → (null, null).</summary>
    public static (string? ArrayId, int? Task) SplitArrayId(string id)
    {
        var open = id.IndexOf('[');
        var close = id.IndexOf(']');
        if (open < 0 || close < open)
            return (null, null);
        var inside = id[(open + 1)..close];
        if (inside.Length == 0)
            return (null, null);
        return int.TryParse(inside, CultureInfo.InvariantCulture, out var task)
            ? (id[..(open + 1)] + id[close..], task)
            : (null, null);
    }

    public static int? ParseInt(string? s) =>
        int.TryParse(s?.Trim(), CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>The sequence number a PBS id starts with: "1004.pbs" → "1004", "10[].Nile" → "10[]".</summary>
    public static string Sequence(string id) => id.Split('.', 2)[0];
}
