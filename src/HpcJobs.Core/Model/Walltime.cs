using System.Globalization;
using System.Text.RegularExpressions;

namespace HpcJobs.Core.Model;

/// <summary>
/// Parses walltimes in the forms HPC users type: <c>HH:MM:SS</c>, <c>MM:SS</c>, <c>D-HH[:MM[:SS]]</c>, .NET's <c>d.hh:mm:ss</c>,
/// and unit forms <c>90m</c>, <c>2h</c>, <c>1d</c>, <c>1h30m</c>. A bare number is refused: SLURM reads it as minutes, PBS as seconds.
/// </summary>
public static partial class Walltime
{
    public static readonly TimeSpan Maximum = TimeSpan.FromDays(365);

    [GeneratedRegex(
        @"^(?:(?<d>\d+)-)?(?<h>\d+)(?::(?<m>\d{1,2}))?(?::(?<s>\d{1,2}))?\z",
        RegexOptions.CultureInvariant
    )]
    private static partial Regex DayDashPattern();

    [GeneratedRegex(@"^(?<d>\d+)\.(?<h>\d{1,2}):(?<m>\d{1,2}):(?<s>\d{1,2})(\.\d+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex DotNetPattern();

    [GeneratedRegex(
        @"^(?:(?<d>\d+(\.\d+)?)d)?(?:(?<h>\d+(\.\d+)?)h)?(?:(?<m>\d+(\.\d+)?)(m|min))?(?:(?<s>\d+(\.\d+)?)s)?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant
    )]
    private static partial Regex UnitPattern();

    public static TimeSpan Parse(string text)
    {
        var t = (text ?? "").Trim();
        // "2 h", "1h 30m": spaces between numbers and units, as memory sizes allow ("5 GB")
        if (UnitPattern().IsMatch(t.Replace(" ", "", StringComparison.Ordinal)) && Regex.IsMatch(t, @"[a-zA-Z]"))
            t = t.Replace(" ", "", StringComparison.Ordinal);
        if (t.Length == 0)
            throw new InvalidResourceSpecException("Walltime", text, "empty");
        if (Regex.IsMatch(t, @"^\d+$"))
            throw new InvalidResourceSpecException(
                "Walltime",
                text,
                "a bare number is ambiguous (minutes to SLURM, seconds to PBS); write 90m, 2h, 1d or HH:MM:SS"
            );
        TimeSpan result;
        Match m;
        if ((m = DotNetPattern().Match(t)).Success)
            result = new TimeSpan(
                int.Parse(m.Groups["d"].Value, CultureInfo.InvariantCulture),
                Int(m, "h"),
                Int(m, "m"),
                Int(m, "s")
            );
        else if ((m = DayDashPattern().Match(t)).Success)
        {
            var hasDay = m.Groups["d"].Success;
            var parts = new[] { m.Groups["h"], m.Groups["m"], m.Groups["s"] }
                .Where(g => g.Success)
                .Select(g => long.Parse(g.Value, CultureInfo.InvariantCulture))
                .ToArray();
            long seconds =
                hasDay
                    // D-HH, D-HH:MM, D-HH:MM:SS
                    ? parts.Length switch
                    {
                        1 => parts[0] * 3600,
                        2 => parts[0] * 3600 + parts[1] * 60,
                        _ => parts[0] * 3600 + parts[1] * 60 + parts[2],
                    }
                // MM:SS or HH:MM:SS
                : parts.Length == 2 ? parts[0] * 60 + parts[1]
                : parts[0] * 3600 + parts[1] * 60 + parts[2];
            if (hasDay)
                seconds += long.Parse(m.Groups["d"].Value, CultureInfo.InvariantCulture) * 86400;
            if (parts.Length >= 2 && parts[1] >= 60 || parts.Length == 3 && parts[2] >= 60)
                throw new InvalidResourceSpecException("Walltime", text, "minutes and seconds must be below 60");
            result = TimeSpan.FromSeconds(Math.Min(seconds, (long)Maximum.TotalSeconds + 1));
        }
        else if ((m = UnitPattern().Match(t)).Success && t.Length > 0)
        {
            double D(string g) =>
                m.Groups[g].Success ? double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture) : 0;
            var seconds = D("d") * 86400 + D("h") * 3600 + D("m") * 60 + D("s");
            result = TimeSpan.FromSeconds(Math.Min(Math.Round(seconds), Maximum.TotalSeconds + 1));
        }
        else
            throw new InvalidResourceSpecException("Walltime", text, "expected HH:MM:SS, D-HH:MM:SS, 90m, 2h or 1d");
        return Validate(result, text);
    }

    public static TimeSpan Validate(TimeSpan value, object? shown = null)
    {
        shown ??= value;
        if (value <= TimeSpan.Zero)
            throw new InvalidResourceSpecException("Walltime", shown, "must be longer than zero");
        if (value > Maximum)
            throw new InvalidResourceSpecException("Walltime", shown, "must be at most 365 days");
        if (value.Ticks % TimeSpan.TicksPerSecond != 0)
            throw new InvalidResourceSpecException("Walltime", shown, "must be whole seconds");
        return value;
    }

    /// <summary>SLURM's <c>D-HH:MM:SS</c>.</summary>
    public static string ToSlurm(TimeSpan t) =>
        t.Days > 0
            ? $"{t.Days}-{t.Hours:00}:{t.Minutes:00}:{t.Seconds:00}"
            : $"{t.Hours:00}:{t.Minutes:00}:{t.Seconds:00}";

    /// <summary>PBS's <c>HH:MM:SS</c>, hours may exceed 24 (never the <c>1.0:0:0</c> form PBS rejects).</summary>
    public static string ToPbs(TimeSpan t) => $"{(long)t.TotalHours:00}:{t.Minutes:00}:{t.Seconds:00}";

    private static int Int(Match m, string g) => int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
}
