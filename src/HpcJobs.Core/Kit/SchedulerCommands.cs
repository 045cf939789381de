using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Remote;

namespace HpcJobs.Core.Kit;

/// <summary>
/// Runs one scheduler's commands through the process seam, for every back end alike: counts calls, retries the
/// back end's transient errors with backoff and jitter (never for a submission that cannot be looked up afterwards),
/// turns a missing program into <see cref="SchedulerUnavailableException"/>, and splits long id lists so no argument
/// list passes what the kernel accepts.
/// </summary>
public sealed class SchedulerCommands(
    string scheduler,
    IProcessRunner runner,
    RetryPolicy retry,
    Func<ProcessResult, bool> isTransient
)
{
    /// <summary>
    /// Characters of ids per call. Linux refuses one argument over 128 KiB (MAX_ARG_STRLEN) and all arguments plus the
    /// environment over ARG_MAX (often 2 MiB): 100,000 stays well under both, with ~14,000 six-digit ids per call.
    /// </summary>
    public const int MaxIdCharsPerCall = 100_000;

    private int _calls;

    /// <summary>Which machine the commands run on (<see cref="IProcessRunner.Machine"/>); null for a scripted runner.</summary>
    public string? Machine => runner.Machine;

    /// <summary>Where the jobs live (<see cref="IProcessRunner.Location"/>): null on this machine.</summary>
    public string? Location => runner.Location;

    /// <summary>The process seam itself, for what is not a scheduler command (remote files of a submission).</summary>
    public IProcessRunner Runner => runner;

    /// <summary>
    /// The request as the place of these commands takes it (<see cref="RemoteSubmission.OnCluster"/>): on a cluster over
    /// SSH its paths are the cluster's and the submit folder is the working folder; here, unchanged.
    /// </summary>
    public JobRequest AsTaken(JobRequest request) => RemoteSubmission.OnCluster(request, Location);

    /// <summary>Commands run so far (for benchmarks and tests that count scheduler calls).</summary>
    public int CallCount => Volatile.Read(ref _calls);

    /// <summary>Runs once, no retry: for submissions, which must never be repeated blindly.</summary>
    public async Task<ProcessResult> RunOnceAsync(
        string program,
        IReadOnlyList<string> args,
        ProcessOptions? options,
        CancellationToken ct
    )
    {
        Interlocked.Increment(ref _calls);
        var timeout = options?.Timeout ?? CommandTimeouts.Command;
        try
        {
            return await runner
                .RunAsync(program, args, (options ?? new ProcessOptions()) with { Timeout = timeout }, ct)
                .ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new SchedulerUnavailableException(
                $"{scheduler}'s '{program}' did not answer within {timeout.TotalSeconds:0.#} s and was killed "
                    + $"(${CommandTimeouts.CommandVariable} sets the limit). "
                    + (
                        IsSubmission(program)
                            ? "The job may have been submitted all the same: look with Get-HpcJobStatus before submitting again."
                            : "The scheduler's controller may be down or overloaded."
                    ),
                e,
                HpcErrors.SchedulerTimeout
            );
        }
        catch (System.ComponentModel.Win32Exception e) when (e.NativeErrorCode == 2) // ENOENT
        {
            throw new SchedulerUnavailableException(
                $"{scheduler}'s '{program}' was not found. Is {scheduler} installed and on PATH?",
                e
            );
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SchedulerUnavailableException(
                $"{scheduler}'s '{program}' could not be started: {e.Message} (error {e.NativeErrorCode}).",
                e
            );
        }
    }

    private static bool IsSubmission(string program) => Path.GetFileName(program) is "sbatch" or "qsub";

    /// <summary>Runs a read-only or idempotent command, retrying transient errors.</summary>
    public async Task<ProcessResult> RunAsync(
        string program,
        IReadOnlyList<string> args,
        CancellationToken ct,
        ProcessOptions? options = null
    )
    {
        for (var attempt = 1; ; attempt++)
        {
            var result = await RunOnceAsync(program, args, options, ct).ConfigureAwait(false);
            if (!isTransient(result))
                return result;
            if (attempt >= retry.MaxAttempts)
                throw new SchedulerUnavailableException(
                    $"{scheduler} did not answer after {attempt} attempts: {(result.StandardError + result.StandardOutput).Trim()}"
                );
            await Task.Delay(retry.Delay(attempt), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="program"/> once per chunk of <paramref name="ids"/> (see <see cref="MaxIdCharsPerCall"/>), with
    /// the arguments <paramref name="arguments"/> makes of each chunk; ceil(N / chunk) calls, never one per id.
    /// </summary>
    public async Task<List<ProcessResult>> RunChunkedAsync(
        string program,
        IReadOnlyList<string> ids,
        Func<IReadOnlyList<string>, IReadOnlyList<string>> arguments,
        CancellationToken ct
    )
    {
        var results = new List<ProcessResult>();
        foreach (var chunk in Chunk(ids))
            results.Add(await RunAsync(program, arguments(chunk), ct).ConfigureAwait(false));
        return results;
    }

    /// <summary>Consecutive groups of ids whose length, one separator each, stays within <paramref name="maxChars"/>.</summary>
    public static IEnumerable<IReadOnlyList<string>> Chunk(IReadOnlyList<string> ids, int maxChars = MaxIdCharsPerCall)
    {
        var chunk = new List<string>();
        var length = 0;
        foreach (var id in ids)
        {
            if (chunk.Count > 0 && length + id.Length + 1 > maxChars)
            {
                yield return chunk;
                chunk = [];
                length = 0;
            }
            chunk.Add(id);
            length += id.Length + 1;
        }
        if (chunk.Count > 0)
            yield return chunk;
    }

    /// <summary>True when the result failed with one of <paramref name="markers"/> in its output (a back end's transient errors).</summary>
    public static bool FailedWithAny(ProcessResult r, IEnumerable<string> markers) =>
        r.ExitCode != 0
        && markers.Any(m =>
            r.StandardError.Contains(m, StringComparison.OrdinalIgnoreCase)
            || r.StandardOutput.Contains(m, StringComparison.OrdinalIgnoreCase)
        );
}
