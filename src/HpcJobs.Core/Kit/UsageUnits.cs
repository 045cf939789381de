using System.Globalization;

namespace HpcJobs.Core.Kit;

/// <summary>The duration and size formats accounting tools print (sacct, qstat's resources_used).</summary>
public static class UsageUnits
{
    /// <summary>
    /// <c>[D-][HH:]MM:SS[.mmm]</c> as sacct prints TotalCPU and Timelimit, and <c>HH:MM:SS</c> as PBS prints cput and
    /// walltime; null for empty, UNLIMITED, Partition_Limit or anything else.
    /// </summary>
    public static TimeSpan? ParseDuration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var t = text.Trim();
        var days = 0;
        var dash = t.IndexOf('-');
        if (dash > 0)
        {
            if (!int.TryParse(t[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out days))
                return null;
            t = t[(dash + 1)..];
        }
        var parts = t.Split(':');
        if (parts.Length is < 2 or > 3)
            return null;
        var numbers = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (
                !double.TryParse(parts[i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out numbers[i])
            )
                return null;
        var seconds =
            parts.Length == 3 ? numbers[0] * 3600 + numbers[1] * 60 + numbers[2] : numbers[0] * 60 + numbers[1];
        return TimeSpan.FromDays(days) + TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// Sizes with a binary unit suffix: sacct's <c>219804K</c>, <c>1.5G</c>, <c>1000M</c> (a trailing n/c, per node or per
    /// CPU in SLURM before 21.08, is left to the caller); PBS's <c>219804kb</c>, <c>100mb</c>. A bare number is bytes
    /// (PBS) unless <paramref name="bareUnit"/> says otherwise. Null for empty or unreadable text.
    /// </summary>
    public static long? ParseSize(string? text, long bareUnit = 1)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var t = text.Trim().TrimEnd('n', 'c').ToUpperInvariant();
        if (t.EndsWith('B'))
            t = t[..^1];
        var multiplier =
            t.Length > 0
                ? t[^1] switch
                {
                    'K' => 1024L,
                    'M' => 1024L * 1024,
                    'G' => 1024L * 1024 * 1024,
                    'T' => 1024L * 1024 * 1024 * 1024,
                    'P' => 1024L * 1024 * 1024 * 1024 * 1024,
                    _ => 0,
                }
                : 0;
        var number = multiplier == 0 ? t : t[..^1];
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            return null;
        return (long)Math.Round(value * (multiplier == 0 ? bareUnit : multiplier));
    }

    /// <summary>A local time without offset, as squeue, sacct and Grid Engine's qstat -xml print it: 2026-12-06T10:13:12.</summary>
    public static DateTimeOffset? ParseLocalTime(string? text) =>
        DateTime.TryParseExact(
            text?.Trim(),
            "yyyy-MM-dd'T'HH:mm:ss",
            System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeLocal,
            out var t
        )
            ? new DateTimeOffset(t)
            : null;
}
