using HpcJobs.Core.GridEngine;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Tests.GridEngine;

/// <summary>Son of Grid Engine 8.1.9 output recorded on a real cell (TestData/sge, provenance in its README).</summary>
public sealed class GridEngineParsingTests
{
    private static string Read(string file) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "sge", file));

    [Fact]
    public void The_listing_has_running_and_pending_jobs_and_tasks()
    {
        var jobs = GridEngineOutput.ParseListing(Read("qstat_array.xml"));
        Assert.Equal(["2.1", "2.2", "2"], jobs.Select(j => j.JobId));
        Assert.Equal("all.q@vm", jobs[0].Queue);
        Assert.Equal("r", jobs[0].State);
        Assert.Equal(new DateTimeOffset(new DateTime(2026, 12, 6, 10, 13, 46, DateTimeKind.Local)), jobs[0].Time);
        Assert.Null(jobs[2].Queue); // pending: an empty queue_name
        Assert.Null(jobs[2].Task); // "3,4": qstat without -g d compresses pending tasks; HpcJobs asks with -g d
    }

    [Fact]
    public void Letters_map_to_states_the_way_qstat_documents_them()
    {
        Assert.Equal(JobState.Pending, GridEngineJobs.StateOf("qw"));
        Assert.Equal(JobState.Held, GridEngineJobs.StateOf("hqw"));
        Assert.Equal(JobState.Held, GridEngineJobs.StateOf("Eqw"));
        Assert.Equal(JobState.Running, GridEngineJobs.StateOf("r"));
        Assert.Equal(JobState.Running, GridEngineJobs.StateOf("hr")); // a hold on a running task is for its next run
        Assert.Equal(JobState.Running, GridEngineJobs.StateOf("dr"));
        Assert.Equal(JobState.Running, GridEngineJobs.StateOf("Rr"));
        Assert.Equal(JobState.Pending, GridEngineJobs.StateOf("Rq"));
        Assert.Equal(JobState.Suspended, GridEngineJobs.StateOf("s"));
        Assert.Equal(JobState.Suspended, GridEngineJobs.StateOf("S"));
        Assert.Equal(JobState.Unknown, GridEngineJobs.StateOf("z"));
    }

    [Fact]
    public void Details_give_paths_predecessors_resources_and_the_schedulers_messages()
    {
        var d = GridEngineOutput.ParseDetails(Read("qstat_j_held_dependency_throttled.xml"));
        Assert.Equal(["3", "4", "5"], d.Keys.Order());
        Assert.Equal(["2"], d["3"].Predecessors);
        Assert.Equal("b.log", d["3"].StdOutPath);
        Assert.True(d["3"].MergeStdErr);
        Assert.Equal("/tmp/sge", d["3"].WorkingDirectory);
        Assert.Contains("job dropped because of job dependencies", d["3"].SchedulingInfo);
        Assert.Contains("Job is in hold state", d["4"].SchedulingInfo);
        Assert.Equal("c.$TASK_ID.log", d["4"].StdOutPath);

        var r = GridEngineOutput.ParseDetails(Read("qstat_j_resources_pe_project.xml"))["13"];
        Assert.Equal("600", r.HardResources["h_rt"]);
        Assert.Equal("300M", r.HardResources["h_vmem"]);
        Assert.Equal("smp", r.ParallelEnvironment);
        Assert.Equal(2, r.Slots);
        Assert.Equal("hpcproj", r.Project);
        Assert.Equal("/tmp/sge/err.log", r.StdErrPath);
        Assert.False(r.MergeStdErr);
    }

    [Fact]
    public void A_dependent_is_held_by_its_dependency_and_a_held_array_by_its_user()
    {
        var details = GridEngineOutput.ParseDetails(Read("qstat_j_held_dependency_throttled.xml"));
        JobInfo Of(string number, int? task) =>
            GridEngineJobs.FromListing(
                new GridEngineListing(number, task, "hqw", "s.sh", "root", null, null, 1),
                details[number],
                OutputFiles.Of(details[number], task is not null),
                null,
                _ => false
            );
        var dependent = Of("3", null);
        Assert.Equal(HoldType.Dependency, dependent.HeldBy);
        Assert.Contains("waiting for job 2", dependent.Reason);
        Assert.Equal("/tmp/sge/b.log", dependent.StdOutPath);
        var task = Of("4", 2);
        Assert.Equal(HoldType.User, task.HeldBy);
        Assert.Equal("4.2", task.JobId);
        Assert.Equal("4", task.ArrayJobId);
        Assert.Equal("/tmp/sge/c.2.log", task.StdOutPath);
    }

    [Fact]
    public void Accounting_records_give_the_end_and_the_usage()
    {
        var ok = Assert.Single(GridEngineOutput.ParseAccounting(Read("qacct_ok.txt")));
        Assert.Equal("1", ok.JobNumber);
        Assert.Null(ok.Task); // taskid undefined
        Assert.Equal(0, ok.Failed);
        Assert.Equal(0, ok.ExitStatus);
        Assert.Equal(TimeSpan.FromSeconds(4), GridEngineOutput.ParseSeconds(ok["ru_wallclock"]));
        Assert.Equal((long)Math.Round(5.230 * 1024 * 1024), GridEngineOutput.ParseBytes(ok["maxvmem"]));
        var job = GridEngineJobs.FromAccounting(ok, false, null, null);
        Assert.Equal(JobState.Completed, job.State);
        Assert.Equal(JobEndCause.Completed, job.EndCause);
        Assert.Equal(new DateTimeOffset(new DateTime(2026, 12, 6, 10, 13, 16, DateTimeKind.Local)), job.EndTime);
        Assert.Equal("vm", job.NodeList);

        var tasks = GridEngineOutput.ParseAccounting(Read("qacct_arr.txt"));
        Assert.Equal([1, 2, 3, 4], tasks.Select(t => t.Task!.Value).Order());
        Assert.All(tasks, t => Assert.Equal("2", t.JobNumber));
    }

    // recorded on the test cell: sleep past h_rt=3, kill -9 $$, kill -TERM $$, qdel of a running sleep, -wd /nonexistent,
    // exit 100
    [Theory]
    [InlineData("qacct_past_h_rt.txt", false, JobState.TimedOut, JobEndCause.Walltime, 9)]
    [InlineData("qacct_killed_by_signal_9.txt", false, JobState.Failed, JobEndCause.Signal, 9)]
    [InlineData("qacct_killed_by_sigterm.txt", false, JobState.Failed, JobEndCause.Signal, 15)]
    [InlineData("qacct_qdel_while_running.txt", false, JobState.Failed, JobEndCause.Signal, 9)]
    [InlineData("qacct_qdel_while_running.txt", true, JobState.Cancelled, JobEndCause.Cancelled, 9)]
    [InlineData("qacct_missing_working_directory.txt", false, JobState.Failed, JobEndCause.LaunchFailure, null)]
    [InlineData("qacct_exit_100.txt", false, JobState.Failed, JobEndCause.ExitCode, null)]
    public void Failed_codes_become_end_causes(
        string file,
        bool cancelledHere,
        JobState state,
        JobEndCause cause,
        int? signal
    )
    {
        var record = GridEngineOutput.ParseAccounting(Read(file)).Last();
        var job = GridEngineJobs.FromAccounting(record, cancelledHere, null, null);
        Assert.Equal((state, cause, signal), (job.State, job.EndCause, job.Signal));
    }

    [Fact]
    public void A_limit_is_told_apart_by_what_the_job_asked_and_used()
    {
        var record = GridEngineOutput.ParseAccounting(Read("qacct_past_h_rt.txt")).Single();
        var fields = record.Fields.ToDictionary(kv => kv.Key, kv => kv.Value);
        fields["category"] = "-l h_rt=3600,h_vmem=100M";
        fields["maxvmem"] = "99.000MB";
        var job = GridEngineJobs.FromAccounting(new GridEngineAccounting(fields), false, null, null);
        Assert.Equal((JobState.Failed, JobEndCause.OutOfMemory), (job.State, job.EndCause));
    }

    [Fact]
    public void Ids_are_job_numbers_with_an_optional_task()
    {
        Assert.Equal(("12", 3), GridEngineJobs.SplitId("12.3"));
        Assert.Equal(("12", null), GridEngineJobs.SplitId("12"));
        Assert.True(GridEngineScheduler.Ids.IsValid("12.3"));
        Assert.False(GridEngineScheduler.Ids.IsValid("12[3]"));
        Assert.False(GridEngineScheduler.Ids.IsValid("--help"));
    }

    [Theory]
    [InlineData("SGE 8.1.9\nusage: qstat [options]", "SGE", "8.1.9")]
    [InlineData("UGE 8.5.4\nusage: qstat [options]", "UGE", "8.5.4")]
    [InlineData("OGS/GE 2011.11p1", "OGS/GE", "2011.11p1")]
    public void Qstat_help_names_the_product(string help, string product, string version)
    {
        Assert.Equal((product, version), GridEngineIdentity.FromHelp(help));
        Assert.Null(GridEngineIdentity.FromHelp("pbs_version = 23.06.06"));
    }
}
