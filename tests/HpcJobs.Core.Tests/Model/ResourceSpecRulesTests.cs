using HpcJobs.Core.Model;

namespace HpcJobs.Core.Tests.Model;

/// <summary>
/// Every rule of the resource model stated once (issue 22): the hashtable keys and their aliases, the ranges of each
/// count, the name rules, the slots a job occupies and how a spec reads.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ResourceSpecRulesTests
{
    private static ResourceSpec From(params (string Key, object? Value)[] pairs) =>
        ResourceSpec.FromDictionary(pairs.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)));

    [Fact]
    public void Every_key_and_alias_sets_its_field_whatever_its_case()
    {
        var spec = From(
            ("nodes", 2),
            ("TasksPerNode", "3"),
            ("cpus", 4L),
            ("GPUS", (short)1),
            ("mem", "8GB"),
            ("time", "2h"),
            ("queue", "gpu"),
            ("qos", "high"),
            ("account", "project123"),
            ("constraint", "a100")
        );
        Assert.Equal(
            (2, 3, 4, 1, 8L << 30, TimeSpan.FromHours(2), "gpu", "high", "project123", "a100"),
            (
                spec.Nodes,
                spec.TasksPerNode,
                spec.CpusPerTask,
                spec.GpusPerNode,
                spec.Memory,
                spec.Walltime,
                spec.Partition,
                spec.Qos,
                spec.Account,
                spec.Constraint
            )
        );
        var long_ = From(
            ("CpusPerTask", 2),
            ("GpusPerNode", (byte)2),
            ("Memory", 1L << 30),
            ("Walltime", TimeSpan.FromMinutes(5)),
            ("Partition", "p")
        );
        Assert.Equal(
            (2, 2, 1L << 30, TimeSpan.FromMinutes(5), "p"),
            (long_.CpusPerTask, long_.GpusPerNode, long_.Memory, long_.Walltime, long_.Partition)
        );
        Assert.Equal(new ResourceSpec(), From(("Memory", null), ("Walltime", null), ("Cpus", null), ("Qos", null)));
    }

    [Fact]
    public void An_unknown_key_names_it_and_every_valid_key()
    {
        var e = Assert.Throws<InvalidResourceSpecException>(() => From(("Foo", 1)));
        Assert.Equal(
            "Foo '1' is not valid: 'Foo' is not a resource; valid keys are Nodes, TasksPerNode, CpusPerTask (Cpus), "
                + "GpusPerNode (Gpus), Memory (Mem), Walltime (Time), Partition (Queue), Qos, Account, Constraint",
            e.Message
        );
    }

    [Theory]
    [InlineData("x")]
    [InlineData("1.5")]
    [InlineData("-2")]
    [InlineData(3.0)]
    [InlineData(5_000_000_000L)]
    public void A_count_must_be_a_whole_number(object value)
    {
        var e = Assert.Throws<InvalidResourceSpecException>(() => From(("Cpus", value)));
        Assert.Equal("CpusPerTask", e.Field);
        Assert.EndsWith("must be a whole number", e.Message);
    }

    [Theory]
    [InlineData("Nodes", 1, 100_000)]
    [InlineData("TasksPerNode", 1, 10_000)]
    [InlineData("CpusPerTask", 1, 10_000)]
    [InlineData("GpusPerNode", 0, 1_024)]
    public void Each_count_has_its_range(string field, int min, int max)
    {
        Assert.Equal(min, Get(From((field, min)), field));
        Assert.Equal(max, Get(From((field, max)), field));
        var low = Assert.Throws<InvalidResourceSpecException>(() => From((field, min - 1)));
        Assert.EndsWith(min == 0 ? "must not be negative" : "must be at least 1", low.Message);
        var high = Assert.Throws<InvalidResourceSpecException>(() => From((field, max + 1)));
        Assert.EndsWith($"must be at most {max}", high.Message);
        Assert.Equal(field, high.Field);
    }

    private static int? Get(ResourceSpec s, string field) =>
        field switch
        {
            "Nodes" => s.Nodes,
            "TasksPerNode" => s.TasksPerNode,
            "CpusPerTask" => s.CpusPerTask,
            _ => s.GpusPerNode,
        };

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("a b", "must not contain whitespace or control characters")]
    [InlineData("a\tb", "must not contain whitespace or control characters")]
    [InlineData("a\u0001b", "must not contain whitespace or control characters")]
    public void Names_are_one_word(string name, string why)
    {
        foreach (var key in new[] { "Partition", "Qos", "Account", "Constraint" })
        {
            var e = Assert.Throws<InvalidResourceSpecException>(() => From((key, name)));
            Assert.Equal(key, e.Field);
            Assert.EndsWith(why, e.Message);
        }
    }

    [Fact]
    public void Names_may_be_256_characters_and_no_more()
    {
        Assert.Equal(256, From(("Account", new string('a', 256))).Account!.Length);
        Assert.EndsWith(
            "must be at most 256 characters",
            Assert.Throws<InvalidResourceSpecException>(() => From(("Account", new string('a', 257)))).Message
        );
    }

    [Theory]
    [InlineData(null, null, null, 1)]
    [InlineData(2, null, null, 2)]
    [InlineData(null, 3, null, 3)]
    [InlineData(null, null, 4, 4)]
    [InlineData(2, 3, 4, 24)]
    public void A_job_occupies_nodes_times_tasks_times_cpus(int? nodes, int? tasks, int? cpus, int total) =>
        Assert.Equal(
            total,
            new ResourceSpec
            {
                Nodes = nodes,
                TasksPerNode = tasks,
                CpusPerTask = cpus,
            }.TotalCpus
        );

    [Fact]
    public void A_spec_reads_as_its_fields_in_order()
    {
        var spec = From(
            ("Nodes", 2),
            ("TasksPerNode", 3),
            ("Cpus", 4),
            ("Gpus", 1),
            ("Memory", "8GB"),
            ("Walltime", "1-02:03:04"),
            ("Partition", "gpu"),
            ("Qos", "high"),
            ("Account", "p1"),
            ("Constraint", "a100")
        );
        Assert.Equal(
            "Nodes=2 TasksPerNode=3 CpusPerTask=4 GpusPerNode=1 Memory=8GB Walltime=1-02:03:04 Partition=gpu Qos=high "
                + "Account=p1 Constraint=a100",
            spec.ToString()
        );
        Assert.Equal("(scheduler defaults)", new ResourceSpec().ToString());
        Assert.Equal("Qos=q", From(("Qos", "q")).ToString());
    }
}
