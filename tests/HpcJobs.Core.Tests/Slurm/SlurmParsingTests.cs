using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Slurm;
using HpcJobs.Core.Tests.Support;

namespace HpcJobs.Core.Tests.Slurm;

/// <summary>Parsers against real output captured on a SLURM 22.05.8 cluster (TestData/slurm, provenance in each header).</summary>
[Trait("Category", "Unit")]
public class SlurmParsingTests
{
    // the captures' squeue format: -o '%i|%T|%r|%A|%K|%F'
    private static readonly string[] CapturedSqueueFields =
    [
        "JobArrayID",
        "State",
        "Reason",
        "JobID",
        "ArrayTaskID",
        "ArrayJobID",
    ];

    // the captures' sacct format: -o JobID,JobIDRaw,JobName,State,ExitCode,DerivedExitCode,Reason,Submit,Start,End,Elapsed,NodeList
    private static readonly string[] CapturedSacctFields =
    [
        "JobID",
        "JobIDRaw",
        "JobName",
        "State",
        "ExitCode",
        "DerivedExitCode",
        "Reason",
        "Submit",
        "Start",
        "End",
        "Elapsed",
        "NodeList",
    ];

    private static List<SqueueRow> Squeue(string file) =>
        SlurmOutput.ParseSqueue(Fixture.Load($"slurm/{file}").StdOut, '|', CapturedSqueueFields);

    private static List<SacctRow> Sacct(string file) =>
        SlurmOutput.ParseSacct(Fixture.Load($"slurm/{file}").StdOut, '|', CapturedSacctFields);

    public static TheoryData<string> SqueueCaptures() =>
        [.. Fixture.All("slurm", ".squeue.txt"), .. Fixture.All("slurm", ".squeue-by-task.txt")];

    public static TheoryData<string> SacctCaptures() => [.. Fixture.All("slurm", ".sacct-X.txt")];

    public static TheoryData<string> ScontrolCaptures() => [.. Fixture.All("slurm", ".scontrol-o.txt")];

