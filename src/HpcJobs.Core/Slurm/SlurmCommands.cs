using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Slurm;

/// <summary>
/// Runs SLURM commands through the process seam. Controller hiccups (socket time-outs, a restarting slurmctld) are
/// retried with exponential backoff and jitter; anything else is returned for the caller to judge.
/// </summary>
internal sealed class SlurmCommands(IProcessRunner runner, RetryPolicy retry)
{
    private static readonly string[] TransientMarkers =
    [
        "Socket timed out", "Unable to contact slurm controller", "Connection refused", "Zero Bytes were transmitted",
        "Transport endpoint is not connected", "Communication connection failure", "Resource temporarily unavailable",
        "backup controller in standby mode", "Connection timed out", "Slurm temporarily unable",
    ];

    /// <summary>Number of SLURM commands run so far (for benchmarks and tests that count scheduler calls).</summary>
    public int CallCount;

    public static bool IsTransient(ProcessResult r) =>
        r.ExitCode != 0 && TransientMarkers.Any(m => r.StandardError.Contains(m, StringComparison.OrdinalIgnoreCase) || r.StandardOutput.Contains(m, StringComparison.OrdinalIgnoreCase));

    /// <summary>Runs once; no retry (for sbatch, which must never be repeated blindly).</summary>
    public async Task<ProcessResult> RunOnceAsync(string program, IReadOnlyList<string> args, ProcessOptions? options, CancellationToken ct)
    {
        Interlocked.Increment(ref CallCount);
        try { return await runner.RunAsync(program, args, options, ct).ConfigureAwait(false); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SchedulerUnavailableException($"SLURM's '{program}' could not be run ({e.Message}). Is SLURM installed and on PATH?", e);
        }
    }

    /// <summary>Runs a read-only or idempotent command, retrying transient controller errors.</summary>
    public async Task<ProcessResult> RunAsync(string program, IReadOnlyList<string> args, CancellationToken ct, ProcessOptions? options = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var result = await RunOnceAsync(program, args, options, ct).ConfigureAwait(false);
            if (!IsTransient(result)) return result;
            if (attempt >= retry.MaxAttempts)
                throw new SchedulerUnavailableException($"SLURM did not answer after {attempt} attempts: {result.StandardError.Trim()}");
            await Task.Delay(retry.Delay(attempt), ct).ConfigureAwait(false);
        }
    }
}

/// <summary>Exponential backoff with ±25 % jitter.</summary>
public sealed record RetryPolicy(int MaxAttempts = 5, double FirstDelaySeconds = 0.5, double MaxDelaySeconds = 8)
{
    public static RetryPolicy Default { get; } = new();

    public TimeSpan Delay(int attempt)
    {
        var seconds = Math.Min(MaxDelaySeconds, FirstDelaySeconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromSeconds(seconds * (0.75 + Random.Shared.NextDouble() * 0.5));
    }
}
