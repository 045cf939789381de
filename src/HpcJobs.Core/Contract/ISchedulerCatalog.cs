using System.Text.RegularExpressions;

namespace HpcJobs.Core.Contract;

/// <summary>A back end that can name its partitions (queues), QoS and accounts.</summary>
public interface ISchedulerCatalog
{
    /// <summary>The entries of one kind, sorted by name; none when the scheduler has no such thing or cannot say.</summary>
    Task<IReadOnlyList<CatalogEntry>> ListAsync(CatalogKind kind, CancellationToken cancellationToken = default);
}

/// <summary>Names a back end can offer for completion and for its capability report.</summary>
public enum CatalogKind
{
    Partition,
    Qos,
    Account,
}

/// <summary>A partition (queue), QoS or account, with what a user picking one wants to know (nodes, GPUs, limits).</summary>
public sealed record CatalogEntry(string Name, string Description);
