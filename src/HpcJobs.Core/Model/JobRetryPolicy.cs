using System.Globalization;

namespace HpcJobs.Core.Model;

/// <summary>
/// When and how a job is submitted again after it ended (Submit-HpcJob -MaxRetries): for which end causes, how many
/// times, with how much more memory or time, after what pause. Applied by whoever waits for the job (Wait-HpcJob).
/// </summary>
public sealed record JobRetryPolicy
{
    public const int MaxRetriesLimit = 10;

    /// <summary>Node failures and preemption as they are, out of memory with more memory, walltime with more time.</summary>
    public static readonly IReadOnlyList<JobEndCause> DefaultCauses =
    [
        JobEndCause.NodeFailure,
        JobEndCause.Preempted,
        JobEndCause.OutOfMemory,
        JobEndCause.Walltime,
    ];

    public int MaxRetries { get; init; }
    public IReadOnlyList<JobEndCause> On { get; init; } = DefaultCauses;
    public double MemoryFactor { get; init; } = 2;
    public double WalltimeFactor { get; init; } = 2;

    /// <summary>The pause before an attempt is submitted: no retry storm when a node keeps failing.</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromSeconds(2);

    public JobRetryPolicy Validate()
    {
        if (MaxRetries is < 1 or > MaxRetriesLimit)
            throw new InvalidJobRequestException(
                $"-MaxRetries {MaxRetries} is out of range: give 1 to {MaxRetriesLimit} (0, or leaving it out, retries nothing).",
                HpcErrors.InvalidJobRequest
            );
        if (On.Count == 0 || On.Any(c => c is JobEndCause.None or JobEndCause.Completed))
            throw new InvalidJobRequestException(
                $"-RetryOn {string.Join(",", On)}: name the end causes worth another attempt ("
                    + string.Join(", ", Enum.GetNames<JobEndCause>().Where(n => n is not "None" and not "Completed"))
                    + "); None and Completed are not ends to retry.",
                HpcErrors.InvalidJobRequest
            );
        foreach (
            var (name, factor) in new[]
            {
                ("-RetryMemoryFactor", MemoryFactor),
                ("-RetryWalltimeFactor", WalltimeFactor),
            }
        )
            if (!double.IsFinite(factor) || factor is < 1 or > 16)
                throw new InvalidJobRequestException(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{name} {factor} is out of range: give 1 to 16 (2 doubles it)."
                    ),
                    HpcErrors.InvalidJobRequest
                );
        return this;
    }

    /// <summary>Whether a job that ended with <paramref name="cause"/> on attempt <paramref name="attempt"/> gets another.</summary>
    public bool Retries(JobEndCause cause, int attempt) => attempt <= MaxRetries && On.Contains(cause);

    /// <summary>
    /// The request of the next attempt: more memory after running out of it, more time after the walltime, the same
    /// otherwise. Null when the cause asks for more of something the request did not name (no memory asked: scaling
    /// nothing would fail the same way).
    /// </summary>
    public JobRequest? Next(JobRequest request, JobEndCause cause)
    {
        var r = request.Resources;
        return cause switch
        {
            JobEndCause.OutOfMemory when r.Memory is null => null,
            JobEndCause.OutOfMemory => request with
            {
                Resources = r with { Memory = ByteSize.Validate((long)Math.Ceiling(r.Memory!.Value * MemoryFactor)) },
            },
            JobEndCause.Walltime when r.Walltime is null => null,
            JobEndCause.Walltime => request with
            {
                Resources = r with
                {
                    Walltime = Walltime.Validate(
                        TimeSpan.FromSeconds(Math.Ceiling(r.Walltime!.Value.TotalSeconds * WalltimeFactor))
                    ),
                },
            },
            _ => request,
        };
    }
}
