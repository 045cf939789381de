using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Pbs;

/// <summary>
/// PBS is usable when qsub and qstat are found and <c>qstat --version</c> names a dialect. They are taken from
/// <c>$PBS_EXEC/bin</c> (from the environment, else from <c>$PBS_CONF_FILE</c> or <c>/etc/pbs.conf</c>, as PBS Pro
/// installs itself) when that names an installation, whatever PATH holds; else from PATH. SchedMD's PBS wrappers over
/// SLURM are recognised and not offered by auto-detection (SLURM is, and comes first); they can be chosen by name.
/// </summary>
/// <param name="runner">The process seam.</param>
/// <param name="pbsConfFile">PBS's configuration file; default $PBS_CONF_FILE, else /etc/pbs.conf.</param>
/// <param name="slurmBehindWrappers">Makes the SLURM back end that reports how jobs ended when the PBS commands are SchedMD's
/// wrappers over SLURM (the registration supplies it: one back end does not make another).</param>
public sealed class PbsProbe(
    IProcessRunner runner,
    string? pbsConfFile = null,
    Func<IProcessRunner, IScheduler>? slurmBehindWrappers = null
) : ISchedulerProbe
{
    private static readonly IReadOnlySet<string> PbsPrograms = new HashSet<string>
    {
        "qsub",
        "qstat",
        "qdel",
        "qselect",
        "qhold",
        "qrls",
        "qrerun",
        "qalter",
        "qmove",
    };
    private PbsIdentity? _identity;
    private IProcessRunner? _located;
    private IProcessRunner Runner => _located ?? runner;

    public SchedulerKind Kind => SchedulerKind.Pbs;

    /// <summary>$PBS_EXEC/bin when it holds qsub and qstat, from the environment or PBS's configuration file; else null.</summary>
    public static string? PbsExecBin(string? pbsConfFile = null)
    {
        var exec = Environment.GetEnvironmentVariable("PBS_EXEC");
        if (string.IsNullOrWhiteSpace(exec))
        {
            var conf =
                pbsConfFile
                ?? (Environment.GetEnvironmentVariable("PBS_CONF_FILE") is { Length: > 0 } c ? c : "/etc/pbs.conf");
            try
            {
                exec = File.Exists(conf)
                    ? File.ReadLines(conf)
                        .Select(l => l.Trim())
                        .FirstOrDefault(l => l.StartsWith("PBS_EXEC=", StringComparison.Ordinal))
                        ?[9..].Trim()
                    : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                exec = null;
            }
        }
        if (string.IsNullOrWhiteSpace(exec))
            return null;
        var bin = Path.Combine(exec, "bin");
        return File.Exists(Path.Combine(bin, "qstat")) && File.Exists(Path.Combine(bin, "qsub")) ? bin : null;
    }

    public async Task<SchedulerCandidate> ProbeAsync(bool requestedByName, CancellationToken cancellationToken)
    {
        _located = null;
        var (qstat, onPath, wrapper) = runner.Location is null
            ? FindHere()
            : await FindThereAsync(cancellationToken).ConfigureAwait(false);
        if (!onPath)
            return new SchedulerCandidate(
                Kind,
                false,
                "qsub/qstat are not on PATH, and no PBS_EXEC names a PBS installation"
                    + (runner.Location is { } there ? $" on {there}" : "")
            );
        var (r, unusable) = await ProbeCommand
            .RunAsync(Runner, Kind, "qstat", ["--version"], cancellationToken)
            .ConfigureAwait(false);
        if (r is null)
            return unusable!;
        _identity = PbsIdentity.FromVersionOutput(r, wrapper);
        if (_identity.Dialect is null)
            return new SchedulerCandidate(Kind, false, $"qstat --version names no PBS dialect: {_identity.Evidence}");
        var what =
            $"{_identity.Dialect} dialect: {_identity.Evidence}"
            + (_located is CommandDirectoryRunner d ? $" (commands in {d.Directory})" : "");
        if (wrapper && !requestedByName)
            return new SchedulerCandidate(
                Kind,
                false,
                $"{what}; not chosen automatically (use SLURM itself, or -Scheduler Pbs)"
            );
        return new SchedulerCandidate(Kind, true, what);
    }

    /// <summary>
    /// qstat on this machine: in $PBS_EXEC/bin when PBS's configuration names its installation, whatever PATH holds
    /// (Grid Engine's and SLURM's wrappers have programs of the same names); else on PATH.
    /// </summary>
    private (string? Qstat, bool OnPath, bool Wrapper) FindHere()
    {
        if (PbsExecBin(pbsConfFile) is { } bin)
        {
            _located = new CommandDirectoryRunner(runner, bin, PbsPrograms);
            var there = Path.Combine(bin, "qstat");
            return (there, true, PbsIdentity.IsSlurmWrapperFile(there));
        }
        var qstat = ProgramLocator.Find("qstat");
        var onPath = ProgramLocator.Find("qsub") is not null && qstat is not null;
        return (qstat, onPath, PbsIdentity.IsSlurmWrapperFile(qstat));
    }

    /// <summary>The same search on a cluster reached over SSH, through its commands (its pbs.conf, command -v, head).</summary>
    private async Task<(string? Qstat, bool OnPath, bool Wrapper)> FindThereAsync(CancellationToken ct)
    {
        var exec = await runner
            .RunAsync(
                "sh",
                [
                    "-c",
                    "f=${PBS_CONF_FILE:-/etc/pbs.conf}; [ -r \"$f\" ] && . \"$f\" >/dev/null 2>&1; printf %s \"$PBS_EXEC\"",
                ],
                null,
                ct
            )
            .ConfigureAwait(false);
        var bin = exec.StandardOutput.Trim() is { Length: > 0 } e ? e.TrimEnd('/') + "/bin" : null;
        if (
            bin is not null
            && await runner.HasProgramAsync(bin + "/qstat", ct).ConfigureAwait(false)
            && await runner.HasProgramAsync(bin + "/qsub", ct).ConfigureAwait(false)
        )
        {
            _located = new CommandDirectoryRunner(runner, bin, PbsPrograms);
            return (bin + "/qstat", true, false);
        }
        var where = await runner.RunAsync("sh", ["-c", "command -v qstat"], null, ct).ConfigureAwait(false);
        var qstat = where.Succeeded ? where.StandardOutput.Trim() : null;
        var onPath = qstat is not null && await runner.HasProgramAsync("qsub", ct).ConfigureAwait(false);
        var wrapper =
            qstat is not null
            && PbsIdentity.IsSlurmWrapperText(
                (await runner.RunAsync("head", ["-c", "8192", qstat], null, ct).ConfigureAwait(false)).StandardOutput
            );
        return (qstat, onPath, wrapper);
    }

    public IScheduler Create()
    {
        var identity = _identity ?? throw new InvalidOperationException("probe first");
        return new PbsScheduler(identity, Runner, identity.IsSlurmWrapper ? slurmBehindWrappers?.Invoke(runner) : null);
    }
}
