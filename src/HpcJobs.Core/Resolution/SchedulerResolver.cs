using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Remote;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Resolution;

/// <summary>
/// Chooses the back end: an explicit name, else $env:HPCJOBS_SCHEDULER, else the first usable of the registered back ends
/// in order (<see cref="BackEnds"/>: SLURM, PBS, Grid Engine, then Local, which is always usable). Probe results are kept for the life
/// of the resolver.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Design",
    "CA1001",
    Justification = "Resolvers live as long as the process (one shared, one per host); the semaphore never makes a wait handle."
)]
public sealed class SchedulerResolver
{
    public const string EnvironmentVariable = "HPCJOBS_SCHEDULER";
    private readonly IReadOnlyList<ISchedulerProbe> _probes;
    private readonly Dictionary<(SchedulerKind, string?), IScheduler> _schedulers = [];
    private readonly Dictionary<(SchedulerKind, bool), SchedulerCandidate> _probed = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<Remote.RemoteHost, SchedulerResolver> _remote = [];

    private readonly bool _remoteOnly;

    public SchedulerResolver(IReadOnlyList<ISchedulerProbe> probes) => _probes = probes;

    private SchedulerResolver(IReadOnlyList<ISchedulerProbe> probes, bool remote)
        : this(probes) => _remoteOnly = remote;

    public static SchedulerResolver CreateDefault(IProcessRunner? runner = null)
    {
        runner ??= CliWrapProcessRunner.Instance;
        return new SchedulerResolver(BackEnds.Probes(runner));
    }

    public static SchedulerKind ParseKind(string name, string source) =>
        // names only: Enum.TryParse would also take "1" (a number) and "Local,Slurm" (flags)
        name.Trim()
            is { Length: > 0 } trimmed
        && trimmed.All(char.IsAsciiLetter)
        && Enum.TryParse<SchedulerKind>(trimmed, ignoreCase: true, out var kind)
        && Enum.IsDefined(kind)
            ? kind
            : throw new SchedulerSelectionException(
                $"{source} names scheduler '{name}'; known schedulers are {string.Join(", ", Enum.GetNames<SchedulerKind>())}."
            );

    public async Task<SchedulerSelection> SelectAsync(SchedulerKind? requested, CancellationToken ct = default)
    {
        if (requested is { } kind)
            return await Explicit(kind, "the -Scheduler parameter", ct).ConfigureAwait(false);
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        // on a cluster over SSH the variable counts only when it names one of its schedulers (Local is this machine's)
        if (
            !string.IsNullOrWhiteSpace(fromEnv)
            && !(
                _remoteOnly
                && _probes.All(p =>
                    !string.Equals(p.Kind.ToString(), fromEnv.Trim(), StringComparison.OrdinalIgnoreCase)
                )
            )
        )
            return await Explicit(ParseKind(fromEnv, $"${EnvironmentVariable}"), $"${EnvironmentVariable}", ct)
                .ConfigureAwait(false);
        var candidates = new List<SchedulerCandidate>();
        foreach (var probe in _probes)
        {
            var c = await ProbeAsync(probe, false, ct).ConfigureAwait(false);
            candidates.Add(c);
            if (c.Available)
                return new SchedulerSelection(c.Kind, "auto-detection", candidates);
        }
        throw new SchedulerSelectionException("No scheduler is usable here, not even the embedded Local one.");
    }

    /// <summary>
    /// The back end of the given kind. A cluster back end named explicitly is probed first, so a missing one fails
    /// clearly.
    /// </summary>
    public async Task<IScheduler> GetAsync(
        SchedulerKind? requested,
        string? location = null,
        CancellationToken ct = default
    )
    {
        if (Remote.RemoteHost.FromLocation(location) is { } host)
            return await ForHost(host).GetAsync(requested, ct: ct).ConfigureAwait(false);
        var selection = await SelectAsync(requested, ct).ConfigureAwait(false);
        return Get(selection.Kind, location);
    }

