using HpcJobs.Core.Contract;
using HpcJobs.Core.Local;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Tests.Local;

/// <summary>What Set-HpcJob changes of a Local job, as the daemon applies it, and how the request travels.</summary>
[Trait("Category", "Unit")]
public sealed class LocalChangesTests
{
    private static LocalJobRecord Unit() =>
        new()
        {
            Id = "12",
            Name = "before",
            Argv = ["true"],
            Environment = [],
            WorkingDirectory = "/tmp",
            StdOutPath = "/dev/null",
            Resources = new ResourceSpec { CpusPerTask = 2, Walltime = TimeSpan.FromHours(1) },
            Reason = "Resources",
        };

    [Fact]
    public void The_changed_values_replace_the_old_ones_and_the_rest_stays()
    {
        var unit = Unit();
        var changes = new JobChanges
        {
            Walltime = TimeSpan.FromMinutes(45),
            Name = "after",
            BeginTime = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Dependencies = [new JobDependency("7", DependencyKind.AfterOk)],
        };
        Assert.False(LocalChanges.Holds(unit, changes));
        LocalChanges.Apply(unit, changes);
        Assert.True(LocalChanges.Holds(unit, changes));
        Assert.Equal((TimeSpan.FromMinutes(45), (int?)2), (unit.Resources!.Walltime, unit.Resources.CpusPerTask));
        Assert.Equal("after", unit.Name);
        Assert.Equal("7", Assert.Single(unit.Dependencies).JobId);
        Assert.Null(unit.Reason); // the next pass says why it waits now
        LocalChanges.Apply(unit, new JobChanges { Dependencies = [] });
        Assert.Empty(unit.Dependencies);
    }

    [Theory]
    [InlineData("Partition")]
    [InlineData("Qos")]
    [InlineData("Account")]
    [InlineData("Nice")]
    public void What_the_Local_scheduler_has_no_such_thing_as_is_refused_before_anything_changes(string field)
    {
        var changes = field switch
        {
            "Partition" => new JobChanges { Partition = "long" },
            "Qos" => new JobChanges { Qos = "high" },
            "Account" => new JobChanges { Account = "lab" },
            _ => new JobChanges { Nice = 5 },
        };
        var e = Assert.Throws<InvalidJobRequestException>(() => LocalChanges.Check(changes));
        Assert.Contains($"(-{field} given)", e.Message);
    }

    [Fact]
    public void The_request_carries_the_token_of_the_kept_changes_and_the_ids()
    {
        var line = LocalDaemonProtocol.Request(
            LocalDaemonProtocol.Change,
            ["3", "4_1"],
            2,
            "0123456789abcdef0123456789abcdef"
        );
        Assert.Equal("change slots=2 changes=0123456789abcdef0123456789abcdef 3 4_1", line);
        var (verb, slots, ids, changes) = LocalDaemonProtocol.Parse(line);
        Assert.Equal(("change", 2, "0123456789abcdef0123456789abcdef"), (verb, slots, changes));
        Assert.Equal(["3", "4_1"], ids);
        Assert.Equal(
            ["change", "walltime=02:00:00", "name=x", "3"],
            LocalChanges.Describe(["3"], new JobChanges { Walltime = TimeSpan.FromHours(2), Name = "x" })
        );
    }
}
