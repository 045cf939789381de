using HpcJobs.Core.GridEngine;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Tests.GridEngine;

/// <summary>The exact qsub argv for each request (the same forms the real cell took in tests/pester/GridEngineModule.Tests.ps1).</summary>
public sealed class GridEngineRenderingTests
{
    private static readonly ParallelEnvironment[] Cell =
    [
        new("smp", "$pe_slots"),
        new("mpi", "$fill_up"),
        new("four", "4"),
    ];

    private static (List<string> Args, List<string> Notes) Render(JobRequest r) =>
        GridEngineSubmission.Render(r, "/tmp/job.sh", "/bin/sh", Cell);

    [Fact]
    public void A_plain_command_is_one_slot_with_one_output_file()
    {
        var (args, notes) = Render(new JobRequest { Command = ["true"], Name = "ok" });
        Assert.Equal(["-terse", "-N", "ok", "-cwd", "-S", "/bin/sh", "-j", "y", "/tmp/job.sh"], args);
        Assert.Empty(notes);
    }

    [Fact]
    public void Resources_become_limits_per_slot_and_a_parallel_environment()
    {
        var resources = ResourceSpec.FromDictionary(
            new Dictionary<string, object?>
            {
                ["CpusPerTask"] = 4,
                ["Memory"] = "8GB",
                ["Walltime"] = "1:30:00",
                ["Partition"] = "long.q",
                ["Account"] = "hpcproj",
            }
        );
        var (args, notes) = Render(
            new JobRequest
            {
                Command = ["true"],
                Name = "x",
                Resources = resources,
                WorkingDirectory = "/tmp",
            }
        );
        Assert.Equal(
            [
                "-terse",
                "-N",
                "x",
                "-wd",
                "/tmp",
                "-S",
                "/bin/sh",
                "-l",
                "h_rt=01:30:00,h_vmem=2048M",
                "-pe",
                "smp",
                "4",
                "-q",
                "long.q",
                "-P",
                "hpcproj",
                "-j",
                "y",
                "/tmp/job.sh",
            ],
            args
        );
        Assert.Contains(notes, n => n.Contains("per-slot limit on address space"));
    }

    [Fact]
    public void Several_nodes_take_an_exact_slots_per_host_rule_else_a_spreading_one_with_a_warning()
    {
        var exact = ResourceSpec.FromDictionary(
            new Dictionary<string, object?> { ["Nodes"] = 2, ["TasksPerNode"] = 4 }
        );
        Assert.Contains("four", Render(new JobRequest { Command = ["true"], Resources = exact }).Args);
        var spread = ResourceSpec.FromDictionary(
            new Dictionary<string, object?> { ["Nodes"] = 3, ["TasksPerNode"] = 2 }
        );
        var (args, notes) = Render(new JobRequest { Command = ["true"], Resources = spread });
        Assert.Equal(["-pe", "mpi", "6"], args.SkipWhile(a => a != "-pe").Take(3));
        Assert.Contains(notes, n => n.Contains("places slots, not nodes"));
    }

    [Fact]
    public void Arrays_dependencies_and_lifecycle_options()
    {
        var (args, _) = Render(
            new JobRequest
            {
                Command = ["true"],
                Name = "a",
                Array = ArrayRange.Parse("1-99:2%5"),
                Dependencies =
                [
                    new JobDependency("12", DependencyKind.AfterAny),
                    new JobDependency("13.2", DependencyKind.AfterAny),
                ],
                Hold = true,
                Requeue = false,
                MailUser = ["me@example.org"],
                MailType = MailEvents.End | MailEvents.Fail,
                OutputPath = "logs/%x-%A-%a.log",
                Environment = new Dictionary<string, string> { ["SEED"] = "1, 2" },
            }
        );
        Assert.Equal(
            [
                "-terse",
                "-N",
                "a",
                "-cwd",
                "-S",
                "/bin/sh",
                "-t",
                "1-99:2",
                "-tc",
                "5",
                "-hold_jid",
                "12,13",
                "-h",
                "-r",
                "n",
                "-M",
                "me@example.org",
                "-m",
                "ea",
                "-o",
                "logs/$JOB_NAME-$JOB_ID-$TASK_ID.log",
                "-j",
                "y",
                "-v",
                "SEED",
                "/tmp/job.sh",
            ],
            args
        );
    }

    [Fact]
    public void A_signal_before_the_walltime_is_the_soft_limit()
    {
        var walltime = ResourceSpec.FromDictionary(new Dictionary<string, object?> { ["Walltime"] = "00:10:00" });
        var (args, _) = Render(
            new JobRequest
            {
                Command = ["true"],
                Resources = walltime,
                Signal = JobSignal.Parse("USR1@120"),
            }
        );
        Assert.Contains("h_rt=00:10:00,s_rt=00:08:00", args);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("qos")]
    [InlineData("list")]
    [InlineData("zero")]
    [InlineData("afterok")]
    [InlineData("exclusive")]
    [InlineData("term")]
    [InlineData("pattern")]
    public void What_Grid_Engine_cannot_express_is_refused(string what)
    {
        var request = new JobRequest { Command = ["true"] };
        request = what switch
        {
            "gpu" => request with
            {
                Resources = ResourceSpec.FromDictionary(new Dictionary<string, object?> { ["GpusPerNode"] = 1 }),
            },
            "qos" => request with
            {
                Resources = ResourceSpec.FromDictionary(new Dictionary<string, object?> { ["Qos"] = "high" }),
            },
            "list" => request with { Array = ArrayRange.Parse("1,3,5") },
            "zero" => request with { Array = ArrayRange.Parse("0-3") },
            "afterok" => request with { Dependencies = [new JobDependency("12", DependencyKind.AfterOk)] },
            "exclusive" => request with { Exclusive = true },
            "term" => request with
            {
                Resources = ResourceSpec.FromDictionary(new Dictionary<string, object?> { ["Walltime"] = "1:00:00" }),
                Signal = JobSignal.Parse("TERM@60"),
            },
            _ => request with { OutputPath = "out-%q.log" },
        };
        Assert.ThrowsAny<HpcJobsException>(() => Render(request));
    }

    [Fact]
    public void Qsub_terse_prints_the_number_and_for_an_array_its_range()
    {
        Assert.Equal("12", GridEngineSubmission.ParseJobId("12\n"));
        Assert.Equal("2", GridEngineSubmission.ParseJobId("2.1-4:1\n"));
        Assert.Throws<SchedulerOutputException>(() => GridEngineSubmission.ParseJobId("Unable to run job\n"));
    }
}
