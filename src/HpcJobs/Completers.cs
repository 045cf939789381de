using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Language;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Remote;

namespace HpcJobs;

/// <summary>
/// What every completer shares: the scheduler the command line names (or the default one), a per-scheduler cache with a
/// short lifetime, and a time box, so that Tab never waits on a slow scheduler for more than about 250 ms: what the
/// scheduler has not answered by then is returned from the cache (or nothing), and the answer fills the cache for the
/// next Tab.
/// </summary>
public abstract class HpcCompleter : IArgumentCompleter
{
    public static readonly TimeSpan TimeBox = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(10);

    private static readonly ConcurrentDictionary<
        string,
        (DateTimeOffset At, IReadOnlyList<CompletionResult> Results)
    > Cache = new();
    private static readonly ConcurrentDictionary<string, Task<IReadOnlyList<CompletionResult>>> Running = new();

    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters
    )
    {
        var kind =
            fakeBoundParameters["Scheduler"] is { } named
            && Enum.TryParse<SchedulerKind>(named.ToString(), true, out var k)
                ? k
                : (SchedulerKind?)null;
        if (!TryFindCluster(commandName, fakeBoundParameters, out var location))
            return [];
        var key = $"{GetType().Name}|{kind}|{location}";
        var candidates = Lookup(key, kind, location) ?? [];
        var pattern = new WildcardPattern((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return candidates.Where(c => pattern.IsMatch(c.CompletionText)).ToList();
    }

    /// <summary>The candidates of one scheduler (its kind, or null for the default one); may take long, runs off the prompt.</summary>
    protected abstract Task<IReadOnlyList<CompletionResult>> QueryAsync(IScheduler scheduler, CancellationToken ct);

    /// <summary>
    /// The cluster the command line names with -HostName (-UserName, -Port), or $PSDefaultParameterValues gives it; its
    /// <see cref="JobInfo.Location"/>, null for this machine. False when it is a cluster this session has not logged in
    /// to yet (or not a valid host): Tab must not open an SSH login.
    /// </summary>
    private static bool TryFindCluster(string commandName, IDictionary bound, out string? location)
    {
        location = null;
        var defaults = new Lazy<Dictionary<string, object?>>(() => DefaultParameterValues(commandName));
        object? Given(string name) => bound[name] ?? defaults.Value.GetValueOrDefault(name);
        var hostName = Given("HostName");
        if (hostName is null)
            return true;
        try
        {
            var port = Given("Port");
            var host = new Core.Remote.RemoteHost(
                hostName.ToString()!,
                Given("UserName")?.ToString(),
                port is null ? null : Convert.ToInt32(port, System.Globalization.CultureInfo.InvariantCulture)
            );
            location = host.Location;
            return Core.Remote.SshSessionRunner.IsOpen(host);
        }
        catch (Exception e) when (e is HpcJobsException or FormatException or InvalidCastException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>What $PSDefaultParameterValues gives this command's parameters ("Cmd:Param" keys, wildcards), by name.</summary>
    private static Dictionary<string, object?> DefaultParameterValues(string commandName)
    {
        var values = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        IDictionary? defaults;
        try
        {
            // Tab runs on the pipeline thread: SessionStateProxy refuses ("a pipeline is already running"), a script block
            // runs in the caller's session state
            defaults =
                ScriptBlock.Create("$PSDefaultParameterValues").Invoke().FirstOrDefault()?.BaseObject as IDictionary;
        }
        catch (Exception e) when (e is RuntimeException or InvalidOperationException)
        {
            return values;
        }
        foreach (DictionaryEntry entry in defaults ?? new Hashtable())
            if (
                entry.Key.ToString()?.Split(':', 2) is [var command, var name]
                && new WildcardPattern(command.Trim(), WildcardOptions.IgnoreCase).IsMatch(commandName)
                && entry.Value is not ScriptBlock
            )
                values.TryAdd(name.Trim(), PSObject.AsPSObject(entry.Value).BaseObject);
        return values;
    }

    private IReadOnlyList<CompletionResult>? Lookup(string key, SchedulerKind? kind, string? location)
    {
        if (Cache.TryGetValue(key, out var hit) && DateTimeOffset.Now - hit.At < CacheLifetime)
            return hit.Results;
        var task = Running.GetOrAdd(
            key,
            _ =>
                Task.Run(async () =>
                {
                    try
                    {
                        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                        var scheduler = await HpcCmdlet
                            .SharedResolver.GetAsync(kind, location, cts.Token)
                            .ConfigureAwait(false);
                        var results = await QueryAsync(scheduler, cts.Token).ConfigureAwait(false);
                        Cache[key] = (DateTimeOffset.Now, results);
                        return results;
                    }
                    catch (Exception e) when (e is HpcJobsException or OperationCanceledException)
                    {
                        return (IReadOnlyList<CompletionResult>)[];
                    }
                    finally
                    {
                        Running.TryRemove(key, out Task<IReadOnlyList<CompletionResult>>? _);
                    }
                })
        );
        if (task.Wait(TimeBox))
            return task.Result;
        return Cache.TryGetValue(key, out var stale) ? stale.Results : null;
    }

    protected static CompletionResult Value(string text, string tooltip) =>
        new(
            text.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$' or '`' or '[')
                ? $"'{text.Replace("'", "''")}'"
                : text,
            text,
            CompletionResultType.ParameterValue,
            tooltip
        );
}

/// <summary>Completes job ids from the user's unfinished jobs, with name and state in the tooltip.</summary>
public sealed class JobIdCompleterAttribute : ArgumentCompleterAttribute
{
    public JobIdCompleterAttribute()
        : base(typeof(JobIdCompleter)) { }
}

public sealed class JobIdCompleter : HpcCompleter
{
    protected override async Task<IReadOnlyList<CompletionResult>> QueryAsync(
        IScheduler scheduler,
        CancellationToken ct
    )
    {
        if (scheduler is not IJobLister lister)
            return [];
        var jobs = await lister.ListJobsAsync(new JobListQuery(), ct).ConfigureAwait(false);
        return jobs.Select(j =>
                Value(j.JobId, $"{j.JobId}  {j.Name}  {j.State}{(j.Reason is null ? "" : $" ({j.Reason})")}")
            )
            .ToList();
    }
}

/// <summary>Completes partitions (PBS queues), QoS or accounts from the scheduler.</summary>
public sealed class CatalogCompleterAttribute(CatalogKind kind)
    : ArgumentCompleterAttribute(
        kind switch
        {
            CatalogKind.Partition => typeof(PartitionCompleter),
            CatalogKind.Qos => typeof(QosCompleter),
            _ => typeof(AccountCompleter),
        }
    );

public abstract class CatalogCompleter(CatalogKind kind) : HpcCompleter
{
    protected override async Task<IReadOnlyList<CompletionResult>> QueryAsync(
        IScheduler scheduler,
        CancellationToken ct
    ) =>
        scheduler is ISchedulerCatalog catalog
            ? (await catalog.ListAsync(kind, ct).ConfigureAwait(false))
                .Select(e => Value(e.Name, $"{e.Name}: {e.Description}"))
                .ToList()
            : [];
}

public sealed class PartitionCompleter() : CatalogCompleter(CatalogKind.Partition);

public sealed class QosCompleter() : CatalogCompleter(CatalogKind.Qos);

public sealed class AccountCompleter() : CatalogCompleter(CatalogKind.Account);

/// <summary>Offers a fixed list of the values people type most, in the forms the parameter reads.</summary>
public abstract class FixedValuesCompleter(string[] values, string tooltip) : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters
    ) =>
        values
            .Where(v => v.StartsWith(wordToComplete ?? "", StringComparison.OrdinalIgnoreCase))
            .Select(v => new CompletionResult(
                v,
                v,
                CompletionResultType.ParameterValue,
                string.Format(System.Globalization.CultureInfo.InvariantCulture, tooltip, v)
            ));
}

/// <summary>Sizes for -Memory.</summary>
public sealed class MemoryCompleter()
    : FixedValuesCompleter(
        ["512MB", "1GB", "2GB", "4GB", "8GB", "16GB", "32GB", "64GB", "128GB", "256GB"],
        "{0} per node"
    );

/// <summary>Durations for -Walltime.</summary>
public sealed class WalltimeCompleter()
    : FixedValuesCompleter(
        ["30m", "1h", "2h", "4h", "8h", "12h", "1d", "2d", "7d", "00:30:00", "1-00:00:00"],
        "walltime {0}"
    );
