namespace HpcJobs;

/// <summary>
/// Text for the module's format views (HpcJobs.format.ps1xml): list values wrapped between words, so an 80-column
/// terminal never cuts one in two, as PowerShell's own wrapping at the window's edge does.
/// </summary>
public static class FormatText
{
    /// <summary>The width a list value gets in an 80-column terminal beside a label of up to 14 characters.</summary>
    public const int ListValueWidth = 62;

    /// <summary>
    /// <paramref name="text"/>'s lines, each wrapped between words at <paramref name="width"/>, continuation lines
    /// indented by two spaces; a word longer than the width stays whole on its own line.
    /// </summary>
    public static string Wrap(string? text, int width = ListValueWidth)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var lines = new List<string>();
        foreach (var paragraph in text.Split('\n'))
        {
            var line = "";
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.Length > 0 && line.Length + 1 + word.Length > width)
                {
                    lines.Add(line);
                    line = "  " + word;
                }
                else
                    line = line.Length == 0 ? word : $"{line} {word}";
            }
            lines.Add(line);
        }
        return string.Join("\n", lines);
    }
}