    /// <summary>
    /// The back end of <paramref name="kind"/>, at <paramref name="location"/> when a job names where it lives; made
    /// once per place and kept while its settings are current.
    /// </summary>
    public IScheduler Get(SchedulerKind kind, string? location = null)
    {
        var probe =
            _probes.FirstOrDefault(p => p.Kind == kind)
            ?? throw new SchedulerSelectionException($"{kind} is not a back end this build registers.");
        if (location is not null && Get(kind) is var current && probe.Serves(current, location))
            return current; // the jobs of the current place go to the same instance: one batched call for all
        lock (_schedulers)
        {
            if (_schedulers.TryGetValue((kind, location), out var s) && (location is not null || probe.IsCurrent(s)))
                return s;
            s = location is null ? probe.Create() : probe.CreateAt(location);
            _schedulers[(kind, location)] = s;
            return s;
        }
    }

    /// <summary>
    /// The resolver of a cluster reached over SSH: its own probes (SLURM, PBS; never Local) over the one session to
    /// <paramref name="host"/>, kept for the life of this resolver.
    /// </summary>
    public SchedulerResolver ForHost(Remote.RemoteHost host, string? keyFilePath = null)
    {
        var runner = Remote.SshSessionRunner.For(host, keyFilePath);
        lock (_remote)
        {
            if (!_remote.TryGetValue(host, out var resolver))
                _remote[host] = resolver = new SchedulerResolver(BackEnds.RemoteProbes(runner), remote: true);
            return resolver;
        }
    }

    private async Task<SchedulerSelection> Explicit(SchedulerKind kind, string source, CancellationToken ct)
    {
        var probe =
            _probes.FirstOrDefault(p => p.Kind == kind)
            ?? throw new SchedulerSelectionException(
                _remoteOnly && kind == SchedulerKind.Local
                    ? $"{source} asks for Local, which runs jobs on this machine, but -HostName names a cluster: give "
                        + $"the cluster's scheduler ({string.Join(" or ", _probes.Select(p => p.Kind))}), or leave "
                        + "-HostName out to run the job here."
                    : $"{source} asks for {kind}, which this version of HpcJobs does not support."
            );
        var c = await ProbeAsync(probe, true, ct).ConfigureAwait(false);
        if (!c.Available)
            throw new SchedulerSelectionException($"{source} asks for {kind}, but it is not usable here: {c.Reason}");
        return new SchedulerSelection(kind, source, [c]);
    }

    /// <summary>
    /// The probe's answer; or, for a scheduler named by the user whose probe allows it, a status answer to any of the
    /// user's processes younger than <see cref="ISchedulerProbe.RecentAnswerStands"/>, read from the shared status.
    /// </summary>
    private static async Task<SchedulerCandidate> ProbeOrRecentAnswerAsync(
        ISchedulerProbe probe,
        bool requestedByName,
        CancellationToken ct
    )
    {
        using var turn =
            requestedByName && probe.RecentAnswerStands is not null && probe.Machine is { } machine
                ? await ISharedStatus.ProbeTurnAsync(ISharedStatus.KeyOf(probe.Kind, machine), ct).ConfigureAwait(false)
                : null;
        // the programs are checked here only when the recent answer is to stand in for the probe, which checks them too
        if (turn?.AnsweredAgo is { } age && age < probe.RecentAnswerStands)
            return await probe.NotInstalledAsync(ct).ConfigureAwait(false)
                ?? new SchedulerCandidate(
                    probe.Kind,
                    true,
                    $"controller answered one of your HpcJobs processes {age.TotalSeconds:0} s ago (shared status)"
                );
        var candidate = await probe.ProbeAsync(requestedByName, ct).ConfigureAwait(false);
        if (candidate.Available)
            turn?.Answered();
        return candidate;
    }

    private async Task<SchedulerCandidate> ProbeAsync(ISchedulerProbe probe, bool requestedByName, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_probed.TryGetValue((probe.Kind, requestedByName), out var known) && known.Available)
                return known;
            var c = await ProbeOrRecentAnswerAsync(probe, requestedByName, ct).ConfigureAwait(false);
            _probed[(probe.Kind, requestedByName)] = c;
            return c;
        }
        finally
        {
            _gate.Release();
        }
    }
}
