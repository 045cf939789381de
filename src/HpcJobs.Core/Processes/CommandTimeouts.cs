using System.Globalization;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Processes;

/// <summary>
/// How long a scheduler command may run before it is killed and reported: no sbatch, squeue or qstat that hangs (a
/// controller that accepts connections but never answers) may hang a cmdlet. Settings: $HPCJOBS_COMMAND_TIMEOUT
/// (seconds, default 120, as long as sbatch's own retries last) and $HPCJOBS_PROBE_TIMEOUT (the auto-detection probe,
/// default 10: a scheduler that does not answer then is passed over).
/// </summary>
public static class CommandTimeouts
{
    public const string CommandVariable = "HPCJOBS_COMMAND_TIMEOUT";
    public const string ProbeVariable = "HPCJOBS_PROBE_TIMEOUT";

    public static TimeSpan Command => Read(CommandVariable, 120);
    public static TimeSpan Probe => Read(ProbeVariable, 10);

    private static TimeSpan Read(string variable, double fallback)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text))
            return TimeSpan.FromSeconds(fallback);
        if (
            double.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s)
            && s is > 0 and <= 86_400
        )
            return TimeSpan.FromSeconds(s);
        throw new HpcErrorException(
            HpcErrors.InvalidSetting,
            $"${variable} is '{text}'; it must be a number of seconds greater than 0 and at most 86400 (or unset for {fallback})."
        );
    }
}
