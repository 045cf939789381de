using System.Text.Json.Serialization;

namespace HpcJobs.Core.Model;

/// <summary>
/// What a job asks for. Immutable; every property validates the value it is given, so an instance is always valid.
/// Unset properties are left to the scheduler's defaults. Setters are internal (PowerShell cannot assign them); the Local
/// store serialises the spec with its job, hence [JsonInclude].
/// </summary>
public sealed record ResourceSpec
{
    private readonly int? _nodes,
        _tasksPerNode,
        _cpusPerTask,
        _gpusPerNode;
    private readonly long? _memory;
    private readonly TimeSpan? _walltime;
    private readonly string? _partition,
        _qos,
        _account,
        _constraint;

    public static ResourceSpec Default { get; } = new();

    [JsonInclude]
    public int? Nodes
    {
        get => _nodes;
        internal init => _nodes = Count(nameof(Nodes), value, 1, 100_000);
    }

    [JsonInclude]
    public int? TasksPerNode
    {
        get => _tasksPerNode;
        internal init => _tasksPerNode = Count(nameof(TasksPerNode), value, 1, 10_000);
    }

    [JsonInclude]
    public int? CpusPerTask
    {
        get => _cpusPerTask;
        internal init => _cpusPerTask = Count(nameof(CpusPerTask), value, 1, 10_000);
    }

    [JsonInclude]
    public int? GpusPerNode
    {
        get => _gpusPerNode;
        internal init => _gpusPerNode = Count(nameof(GpusPerNode), value, 0, 1_024);
    }

    /// <summary>Memory per node, in bytes.</summary>
    [JsonInclude]
    public long? Memory
    {
        get => _memory;
        internal init => _memory = value is null ? null : ByteSize.Validate(value.Value);
    }

    [JsonInclude]
    public TimeSpan? Walltime
    {
        get => _walltime;
        internal init => _walltime = value is null ? null : Model.Walltime.Validate(value.Value);
    }

    [JsonInclude]
    public string? Partition
    {
        get => _partition;
        internal init => _partition = Name(nameof(Partition), value);
    }

    [JsonInclude]
    public string? Qos
    {
        get => _qos;
        internal init => _qos = Name(nameof(Qos), value);
    }

    [JsonInclude]
    public string? Account
    {
        get => _account;
        internal init => _account = Name(nameof(Account), value);
    }

    [JsonInclude]
    public string? Constraint
    {
        get => _constraint;
        internal init => _constraint = Name(nameof(Constraint), value);
    }

    /// <summary>The keys <see cref="FromDictionary"/> takes, with their aliases (the parameter names of New-HpcResourceSpec).</summary>
    public static readonly IReadOnlyList<string> DictionaryKeys =
    [
        "Nodes",
        "TasksPerNode",
        "CpusPerTask (Cpus)",
        "GpusPerNode (Gpus)",
        "Memory (Mem)",
        "Walltime (Time)",
        "Partition (Queue)",
        "Qos",
        "Account",
        "Constraint",
    ];

    /// <summary>
    /// A spec from name/value pairs such as a PowerShell hashtable (<c>@{Cpus=4; Memory='8GB'; Walltime='2h'}</c>). Keys are
    /// matched without regard to case; an unknown key or a bad value is an <see cref="InvalidResourceSpecException"/>.
    /// </summary>
    public static ResourceSpec FromDictionary(IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        var spec = new ResourceSpec();
        foreach (var (rawKey, value) in pairs)
        {
            var key = rawKey.Trim().ToUpperInvariant();
            var text = value switch
            {
                null => null,
                IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
            spec = key switch
            {
                "NODES" => spec with { Nodes = Int("Nodes", value) },
                "TASKSPERNODE" => spec with { TasksPerNode = Int("TasksPerNode", value) },
                "CPUSPERTASK" or "CPUS" => spec with { CpusPerTask = Int("CpusPerTask", value) },
                "GPUSPERNODE" or "GPUS" => spec with { GpusPerNode = Int("GpusPerNode", value) },
                "MEMORY" or "MEM" => spec with { Memory = value is null ? null : ByteSize.Parse(text) },
                "WALLTIME" or "TIME" => spec with
                {
                    Walltime = value switch
                    {
                        null => null,
                        TimeSpan t => t,
                        _ => Model.Walltime.Parse(text!),
                    },
                },
                "PARTITION" or "QUEUE" => spec with { Partition = text },
                "QOS" => spec with { Qos = text },
                "ACCOUNT" => spec with { Account = text },
                "CONSTRAINT" => spec with { Constraint = text },
                _ => throw new InvalidResourceSpecException(
                    rawKey,
                    value,
                    $"'{rawKey}' is not a resource; valid keys are {string.Join(", ", DictionaryKeys)}"
                ),
            };
        }
        return spec;
    }

    private static int? Int(string field, object? value) =>
        value switch
        {
            null => null,
            int i => i,
            long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
            short or byte => Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture),
            string s
                when int.TryParse(
                    s.Trim(),
                    System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture,
                    out var n
                ) => n,
            _ => throw new InvalidResourceSpecException(field, value, "must be a whole number"),
        };

    /// <summary>Slots the job occupies: Nodes × TasksPerNode × CpusPerTask (each defaulting to 1).</summary>
    public int TotalCpus => (Nodes ?? 1) * (TasksPerNode ?? 1) * (CpusPerTask ?? 1);

    public override string ToString()
    {
        var parts = new List<string>();
        if (Nodes is not null)
            parts.Add($"Nodes={Nodes}");
        if (TasksPerNode is not null)
            parts.Add($"TasksPerNode={TasksPerNode}");
        if (CpusPerTask is not null)
            parts.Add($"CpusPerTask={CpusPerTask}");
        if (GpusPerNode is not null)
            parts.Add($"GpusPerNode={GpusPerNode}");
        if (Memory is not null)
            parts.Add($"Memory={ByteSize.ToDisplay(Memory.Value)}");
        if (Walltime is not null)
            parts.Add($"Walltime={Model.Walltime.ToSlurm(Walltime.Value)}");
        if (Partition is not null)
            parts.Add($"Partition={Partition}");
        if (Qos is not null)
            parts.Add($"Qos={Qos}");
        if (Account is not null)
            parts.Add($"Account={Account}");
        if (Constraint is not null)
            parts.Add($"Constraint={Constraint}");
        return parts.Count == 0 ? "(scheduler defaults)" : string.Join(' ', parts);
    }

    private static int? Count(string field, int? value, int min, int max)
    {
        if (value is null)
            return null;
        if (value < min)
            throw new InvalidResourceSpecException(
                field,
                value,
                min == 0 ? "must not be negative" : "must be at least 1"
            );
        if (value > max)
            throw new InvalidResourceSpecException(field, value, $"must be at most {max}");
        return value;
    }

    internal static string? Name(string field, string? value)
    {
        if (value is null)
            return null;
        if (value.Length == 0)
            throw new InvalidResourceSpecException(field, value, "must not be empty");
        if (value.StartsWith('-'))
            throw new InvalidResourceSpecException(
                field,
                value,
                "must not start with '-' (a tool would read it as an option)"
            );
        if (value.Length > 256)
            throw new InvalidResourceSpecException(field, value, "must be at most 256 characters");
        foreach (var c in value)
            if (char.IsWhiteSpace(c) || char.IsControl(c))
                throw new InvalidResourceSpecException(
                    field,
                    value,
                    "must not contain whitespace or control characters"
                );
        return value;
    }
}
