using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Slurm;

/// <summary>
/// SLURM is usable when sbatch and squeue are on PATH and the controller answers <c>scontrol ping</c>, or, when SLURM is
/// named, answered a status query of yours less than <see cref="RecentAnswerStands"/> ago (the resolver asks the shared
/// status: fifty scripts starting ping once).
/// </summary>
public sealed class SlurmProbe(IProcessRunner runner) : ISchedulerProbe
{
    public SchedulerKind Kind => SchedulerKind.Slurm;

    public string? Machine => runner.Machine;

    /// <summary>
    /// A ping costs the controller an RPC: when SLURM is named, an answer to any of your processes this recent stands
    /// for it; auto-detection always pings, so that it never picks a controller that stopped answering over a working
    /// scheduler.
    /// </summary>
    public TimeSpan? RecentAnswerStands => TimeSpan.FromSeconds(60);

    public async Task<SchedulerCandidate> ProbeAsync(bool requestedByName, CancellationToken cancellationToken) =>
        await NotInstalledAsync(cancellationToken).ConfigureAwait(false)
        ?? await PingAsync(cancellationToken).ConfigureAwait(false);

    public async Task<SchedulerCandidate?> NotInstalledAsync(CancellationToken cancellationToken)
    {
        foreach (var tool in new[] { "sbatch", "squeue", "scontrol" })
            if (!await runner.HasProgramAsync(tool, cancellationToken).ConfigureAwait(false))
                return new SchedulerCandidate(
                    Kind,
                    false,
                    runner.Location is { } there ? $"{tool} is not on the PATH of {there}" : $"{tool} is not on PATH"
                );
        return null;
    }

    private async Task<SchedulerCandidate> PingAsync(CancellationToken cancellationToken)
    {
        var (ping, unusable) = await ProbeCommand
            .RunAsync(runner, Kind, "scontrol", ["ping"], cancellationToken)
            .ConfigureAwait(false);
        if (ping is null)
            return unusable!;
        var text = (ping.StandardOutput + ping.StandardError).Trim().Replace('\n', ' ');
        return ping.Succeeded && text.Contains("is UP", StringComparison.Ordinal)
            ? new SchedulerCandidate(Kind, true, $"controller answers: {text}")
            : new SchedulerCandidate(
                Kind,
                false,
                "sbatch is installed but the controller does not answer: "
                    + (text.Length > 0 ? text : $"scontrol ping exit {ping.ExitCode}")
            );
    }

    public IScheduler Create() => new SlurmScheduler(runner);
}
