namespace HpcJobs.Core.Tests.Support;

/// <summary>
/// A recorded scheduler capture from TestData (copied from shared/fixtures with its provenance header): the header lines,
/// then the marker, then stdout, optionally "#### stderr" and stderr, then "#### exit code: N".
/// </summary>
public sealed record Fixture(string Command, string StdOut, string StdErr, int ExitCode, string Header)
{
    private const string Marker = "# === verbatim scheduler output follows (everything below this line) ===";

    public static Fixture Load(string relativePath)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", relativePath));
        var at = text.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
            throw new InvalidDataException($"{relativePath}: no marker line");
        var header = text[..at];
        var body = text[(at + Marker.Length + 1)..];
        var command =
            header
                .Split('\n')
                .FirstOrDefault(l => l.StartsWith("# command: ", StringComparison.Ordinal))
                ?["# command: ".Length..]
            ?? "";
        var exitAt = body.LastIndexOf("#### exit code: ", StringComparison.Ordinal);
        var exitCode = exitAt < 0 ? 0 : int.Parse(body[(exitAt + 16)..].Trim());
        var outputs = exitAt < 0 ? body : body[..exitAt];
        var errAt = outputs.IndexOf("#### stderr\n", StringComparison.Ordinal);
        return errAt < 0
            ? new Fixture(command, outputs, "", exitCode, header)
            : new Fixture(command, outputs[..errAt], outputs[(errAt + 12)..], exitCode, header);
    }

    /// <summary>
    /// The PBS/Torque collection's files: header, marker, then output; several captures in one file each start with a
    /// "#### &lt;command&gt;" line (not output). JSON files hold only the output. Returns (title, text) per capture.
    /// </summary>
    public static List<(string Title, string Text)> Captures(string relativePath)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", relativePath));
        var at = text.IndexOf(Marker, StringComparison.Ordinal);
        if (at >= 0)
            text = text[(at + Marker.Length + 1)..];
        var result = new List<(string, string)>();
        string title = "";
        var current = new System.Text.StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("#### ", StringComparison.Ordinal))
            {
                if (current.Length > 0 || title.Length > 0)
                    result.Add((title, current.ToString()));
                title = line[5..];
                current.Clear();
                continue;
            }
            current.Append(line).Append('\n');
        }
        if (current.ToString().Trim().Length > 0 || title.Length > 0)
            result.Add((title, current.ToString()));
        return result;
    }

    public static IEnumerable<string> All(string folder, string suffix) =>
        Directory
            .GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData", folder), "*" + suffix)
            .Select(f => Path.Combine(folder, Path.GetFileName(f)))
            .Order();
}
