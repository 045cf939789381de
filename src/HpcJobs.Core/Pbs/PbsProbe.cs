using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Scheduling;
using HpcJobs.Core.Slurm;

namespace HpcJobs.Core.Pbs;

/// <summary>
/// PBS is usable when qsub and qstat are on PATH and <c>qstat --version</c> names a dialect. SchedMD's PBS wrappers over
/// SLURM are recognised and not offered by auto-detection (SLURM is, and comes first); they can be chosen by name.
/// </summary>
public sealed class PbsProbe(IProcessRunner runner) : ISchedulerProbe
{
    private PbsIdentity? _identity;

    public SchedulerKind Kind => SchedulerKind.Pbs;

    public async Task<SchedulerCandidate> ProbeAsync(bool requestedByName, CancellationToken cancellationToken)
    {
        var qstat = ProgramLocator.Find("qstat");
        if (ProgramLocator.Find("qsub") is null || qstat is null) return new SchedulerCandidate(Kind, false, "qsub/qstat are not on PATH");
        var wrapper = PbsIdentity.IsSlurmWrapperFile(qstat);
        ProcessResult r;
        try { r = await runner.RunAsync("qstat", ["--version"], cancellationToken: cancellationToken).ConfigureAwait(false); }
        catch (System.ComponentModel.Win32Exception e) { return new SchedulerCandidate(Kind, false, $"qstat could not run: {e.Message}"); }
        _identity = PbsIdentity.FromVersionOutput(r, wrapper);
        if (_identity.Dialect is null) return new SchedulerCandidate(Kind, false, $"qstat --version names no PBS dialect: {_identity.Evidence}");
        var what = $"{_identity.Dialect} dialect: {_identity.Evidence}";
        if (wrapper && !requestedByName) return new SchedulerCandidate(Kind, false, $"{what}; not chosen automatically (use SLURM itself, or -Scheduler Pbs)");
        return new SchedulerCandidate(Kind, true, what);
    }

    public IScheduler Create()
    {
        var identity = _identity ?? throw new InvalidOperationException("probe first");
        return new PbsScheduler(identity, runner, identity.IsSlurmWrapper ? new SlurmScheduler(runner) : null);
    }
}
