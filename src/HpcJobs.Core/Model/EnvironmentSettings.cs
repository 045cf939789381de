using System.Globalization;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Model;

/// <summary>
/// Reads HpcJobs' environment settings, all by one rule: unset means the default; a value that is not what the setting
/// takes is an <see cref="HpcErrors.InvalidSetting"/> error naming the variable, the value and what is valid, never
/// silently the default. Code that must not fail on a bad value (the Local daemon) asks with <c>orDefault</c>.
/// </summary>
public static class EnvironmentSettings
{
    /// <summary>
    /// The folder relative paths in settings are taken against: PowerShell's current location, which the cmdlet layer
    /// sets for the call (the process's own current directory is wherever pwsh was started).
    /// </summary>
    public static readonly AsyncLocal<string?> RelativeTo = new();

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>; null when unset.</summary>
    public static int? WholeNumber(string variable, int min, int max, string what, bool orDefault = false)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (
            int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n >= min
            && n <= max
        )
            return n;
        return orDefault ? null : throw Invalid(variable, text, $"{what}, {Range(min, max)}");
    }

    /// <summary>A number of seconds above 0 and at most <paramref name="max"/>; null when unset.</summary>
    public static TimeSpan? Seconds(string variable, double max, bool orDefault = false)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (
            double.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s)
            && s > 0
            && s <= max
        )
            return TimeSpan.FromSeconds(s);
        return orDefault
            ? null
            : throw Invalid(variable, text, $"a number of seconds greater than 0 and at most {max}");
    }

    /// <summary>A switch: 1 (on) or 0 (off); null when unset.</summary>
    public static bool? Switch(string variable)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text))
            return null;
        return text.Trim() switch
        {
            "1" => true,
            "0" => false,
            _ => throw Invalid(variable, text, "1 (on) or 0 (off)"),
        };
    }

    private static string Range(int min, int max) => max == int.MaxValue ? $"at least {min}" : $"from {min} to {max}";

    private static HpcErrorException Invalid(string variable, string text, string valid) =>
        new(HpcErrors.InvalidSetting, $"${variable} is '{text}'; it must be {valid} (or unset for the default).");
}
