using System.Globalization;
using HpcJobs.Core.Kit;

namespace HpcJobs.Core.Local;

/// <summary>Local job ids: <c>N</c> for a job, <c>N_T</c> for an array task.</summary>
internal static class LocalJobId
{
    public static bool IsValid(string id) =>
        id.Length is > 0 and < 40
        && id.Split('_') is var p
        && p.Length <= 2
        && p.All(s => s.Length > 0 && s.All(char.IsAsciiDigit));

    public static readonly JobIdForm Form = new("Local", IsValid, "123 or 123_4");

    /// <summary>Submission order: by job number, then task (a parent before its tasks).</summary>
    public static (long, long) Order(string id)
    {
        var parts = id.Split('_');
        return (
            long.Parse(parts[0], CultureInfo.InvariantCulture),
            parts.Length > 1 ? long.Parse(parts[1], CultureInfo.InvariantCulture) : -1
        );
    }
}
