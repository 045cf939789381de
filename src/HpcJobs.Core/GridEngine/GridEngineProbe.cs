using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.GridEngine;

/// <summary>What <c>qstat -help</c>'s first line says: SGE 8.1.9 (Son of Grid Engine), OGS/GE 2011.11, UGE 8.5.4, AGE 2024.1.</summary>
public sealed record GridEngineIdentity(string Product, string? Version, string Root, string Cell)
{
    /// <summary>The first line of <c>qstat -help</c>, or null when it names no Grid Engine.</summary>
    public static (string Product, string? Version)? FromHelp(string output)
    {
        var first = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        var parts = first.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 0 && parts[0] is "SGE" or "OGS/GE" or "GE" or "UGE" or "AGE" or "OGE"
            ? (parts[0], parts.Length > 1 ? parts[1] : null)
            : null;
    }

    public string Name =>
        Product switch
        {
            "UGE" => "Univa Grid Engine",
            "AGE" => "Altair Grid Engine",
            "OGS/GE" => "Open Grid Scheduler",
            _ => "Son of Grid Engine",
        };
}

/// <summary>
/// Grid Engine is usable when its cell is found and <c>qstat -help</c> names it. The programs are taken from the cell's
/// own installation, <c>$SGE_ROOT/bin/$ARCH</c> ($SGE_ROOT from the environment, else Debian's /etc/default/gridengine),
/// whatever PATH holds: PBS and SLURM's wrappers ship programs of the same names. They run with SGE_ROOT and SGE_CELL set,
/// as Grid Engine's settings.sh would set them.
/// </summary>
public sealed class GridEngineProbe(IProcessRunner runner) : ISchedulerProbe
{
    private static readonly IReadOnlySet<string> Programs = new HashSet<string>
    {
        "qsub",
        "qstat",
        "qdel",
        "qacct",
        "qhold",
        "qrls",
        "qmod",
        "qalter",
        "qconf",
        "qselect",
    };

    /// <summary>
    /// Finds the cell the way Grid Engine's settings.sh and Debian's wrapper do, on this machine or over SSH alike: prints
    /// SGE_ROOT, SGE_CELL and the architecture, one per line.
    /// </summary>
    private const string FindCell = """
        if [ -z "$SGE_ROOT" ] && [ -r /etc/default/gridengine ]; then . /etc/default/gridengine >/dev/null 2>&1; fi
        [ -n "$SGE_ROOT" ] && [ -d "$SGE_ROOT" ] || exit 3
        arch=$("$SGE_ROOT/util/arch" 2>/dev/null)
        printf '%s\n%s\n%s\n' "$SGE_ROOT" "${SGE_CELL:-default}" "$arch"
        """;

    private GridEngineIdentity? _identity;
    private IProcessRunner? _located;

    public SchedulerKind Kind => SchedulerKind.GridEngine;

    public async Task<SchedulerCandidate> ProbeAsync(bool requestedByName, CancellationToken cancellationToken)
    {
        _located = null;
        var there = runner.Location is { } at ? $" on {at}" : "";
        var (found, unusable) = await ProbeCommand
            .RunAsync(runner, Kind, "sh", ["-c", FindCell], cancellationToken)
            .ConfigureAwait(false);
        if (found is null)
            return unusable!;
        var lines = found.StandardOutput.Split('\n').Select(l => l.Trim()).ToList();
        if (!found.Succeeded || lines.Count < 3 || lines[2].Length == 0)
            return new SchedulerCandidate(
                Kind,
                false,
                $"no Grid Engine cell{there}: SGE_ROOT is not set, and /etc/default/gridengine names none"
            );
        var (root, cell, arch) = (lines[0], lines[1], lines[2]);
        var bin = $"{root.TrimEnd('/')}/bin/{arch}";
        var located = new CommandDirectoryRunner(
            runner,
            bin,
            Programs,
            new Dictionary<string, string?> { ["SGE_ROOT"] = root, ["SGE_CELL"] = cell }
        );
        if (!await located.HasProgramAsync("qstat", cancellationToken).ConfigureAwait(false))
            return new SchedulerCandidate(Kind, false, $"SGE_ROOT {root}{there} has no {bin}/qstat");
        var (help, failed) = await ProbeCommand
            .RunAsync(located, Kind, "qstat", ["-help"], cancellationToken)
            .ConfigureAwait(false);
        if (help is null)
            return failed!;
        if (GridEngineIdentity.FromHelp(help.StandardOutput + help.StandardError) is not var (product, version))
            return new SchedulerCandidate(
                Kind,
                false,
                $"{bin}/qstat -help names no Grid Engine: {ShellQuote.LastLine(help.StandardOutput + help.StandardError)}"
            );
        _identity = new GridEngineIdentity(product, version, root, cell);
        _located = located;
        return new SchedulerCandidate(
            Kind,
            true,
            $"{_identity.Name} {version} (SGE_ROOT={root}, SGE_CELL={cell}; commands in {bin})"
        );
    }

    public IScheduler Create() =>
        new GridEngineScheduler(
            _identity ?? throw new InvalidOperationException("probe first"),
            _located ?? throw new InvalidOperationException("probe first")
        );
}
