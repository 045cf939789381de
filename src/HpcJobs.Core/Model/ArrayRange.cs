using System.Globalization;
using System.Text.RegularExpressions;

namespace HpcJobs.Core.Model;

/// <summary>
/// An array job's task indices with an optional throttle: <c>0-99</c>, <c>1,3,5-7</c>, <c>0-99:2</c>, <c>0-99%10</c>.
/// Kept as the user wrote it (normalised) so that back ends can pass it on in the scheduler's own syntax.
/// </summary>
public sealed partial record ArrayRange
{
    public const int MaxTasks = 1_000_000;

    private ArrayRange(
        IReadOnlyList<int> indices,
        IReadOnlyList<(int Start, int End, int Step)> segments,
        int? throttle
    )
    {
        Indices = indices;
        Segments = segments;
        Throttle = throttle;
    }

    public IReadOnlyList<int> Indices { get; }
    public IReadOnlyList<(int Start, int End, int Step)> Segments { get; }

    /// <summary>At most this many tasks run at once.</summary>
    public int? Throttle { get; }
    public int Count => Indices.Count;

    [GeneratedRegex(@"^(?<a>\d+)(?:-(?<b>\d+)(?::(?<s>\d+))?)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentPattern();

    public static ArrayRange Parse(string text)
    {
        var t = (text ?? "").Trim();
        int? throttle = null;
        var pct = t.IndexOf('%');
        if (pct >= 0)
        {
            if (!int.TryParse(t[(pct + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var th) || th < 1)
                throw Bad(text, "the throttle after % must be a whole number of at least 1");
            throttle = th;
            t = t[..pct];
        }
        if (t.Length == 0)
            throw Bad(text, "no indices");
        var segments = new List<(int, int, int)>();
        var set = new SortedSet<int>();
        foreach (var part in t.Split(','))
        {
            var m = SegmentPattern().Match(part.Trim());
            if (!m.Success)
                throw Bad(text, $"'{part}' is not N, N-M or N-M:STEP");
            if (!int.TryParse(m.Groups["a"].Value, CultureInfo.InvariantCulture, out var a))
                throw Bad(text, "index too large");
            var b = a;
            var step = 1;
            if (m.Groups["b"].Success && !int.TryParse(m.Groups["b"].Value, CultureInfo.InvariantCulture, out b))
                throw Bad(text, "index too large");
            if (
                m.Groups["s"].Success
                && (!int.TryParse(m.Groups["s"].Value, CultureInfo.InvariantCulture, out step) || step < 1)
            )
                throw Bad(text, "the step must be at least 1");
            if (b < a)
                throw Bad(text, $"'{part}' ends before it starts");
            if ((long)(b - a) / step + 1 + set.Count > MaxTasks)
                throw Bad(text, $"more than {MaxTasks} tasks");
            for (long i = a; i <= b; i += step)
                set.Add((int)i);
            segments.Add((a, b, step));
        }
        return new ArrayRange(set.ToArray(), segments, throttle);
    }

    /// <summary>SLURM's and Torque's syntax: <c>1,3,5-7:2%10</c>.</summary>
    public override string ToString()
    {
        var body = string.Join(
            ',',
            Segments.Select(s =>
                s.Start == s.End ? $"{s.Start}"
                : s.Step == 1 ? $"{s.Start}-{s.End}"
                : $"{s.Start}-{s.End}:{s.Step}"
            )
        );
        return Throttle is null ? body : $"{body}%{Throttle}";
    }

    private static InvalidJobRequestException Bad(string? text, string why) =>
        new(
            $"ArrayRange '{text}' is not valid: {why}. Examples: 0-99, 1,3,5-7, 0-99:2, 0-99%10.",
            HpcErrors.InvalidArrayRange
        );
}
