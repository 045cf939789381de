using System.Globalization;
using System.Text.RegularExpressions;

namespace HpcJobs.Core.Model;

/// <summary>
/// Parses and prints memory sizes. Units are binary, as SLURM and PBS read them (1 MB = 1 MiB = 1024² bytes).
/// A bare number is bytes, because that is what PowerShell makes of <c>4GB</c>.
/// </summary>
public static partial class ByteSize
{
    /// <summary>Whole MiB, rounded up: what SLURM (M) and PBS (mb) take.</summary>
    public static long WholeMiB(long bytes) => (bytes + MiB - 1) / MiB;

    public const long MiB = 1024L * 1024;
    public const long Minimum = MiB;
    public const long Maximum = 1024L * 1024 * 1024 * 1024 * 1024; // 1 PiB

    [GeneratedRegex(
        @"^\s*(?<n>\d+(\.\d+)?)\s*(?<u>[kmgtp]?)(i?b)?\s*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant
    )]
    private static partial Regex SizePattern();

    public static long Parse(string? text, string field = "Memory")
    {
        text ??= "";
        var m = SizePattern().Match(text);
        if (!m.Success)
            throw new InvalidResourceSpecException(field, text, "expected a size such as 512MB, 4GB or 1.5TB");
        var number = decimal.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
        var unit = m.Groups["u"].Value.ToUpperInvariant();
        var hasUnit = unit.Length > 0 || text.Trim().EndsWith("b", StringComparison.OrdinalIgnoreCase);
        var multiplier = unit switch
        {
            "K" => 1024m,
            "M" => MiB,
            "G" => 1024m * MiB,
            "T" => 1024m * 1024 * MiB,
            "P" => 1024m * 1024 * 1024 * MiB,
            _ => 1m,
        };
        decimal bytes;
        try
        {
            bytes = decimal.Round(number * multiplier);
        }
        catch (OverflowException)
        {
            throw new InvalidResourceSpecException(field, text, "larger than 1PB");
        }
        if (!hasUnit && bytes < Minimum)
            throw new InvalidResourceSpecException(
                field,
                text,
                $"a bare number is bytes; did you mean {text.Trim()}MB?"
            );
        return Validate(bytes > long.MaxValue ? long.MaxValue : (long)bytes, field, text);
    }

    public static long Validate(long bytes, string field = "Memory", object? shown = null)
    {
        shown ??= bytes;
        if (bytes < Minimum)
            throw new InvalidResourceSpecException(field, shown, "must be at least 1MB");
        if (bytes > Maximum)
            throw new InvalidResourceSpecException(field, shown, "must be at most 1PB");
        return bytes;
    }

    /// <summary>A human form for display: 4GB, 1.5TB, 512MB.</summary>
    public static string ToDisplay(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB", "PB"];
        decimal v = bytes;
        var i = 0;
        while (v >= 1024 && i < units.Length - 1)
        {
            v /= 1024;
            i++;
        }
        return decimal.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture) + units[i];
    }
}
