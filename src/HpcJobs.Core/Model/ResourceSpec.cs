namespace HpcJobs.Core.Model;

/// <summary>
/// What a job asks for. Immutable; every property validates the value it is given, so an instance is always valid.
/// Unset properties are left to the scheduler's defaults.
/// </summary>
public sealed record ResourceSpec
{
    private readonly int? _nodes, _tasksPerNode, _cpusPerTask, _gpusPerNode;
    private readonly long? _memory;
    private readonly TimeSpan? _walltime;
    private readonly string? _partition, _qos, _account, _constraint;

    public static ResourceSpec Default { get; } = new();

    public int? Nodes { get => _nodes; init => _nodes = Count(nameof(Nodes), value, 1, 100_000); }
    public int? TasksPerNode { get => _tasksPerNode; init => _tasksPerNode = Count(nameof(TasksPerNode), value, 1, 10_000); }
    public int? CpusPerTask { get => _cpusPerTask; init => _cpusPerTask = Count(nameof(CpusPerTask), value, 1, 10_000); }
    public int? GpusPerNode { get => _gpusPerNode; init => _gpusPerNode = Count(nameof(GpusPerNode), value, 0, 1_024); }

    /// <summary>Memory per node, in bytes.</summary>
    public long? Memory { get => _memory; init => _memory = value is null ? null : ByteSize.Validate(value.Value); }

    public TimeSpan? Walltime { get => _walltime; init => _walltime = value is null ? null : Model.Walltime.Validate(value.Value); }

    public string? Partition { get => _partition; init => _partition = Name(nameof(Partition), value); }
    public string? Qos { get => _qos; init => _qos = Name(nameof(Qos), value); }
    public string? Account { get => _account; init => _account = Name(nameof(Account), value); }
    public string? Constraint { get => _constraint; init => _constraint = Name(nameof(Constraint), value); }

    /// <summary>Slots the job occupies: Nodes × TasksPerNode × CpusPerTask (each defaulting to 1).</summary>
    public int TotalCpus => (Nodes ?? 1) * (TasksPerNode ?? 1) * (CpusPerTask ?? 1);

    public override string ToString()
    {
        var parts = new List<string>();
        if (Nodes is not null) parts.Add($"Nodes={Nodes}");
        if (TasksPerNode is not null) parts.Add($"TasksPerNode={TasksPerNode}");
        if (CpusPerTask is not null) parts.Add($"CpusPerTask={CpusPerTask}");
        if (GpusPerNode is not null) parts.Add($"GpusPerNode={GpusPerNode}");
        if (Memory is not null) parts.Add($"Memory={ByteSize.ToDisplay(Memory.Value)}");
        if (Walltime is not null) parts.Add($"Walltime={Model.Walltime.ToSlurm(Walltime.Value)}");
        if (Partition is not null) parts.Add($"Partition={Partition}");
        if (Qos is not null) parts.Add($"Qos={Qos}");
        if (Account is not null) parts.Add($"Account={Account}");
        if (Constraint is not null) parts.Add($"Constraint={Constraint}");
        return parts.Count == 0 ? "(scheduler defaults)" : string.Join(' ', parts);
    }

    private static int? Count(string field, int? value, int min, int max)
    {
        if (value is null) return null;
        if (value < min) throw new InvalidResourceSpecException(field, value, min == 0 ? "must not be negative" : "must be at least 1");
        if (value > max) throw new InvalidResourceSpecException(field, value, $"must be at most {max}");
        return value;
    }

    internal static string? Name(string field, string? value)
    {
        if (value is null) return null;
        if (value.Length == 0) throw new InvalidResourceSpecException(field, value, "must not be empty");
        if (value.Length > 256) throw new InvalidResourceSpecException(field, value, "must be at most 256 characters");
        foreach (var c in value)
            if (char.IsWhiteSpace(c) || char.IsControl(c))
                throw new InvalidResourceSpecException(field, value, "must not contain whitespace or control characters");
        return value;
    }
}
