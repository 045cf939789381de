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
    private const double Day = 86_400;

    public static TimeSpan Command => EnvironmentSettings.Seconds(CommandVariable, Day) ?? TimeSpan.FromSeconds(120);
    public static TimeSpan Probe => EnvironmentSettings.Seconds(ProbeVariable, Day) ?? TimeSpan.FromSeconds(10);
}