    [Theory]
    [MemberData(nameof(SqueueCaptures))]
    public void Every_squeue_capture_parses_to_known_states(string file)
    {
        var rows = Squeue(file.Replace("slurm/", ""));
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.NotEqual(JobState.Unknown, SlurmStates.Map(r.State, r.Reason)));
    }

    [Theory]
    [MemberData(nameof(SacctCaptures))]
    public void Every_sacct_capture_parses_to_known_states(string file)
    {
        var rows = Sacct(file.Replace("slurm/", ""));
        // every line of the capture is a row (some captures are empty: accounting had not caught up)
        var lines = Fixture.Load(file).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Length, rows.Count);
        Assert.All(
            rows,
            r =>
            {
                // 41, 41_3, 41_[2-5%2] (pending tasks as one row), 41.batch
                Assert.Matches(@"^\d+(_(\d+|\[[\d,%-]+\]))?(\.\w+)?$", r.JobId);
                Assert.NotEqual(JobState.Unknown, SlurmStates.Map(r.State, r.Reason));
            }
        );
    }

    [Theory]
    [MemberData(nameof(ScontrolCaptures))]
    public void Every_scontrol_capture_parses_into_key_value_records(string file)
    {
        var records = SlurmOutput.ParseScontrol(Fixture.Load(file).StdOut);
        Assert.NotEmpty(records);
        Assert.All(
            records,
            r =>
            {
                Assert.Matches(@"^\d+$", r["JobId"]);
                Assert.Matches(@"^\d+:\d+$", r["ExitCode"]);
                Assert.NotEqual(JobState.Unknown, SlurmStates.Map(r["JobState"], r["Reason"]));
            }
        );
    }

    [Fact]
    public void A_throttled_array_expands_its_pending_range_into_tasks()
    {
        var jobs = SlurmJobs.FromSqueue(Squeue("array_running_pending.squeue.txt"), "41");
        Assert.Equal(new[] { "41_0", "41_1", "41_2", "41_3", "41_4", "41_5" }, jobs.Select(j => j.JobId));
        Assert.Equal(
            new[]
            {
                JobState.Running,
                JobState.Running,
                JobState.Pending,
                JobState.Pending,
                JobState.Pending,
                JobState.Pending,
            },
            jobs.Select(j => j.State)
        );
        Assert.All(jobs.Skip(2), j => Assert.Equal("JobArrayTaskLimit", j.Reason));
        Assert.All(jobs, j => Assert.Equal("41", j.ArrayJobId));
    }

    [Fact]
    public void One_task_can_be_asked_for_while_it_is_inside_the_pending_range()
    {
        var task = Assert.Single(SlurmJobs.FromSqueue(Squeue("array_running_pending.squeue-by-task.txt"), "41_4"));
        Assert.Equal(4, task.ArrayTaskId);
        Assert.Equal(JobState.Pending, task.State);
        Assert.Single(SlurmJobs.FromSqueue(Squeue("array_running_pending.squeue.txt"), "41_4"));
    }

    [Fact]
    public void Held_cancelled_by_dependency_and_timed_out_jobs_keep_native_state_and_reason()
    {
        var held = Assert.Single(SlurmJobs.FromSqueue(Squeue("pending_held.squeue.txt"), "34"));
        Assert.Equal((JobState.Held, "PENDING", "JobHeldUser"), (held.State, held.NativeState, held.Reason));
        var never = Assert.Single(SlurmJobs.FromSqueue(Squeue("dependency_never_satisfied.squeue.txt"), "40"));
        Assert.Equal((JobState.Cancelled, "DependencyNeverSatisfied"), (never.State, never.Reason));
        var timeout = Assert.Single(SlurmJobs.FromSqueue(Squeue("timeout.squeue.txt"), "38"));
        Assert.Equal((JobState.TimedOut, "TIMEOUT", "TimeLimit"), (timeout.State, timeout.NativeState, timeout.Reason));
    }

    [Theory]
    [InlineData("completed.sacct-X.txt", "30", JobState.Completed, 0, null)]
    [InlineData("failed_exit3.sacct-X.txt", "31", JobState.Failed, 3, null)]
    [InlineData("signal_self.sacct-X.txt", "33", JobState.Failed, 137, 9)]
    [InlineData("timeout.sacct-X.txt", "38", JobState.TimedOut, 0, null)]
    [InlineData("cancelled_running.sacct-X.txt", "36", JobState.Cancelled, 0, null)]
    [InlineData("cancelled_pending.sacct-X.txt", "37", JobState.Cancelled, null, null)]
    public void Accounting_rows_give_state_exit_code_and_signal(
        string file,
        string id,
        JobState state,
        int? exit,
        int? signal
    )
    {
        var job = Assert.Single(SlurmJobs.FromSacct(Sacct(file), id));
        Assert.Equal(state, job.State);
        Assert.Equal(exit, job.ExitCode);
        Assert.Equal(signal, job.Signal);
    }

    [Theory]
    [InlineData("cancelled_running.sacct-steps.txt", "36", JobState.Cancelled, 15)]
    [InlineData("timeout.sacct-steps.txt", "38", JobState.TimedOut, 15)]
    [InlineData("signal_self.sacct-steps.txt", "33", JobState.Failed, 9)]
    public void The_signal_of_a_cancelled_or_timed_out_job_comes_from_its_batch_step(
        string file,
        string id,
        JobState state,
        int signal
    )
    {
        var job = Assert.Single(SlurmJobs.FromSacct(Sacct(file), id));
        Assert.Equal((state, signal), (job.State, job.Signal!.Value));
    }

    [Fact]
    public void Accounting_lists_array_tasks_and_expands_a_pending_range()
    {
        var failed = SlurmJobs.FromSacct(Sacct("array_one_failed.sacct-X.txt"), "44");
        Assert.Equal(new[] { 0, 1, 2, 3 }, failed.Select(j => j.ArrayTaskId!.Value));
        Assert.Equal(7, failed.Single(j => j.ArrayTaskId == 2).ExitCode);
        Assert.Equal(JobState.Failed, failed.Single(j => j.ArrayTaskId == 2).State);
        var midway = SlurmJobs.FromSacct(Sacct("array_midway.sacct-X.txt"), "41");
        Assert.Equal(new[] { "41_0", "41_1", "41_2", "41_3", "41_4", "41_5" }, midway.Select(j => j.JobId));
        Assert.Equal(JobState.Pending, midway.Single(j => j.JobId == "41_5").State);
        Assert.Equal(
            JobState.Failed,
            Assert.Single(SlurmJobs.FromSacct(Sacct("array_one_failed.sacct-X.txt"), "44_2")).State
        );
    }

    [Theory]
    [InlineData("3:0", 3, null)]
    [InlineData("0:9", 137, 9)]
    [InlineData("0:15", 143, 15)]
    [InlineData("137:0", 137, null)]
    [InlineData("garbage", null, null)]
    public void Exit_codes_decode_code_and_signal(string text, int? exit, int? signal) =>
        Assert.Equal((exit, signal), SlurmStates.DecodeExitCode(text));

    [Fact]
    public void Scontrol_values_with_spaces_and_exit_codes_are_read_whole()
    {
        var bashc = SlurmOutput.ParseScontrol(Fixture.Load("slurm/signal_bashc.scontrol-o.txt").StdOut).Single();
        Assert.Equal("137:0", bashc["ExitCode"]);
        Assert.Equal(JobState.Failed, SlurmStates.Map(bashc["JobState"], bashc["Reason"]));
        var line =
            "JobId=7 JobName=name with spaces UserId=root(0) ExitCode=3:0 WorkDir=/tmp/a dir StdOut=/tmp/a dir/x.out";
        var r = SlurmOutput.ParseScontrol(line).Single();
        Assert.Equal("name with spaces", r["JobName"]);
        Assert.Equal("/tmp/a dir", r["WorkDir"]);
        Assert.Equal("/tmp/a dir/x.out", r["StdOut"]);
    }

    [Theory]
    [InlineData("sbatch_parsable.txt")]
    [InlineData("sbatch_parsable_array.txt")]
    public void The_job_id_comes_from_sbatch_parsable(string file) =>
        Assert.Matches(@"^\d+$", SlurmSubmission.ParseJobId(Fixture.Load($"slurm/{file}").StdOut));

    [Fact]
    public void Every_slurm_job_state_code_maps_to_a_unified_state()
    {
        string[] all =
        [
            "PENDING",
            "CONFIGURING",
            "RUNNING",
            "COMPLETING",
            "COMPLETED",
            "FAILED",
            "BOOT_FAIL",
            "NODE_FAIL",
            "OUT_OF_MEMORY",
            "DEADLINE",
            "TIMEOUT",
            "PREEMPTED",
            "CANCELLED",
            "SUSPENDED",
            "STOPPED",
            "SPECIAL_EXIT",
            "REVOKED",
            "REQUEUED",
            "REQUEUE_HOLD",
            "REQUEUE_FED",
            "RESV_DEL_HOLD",
            "RESIZING",
            "SIGNALING",
            "STAGE_OUT",
        ];
        Assert.All(all, s => Assert.NotEqual(JobState.Unknown, SlurmStates.Map(s, null)));
        Assert.Equal(JobState.Failed, SlurmStates.Map("OUT_OF_MEMORY", null));
        Assert.Equal(JobState.Cancelled, SlurmStates.Map("CANCELLED by 0", null));
        Assert.Equal(JobState.Held, SlurmStates.Map("PENDING", "JobHeldAdmin"));
        Assert.Equal(JobState.Pending, SlurmStates.Map("PENDING", "Priority"));
    }

    [Fact]
    public void A_job_that_will_run_again_is_never_finished_and_a_suspended_one_is_not_held()
    {
        // scontrol requeue / PreemptMode=REQUEUE: COMPLETING with Restarts=1, then PENDING (BeginTime) — seen on the cluster
        Assert.Equal(JobState.Pending, SlurmStates.Map("REQUEUED", null));
        Assert.Equal(JobState.Running, SlurmStates.Map("COMPLETING", null));
        Assert.Equal(JobState.Held, SlurmStates.Map("REQUEUE_HOLD", null));
        Assert.Equal(JobState.Suspended, SlurmStates.Map("SUSPENDED", null));
        Assert.Equal(JobState.Suspended, SlurmStates.Map("STOPPED", null));
        // PreemptMode=CANCEL: PREEMPTED is the end
        Assert.Equal(JobState.Cancelled, SlurmStates.Map("PREEMPTED", null));
    }

    [Theory]
    [InlineData("PENDING", "JobHeldUser", HoldType.User)]
    [InlineData("PENDING", "JobHeldAdmin", HoldType.Operator)]
    [InlineData("REQUEUE_HOLD", "JobHeldUser", HoldType.System)]
    [InlineData("RESV_DEL_HOLD", null, HoldType.System)]
    [InlineData("PENDING", "Dependency", null)]
    [InlineData("RUNNING", "JobHeldUser", null)]
    public void Who_holds_a_job_comes_from_its_reason(string state, string? reason, HoldType? heldBy)
    {
        Assert.Equal(heldBy, SlurmStates.HeldBy(SlurmStates.Map(state, reason), state, reason));
    }

    [Fact]
    public void Output_paths_expand_sbatch_patterns()
    {
        Assert.Equal("slurm-41_3.out", OutputPattern.Expand("slurm-%A_%a.out", "45", "41", 3, "x"));
        Assert.Equal("/o/job-45-name.txt", OutputPattern.Expand("/o/job-%j-%x.txt", "45", "45", null, "name"));
        Assert.Equal("100%.out", OutputPattern.Expand("100%%.out", "1", "1", null, "n"));
    }
}
