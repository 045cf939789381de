namespace HpcJobs.Core.Tests.Support;

/// <summary>Waits for a condition on real processes or a real cluster, failing the test after a bound.</summary>
public static class Poll
{
    public static async Task Until(Func<Task<bool>> condition, int seconds = 60, int intervalMs = 100)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"condition not met within {seconds} s");
            await Task.Delay(intervalMs);
        }
    }

    public static Task Until(Func<bool> condition, int seconds = 20) =>
        Until(() => Task.FromResult(condition()), seconds, 50);
}
