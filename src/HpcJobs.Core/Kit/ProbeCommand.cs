using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Kit;

/// <summary>A probe's one command, bounded by the probe time-out: its result, or why the scheduler is not usable here.</summary>
internal static class ProbeCommand
{
    public static async Task<(ProcessResult? Result, SchedulerCandidate? Unusable)> RunAsync(
        IProcessRunner runner,
        SchedulerKind kind,
        string program,
        IReadOnlyList<string> arguments,
        CancellationToken ct
    )
    {
        try
        {
            var options = new ProcessOptions { Timeout = CommandTimeouts.Probe };
            return (await runner.RunAsync(program, arguments, options, ct).ConfigureAwait(false), null);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, new SchedulerCandidate(kind, false, $"{program} could not run: {e.Message}"));
        }
        catch (TimeoutException e)
        {
            return (
                null,
                new SchedulerCandidate(kind, false, $"{program} hangs: {e.Message} (${CommandTimeouts.ProbeVariable})")
            );
        }
    }
}
