using HpcJobs.Core.Model;

namespace HpcJobs.Core.Local;

/// <summary>
/// The Local scheduler's settings, each read and checked in one place: a value that is not what the setting takes is an
/// <see cref="Model.HpcErrors.InvalidSetting"/> error naming it (never silently the default), and the daemon, which must not
/// die of a bad value, asks for the default instead with <c>orDefault</c>.
/// </summary>
public static class LocalSettings
{
    public const string CpusVariable = "HPCJOBS_LOCAL_CPUS";
    public const string IdleVariable = "HPCJOBS_LOCAL_DAEMON_IDLE";

    /// <summary>Days a finished job's record is kept (like SLURM's MinJobAge and accounting purge); default 30, 0 keeps all.</summary>
    public const string RetentionVariable = "HPCJOBS_LOCAL_RETENTION_DAYS";

    /// <summary>Seconds a client waits for the daemon to answer a request other than a wait (default 30).</summary>
    public const string RequestTimeoutVariable = "HPCJOBS_LOCAL_REQUEST_TIMEOUT";

    public static TimeSpan RequestTimeout =>
        EnvironmentSettings.Seconds(RequestTimeoutVariable, 3600) ?? TimeSpan.FromSeconds(30);

    private const int MaxCpus = 100_000;

    /// <summary>Slots: $HPCJOBS_LOCAL_CPUS, else the machine's CPU count.</summary>
    public static int Cpus(bool orDefault = false) =>
        Read(CpusVariable, 1, MaxCpus, "a whole number of CPU slots", orDefault) ?? Environment.ProcessorCount;

    /// <summary>$HPCJOBS_LOCAL_CPUS when set (for reports that say where the number came from).</summary>
    public static int? ConfiguredCpus() => Read(CpusVariable, 1, MaxCpus, "a whole number of CPU slots", false);

    /// <summary>Seconds the daemon stays without jobs or requests before it exits (default 60).</summary>
    public static TimeSpan DaemonIdle(bool orDefault = false) =>
        TimeSpan.FromSeconds(Read(IdleVariable, 1, 7 * 86_400, "a whole number of seconds", orDefault) ?? 60);

    /// <summary>
    /// How long finished records are kept; null keeps them all (0, or more days than a TimeSpan can count: "forever").
    /// </summary>
    public static TimeSpan? RetentionDays(bool orDefault = false)
    {
        var days =
            Read(RetentionVariable, 0, int.MaxValue, "a whole number of days (0 keeps every record)", orDefault) ?? 30;
        return days == 0 || days > 3_650_000 ? null : TimeSpan.FromDays(days);
    }

    /// <summary>Checks every setting, so a bad one is reported before anything is submitted.</summary>
    public static void Validate()
    {
        Cpus();
        DaemonIdle();
        RetentionDays();
        _ = RequestTimeout;
    }

    private static int? Read(string variable, int min, int max, string what, bool orDefault) =>
        EnvironmentSettings.WholeNumber(variable, min, max, what, orDefault);
}
