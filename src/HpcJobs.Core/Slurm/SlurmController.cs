using System.Globalization;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Slurm;

/// <summary>
/// What this session knows of the SLURM controller: its configuration (<c>scontrol show config</c>, read once) and
/// whether accounting answers. The one piece of mutable state the SLURM back end's files share.
/// </summary>
internal sealed class SlurmController(SchedulerCommands commands)
{
    private Dictionary<string, string>? _config;
    private volatile bool _accountingDisabled;

    /// <summary>True once sacct said "accounting storage is disabled": finished jobs are known only until MinJobAge.</summary>
    public bool AccountingDisabled => _accountingDisabled;

    /// <summary>Notes whether sacct answers (Get-HpcScheduler -Detailed asks it directly).</summary>
    public void AccountingAnswers(bool answers) => _accountingDisabled = !answers;

    /// <summary>True (and accounting is noted as off) when <paramref name="sacct"/> said that accounting is disabled.</summary>
    public bool SaysAccountingIsOff(ProcessResult sacct)
    {
        if (!sacct.StandardError.Contains("accounting storage is disabled", StringComparison.OrdinalIgnoreCase))
            return false;
        _accountingDisabled = true;
        return true;
    }

    /// <summary>The controller's configuration (<c>scontrol show config</c>), read once per session.</summary>
    public async Task<Dictionary<string, string>> ConfigAsync(CancellationToken ct)
    {
        if (_config is not null)
            return _config;
        var r = await commands.RunAsync("scontrol", ["show", "config"], ct).ConfigureAwait(false);
        if (!r.Succeeded)
            throw new SchedulerUnavailableException($"scontrol show config failed: {r.StandardError.Trim()}");
        var config = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in r.StandardOutput.Split('\n'))
        {
            var eq = line.IndexOf(" = ", StringComparison.Ordinal);
            if (eq > 0)
                config[line[..eq].Trim()] = line[(eq + 3)..].Trim();
        }
        return _config = config;
    }

    /// <summary>
    /// The largest array index SLURM accepts plus one (MaxArraySize); null when the controller does not say (then sbatch
    /// refuses with its own message).
    /// </summary>
    public async Task<int?> MaxArraySizeAsync(CancellationToken ct)
    {
        try
        {
            var config = await ConfigAsync(ct).ConfigureAwait(false);
            return int.TryParse(config.GetValueOrDefault("MaxArraySize"), CultureInfo.InvariantCulture, out var n)
                ? n
                : null;
        }
        catch (SchedulerUnavailableException)
        {
            return null;
        }
    }

    /// <summary>
    /// MinJobAge (from the configuration when this session has read it; SLURM's default of 300 s before) plus ten minutes
    /// for slurmdbd to catch up: see <see cref="JobMemory.ForgetWindow"/>.
    /// </summary>
    public TimeSpan ForgetWindow =>
        JobMemory.ForgetWindow(
            TimeSpan.FromSeconds(
                int.TryParse(
                    (_config?.GetValueOrDefault("MinJobAge") ?? "300").Split(' ')[0],
                    CultureInfo.InvariantCulture,
                    out var s
                )
                    ? s
                    : 300
            ),
            TimeSpan.FromMinutes(10)
        );
}
