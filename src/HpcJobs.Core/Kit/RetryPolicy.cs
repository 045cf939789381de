namespace HpcJobs.Core.Kit;

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
