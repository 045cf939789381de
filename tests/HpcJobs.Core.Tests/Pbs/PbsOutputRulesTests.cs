using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Pbs;

namespace HpcJobs.Core.Tests.Pbs;

/// <summary>
/// The edges of reading qstat and accounting text (issue 22): CRLF copies, attribute indents, continuation lines,
/// escapes, host-qualified paths, array ids, sizes and durations with every unit.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PbsOutputRulesTests
{
    [Fact]
    public void Qstat_text_with_crlf_blank_lines_and_continuations_reads_as_written()
    {
        var text =
            "garbage before any job\r\n"
            + "Job Id: 5.srv\r\n"
            + "    Job_Name = a = b\r\n"
            + "\r\n"
            + "    Variable_List = A=1,\r\n"
            + "\tB=2\r\n"
            + "      Deep_Indent = not an attribute of this record\r\n"
            + "    resources_used.mem = 10kb\r\n"
            + "Job Id: 6.srv\n"
            + "\tjob_state = R\n"
            + "\tcomment = has spaces = and equals\n";
        var records = PbsOutput.ParseFullText(text);
        Assert.Equal(["5.srv", "6.srv"], records.Select(r => r.Id));
        var five = records[0];
        Assert.Equal("a = b", five["Job_Name"]);
        Assert.Equal("A=1,B=2Deep_Indent = not an attribute of this record", five["Variable_List"]);
        Assert.Equal("10kb", five["resources_used.mem"]);
        Assert.Equal("R", records[1]["job_state"]);
        Assert.Equal("has spaces = and equals", records[1]["comment"]);
        Assert.Empty(PbsOutput.ParseFullText("no job here\n"));
    }

    [Fact]
    public void Qstat_json_takes_trailing_commas_and_refuses_what_is_not_json()
    {
        var records = PbsOutput.ParseJson("""{"Jobs":{"5.srv":{"job_state":"Q","Resource_List":{"ncpus":2,},},},}""");
        Assert.Equal(("5.srv", "Q", "2"), (records[0].Id, records[0]["job_state"], records[0]["Resource_List.ncpus"]));
        var bad = Assert.Throws<SchedulerOutputException>(() => PbsOutput.ParseJson("{ not json"));
        Assert.StartsWith("Could not read the output of qstat -f -F json: invalid JSON", bad.Message);
        Assert.StartsWith(
            "Could not read the output of qstat -f -F json: ",
            Assert.Throws<SchedulerOutputException>(() => PbsOutput.ParseJson("[1, 2]")).Message
        );
        Assert.Equal(
            "Could not read the output of qstat -f -F json: \"Jobs\" is not an object",
            Assert.Throws<SchedulerOutputException>(() => PbsOutput.ParseJson("{\"Jobs\": 5}")).Message
        );
        Assert.Equal(
            "Could not read the output of qstat -f -F json: job 5.srv is not an object",
            Assert.Throws<SchedulerOutputException>(() => PbsOutput.ParseJson("{\"Jobs\": {\"5.srv\": 1}}")).Message
        );
        Assert.Empty(PbsOutput.ParseJson("{\"Other\": {}}"));
        Assert.Empty(PbsOutput.ParseJson("  "));
    }

    [Theory]
    [InlineData(@"PBS_O_HOME=/root,PBS_O_WORKDIR=/tmp/it\'s a\, dir,X=\\", "PBS_O_WORKDIR", "/tmp/it's a, dir")]
    [InlineData(@"PBS_O_HOME=/root,PBS_O_WORKDIR=/tmp/it\'s a\, dir,X=\\", "X", @"\")]
    [InlineData(@"A=1,AB=2", "AB", "2")]
    [InlineData(@"AB=2,A=1", "A", "1")]
    [InlineData(@"A=x\", "A", @"x\")]
    [InlineData(@"A=1", "B", null)]
    public void Variables_are_found_by_exact_name_and_unescaped(string list, string name, string? value) =>
        Assert.Equal(
            value,
            PbsOutput.Variable(new PbsJobRecord("1", new Dictionary<string, string> { ["Variable_List"] = list }), name)
        );

    [Theory]
    [InlineData("vm:/home/u/job.o5", "/home/u/job.o5")]
    [InlineData("/home/u/job.o5", "/home/u/job.o5")]
    [InlineData(":/x", ":/x")]
    [InlineData("/a:b/c", "/a:b/c")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Output_paths_lose_their_host(string? pbs, string? local) =>
        Assert.Equal(local, PbsOutput.LocalPath(pbs));

    [Theory]
    [InlineData("(vm[0]:ncpus=1:ngpus=1)+(vm[1]:ncpus=1:ngpus=1)", "vm/0+vm/1", "vm[0],vm[1]")]
    [InlineData("(vm:ncpus=1)", "vm/0", "vm")]
    [InlineData("(vm:ncpus=1)+(vm:ncpus=1)", "vm/0*2", "vm")]
    [InlineData(null, "vm/0*2+vm/1", "vm")] // PBS Pro without exec_vnode
    [InlineData(null, "n1/0-3+n2/0", "n1,n2")] // Torque
    [InlineData(null, null, null)] // not started
    [InlineData("", "", null)]
    public void The_node_list_names_each_vnode_or_host_once(string? execVnode, string? execHost, string? nodes) =>
        Assert.Equal(nodes, PbsOutput.NodeList(execVnode, execHost));

    [Theory]
    [InlineData("123[4].srv", "123[].srv", 4)]
    [InlineData("123[0]", "123[]", 0)]
    [InlineData("123[].srv", null, null)]
    [InlineData("123.srv", null, null)]
    [InlineData("[4]123", "[]123", 4)]
    [InlineData("123]4[", null, null)]
    [InlineData("123[x].srv", null, null)]
    public void Array_task_ids_split_into_array_and_index(string id, string? array, int? task) =>
        Assert.Equal((array, task), PbsOutput.SplitArrayId(id));

    [Theory]
    [InlineData("1-02:03:04", 93784.0)]
    [InlineData("02:03:04", 7384.0)]
    [InlineData("03:04", 184.0)]
    [InlineData("03:04.5", 184.5)]
    [InlineData("-02:03", null)]
    [InlineData("1:2:3:4", null)]
    [InlineData("x-01:00", null)]
    [InlineData("UNLIMITED", null)]
    [InlineData("", null)]
    public void Durations_read_as_sacct_and_qstat_print_them(string text, double? seconds) =>
        Assert.Equal(seconds is null ? null : TimeSpan.FromSeconds(seconds.Value), UsageUnits.ParseDuration(text));

    [Theory]
    [InlineData("512", 1, 512L)]
    [InlineData("512", 1024, 512L * 1024)]
    [InlineData("2K", 1, 2048L)]
    [InlineData("2kb", 1, 2048L)]
    [InlineData("3M", 1, 3L << 20)]
    [InlineData("1.5G", 1, 3L << 29)]
    [InlineData("2T", 1, 2L << 40)]
    [InlineData("1P", 1, 1L << 50)]
    [InlineData("1000Mn", 1, 1000L << 20)]
    [InlineData("4Gc", 1, 4L << 30)]
    [InlineData("b", 1, null)]
    [InlineData("x", 1, null)]
    public void Sizes_read_with_every_unit(string text, long bareUnit, long? bytes) =>
        Assert.Equal(bytes, UsageUnits.ParseSize(text, bareUnit));

    [Fact]
    public void References_and_dependencies_read_as_people_write_them()
    {
        Assert.Equal("Slurm:5", new JobReference("5", SchedulerKind.Slurm).ToString());
        Assert.Equal("5", new JobReference("5", null).ToString());
        Assert.True(new JobReference("5", null).IsValid);
        var invalid = JobReference.Invalid("no job");
        Assert.Equal(("", null, "no job", false), (invalid.JobId, invalid.Scheduler, invalid.Problem, invalid.IsValid));
        Assert.Equal("afternotok:7", new JobDependency("7", DependencyKind.AfterNotOk).ToString());
        Assert.Equal(("", ""), (new JobInfo().JobId, new JobInfo().Scheduler));
    }

    [Theory]
    [InlineData("%", "%")]
    [InlineData("a%", "a%")]
    [InlineData("%5", "%5")]
    [InlineData("x%12", "x%12")]
    [InlineData("%5j%", "00007%")]
    [InlineData("%j%5", "7%5")]
    public void A_percent_at_the_end_stays_as_it_is(string pattern, string expanded) =>
        Assert.Equal(expanded, OutputPattern.Expand(pattern, "7", "7", null, "n"));
}
