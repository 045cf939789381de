using System.Text.RegularExpressions;

namespace HpcJobs.Core.Contract;

/// <summary>A back end that can say when jobs end (the Local daemon), so waiting needs no polling interval.</summary>
public interface IJobEndNotifier
{
    /// <summary>Returns when one of <paramref name="jobIds"/> ends, or after <paramref name="atMost"/>.</summary>
    Task WaitForEndAsync(IReadOnlyCollection<string> jobIds, TimeSpan atMost, CancellationToken cancellationToken);
}
