using System.Globalization;
using System.Text.RegularExpressions;

namespace HpcJobs.Core.Model;

/// <summary>When the scheduler mails the job's owner (-MailType): SLURM --mail-type, PBS -m b/e/a.</summary>
[Flags]
public enum MailEvents
{
    None = 0,
    Begin = 1,
    End = 2,
    Fail = 4,
    All = Begin | End | Fail,
}

/// <summary>
/// A signal sent to the job some seconds before its walltime, so that it can checkpoint (-Signal 'USR1@120', as
/// sbatch's --signal). Parsed by <see cref="Parse"/>, which says what is valid.
/// </summary>
public sealed partial record JobSignal(string Name, int Number, int SecondsBeforeEnd)
{
    /// <summary>sbatch's largest time (and its default, 60 s, when none is given).</summary>
    public const int MaxSeconds = 65535;

    private static readonly Dictionary<string, int> Numbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1,
        ["INT"] = 2,
        ["QUIT"] = 3,
        ["ABRT"] = 6,
        ["KILL"] = 9,
        ["USR1"] = 10,
        ["SEGV"] = 11,
        ["USR2"] = 12,
        ["PIPE"] = 13,
        ["ALRM"] = 14,
        ["TERM"] = 15,
        ["CONT"] = 18,
        ["STOP"] = 19,
        ["TSTP"] = 20,
        ["URG"] = 23,
        ["XCPU"] = 24,
        ["XFSZ"] = 25,
        ["VTALRM"] = 26,
        ["PROF"] = 27,
        ["WINCH"] = 28,
    };

    [GeneratedRegex(@"^(?:SIG)?(?<sig>[A-Za-z0-9]+)(?:@(?<secs>\d{1,6}))?\z", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();

    /// <summary>SIGNAL[@SECONDS]: a name (USR1, SIGUSR1, TERM…) or number 1–64, and 0–65535 seconds (default 60).</summary>
    public static JobSignal Parse(string text)
    {
        var m = Pattern().Match(text.Trim());
        string Invalid(string why) =>
            $"-Signal '{text}' is not valid: {why}. Give SIGNAL[@SECONDS], e.g. 'USR1@120' (SIGUSR1 two minutes before "
            + $"the walltime): a signal name ({string.Join(", ", Numbers.Keys.Take(8))}, …) or number 1-64, "
            + $"and 0-{MaxSeconds} seconds (default 60).";
        if (!m.Success)
            throw new InvalidJobRequestException(
                Invalid("it is not SIGNAL or SIGNAL@SECONDS"),
                HpcErrors.InvalidJobRequest
            );
        var sig = m.Groups["sig"].Value;
        int number;
        string name;
        if (int.TryParse(sig, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            if (n is < 1 or > 64)
                throw new InvalidJobRequestException(Invalid($"there is no signal {n}"), HpcErrors.InvalidJobRequest);
            number = n;
            name = Numbers.FirstOrDefault(kv => kv.Value == n).Key ?? n.ToString(CultureInfo.InvariantCulture);
        }
        else if (Numbers.TryGetValue(sig, out var known))
        {
            number = known;
            name = sig.ToUpperInvariant();
        }
        else
            throw new InvalidJobRequestException(Invalid($"'{sig}' is no signal name"), HpcErrors.InvalidJobRequest);
        var seconds = 60;
        if (m.Groups["secs"].Success)
        {
            seconds = int.Parse(m.Groups["secs"].Value, CultureInfo.InvariantCulture);
            if (seconds > MaxSeconds)
                throw new InvalidJobRequestException(
                    Invalid($"{seconds} seconds is more than {MaxSeconds}"),
                    HpcErrors.InvalidJobRequest
                );
        }
        return new JobSignal(name, number, seconds);
    }

    public override string ToString() => $"{Name}@{SecondsBeforeEnd}";
}

/// <summary>-BeginTime: a point in time, or a time from now.</summary>
public static class BeginTime
{
    /// <summary>
    /// A DateTime or DateTimeOffset as it is; a TimeSpan, or text like '+90m', 'now+2h', '+1d', from now; other text as a
    /// date and time ('2026-12-01 08:00', in this machine's time zone unless it says otherwise).
    /// </summary>
    public static DateTimeOffset From(object value, DateTimeOffset now)
    {
        switch (value)
        {
            case DateTimeOffset at:
                return at;
            case DateTime at:
                return at.Kind == DateTimeKind.Unspecified
                    ? new DateTimeOffset(at, TimeZoneInfo.Local.GetUtcOffset(at))
                    : at;
            case TimeSpan after when after >= TimeSpan.Zero:
                return now + after;
            case TimeSpan before:
                throw new InvalidJobRequestException(
                    $"-BeginTime {before} is a negative TimeSpan: a TimeSpan counts from now, so it must be ahead. Give "
                        + "a positive one, or a date and time.",
                    HpcErrors.InvalidJobRequest
                );
            case string text when !string.IsNullOrWhiteSpace(text):
                var t = text.Trim();
                var relative =
                    t.StartsWith("now+", StringComparison.OrdinalIgnoreCase) ? t[4..]
                    : t.StartsWith('+') ? t[1..]
                    : null;
                if (relative is not null)
                {
                    try
                    {
                        return now + Walltime.Parse(relative);
                    }
                    catch (InvalidResourceSpecException e) when (relative.Length > 0 && char.IsAsciiDigit(relative[0]))
                    {
                        // a duration, but not one a begin time can be (too long, minutes past 59): say why
                        throw new InvalidJobRequestException(
                            $"-BeginTime '{value}': {e.Message.Replace("Walltime", "the time from now", StringComparison.Ordinal)}. "
                                + "Give a time from now such as '+90m', '+2h' or '+1d'.",
                            HpcErrors.InvalidJobRequest
                        );
                    }
                    catch (InvalidResourceSpecException) { }
                }
                else if (
                    DateTimeOffset.TryParse(t, CultureInfo.CurrentCulture, DateTimeStyles.AssumeLocal, out var parsed)
                    || DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out parsed)
                )
                    return parsed;
                break;
        }
        throw new InvalidJobRequestException(
            $"-BeginTime '{value}' is not a time: give a DateTime (Get-Date).AddHours(2), a TimeSpan (from now), "
                + "'+90m', 'now+2h', '+1d' (from now), or a date and time such as '2026-12-01 08:00'.",
            HpcErrors.InvalidJobRequest
        );
    }
}
