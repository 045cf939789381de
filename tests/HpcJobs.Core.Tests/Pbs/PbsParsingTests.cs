using HpcJobs.Core.Model;
using HpcJobs.Core.Pbs;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Tests.Support;

namespace HpcJobs.Core.Tests.Pbs;

/// <summary>PBS Pro/OpenPBS and Torque output recorded from real clusters (TestData/pbspro, TestData/torque; provenance in each file).</summary>
[Trait("Category", "Unit")]
public class PbsParsingTests
{
    private static string Only(string file) => Fixture.Captures(file).Single().Text;

    private static PbsScheduler Pro(ScriptedProcessRunner runner) =>
        new(new PbsIdentity(PbsDialect.Pro, "23", false, "test"), runner);

    private static PbsScheduler Torque(ScriptedProcessRunner runner) =>
        new(new PbsIdentity(PbsDialect.Torque, "6.1.2", false, "test"), runner);

    private static ProcessResult Out(string stdout, int exit = 0, string stderr = "") => new(exit, stdout, stderr);

    public static TheoryData<string> JsonCaptures() => [.. Fixture.All("pbspro", ".json")];

    public static TheoryData<string> TextCaptures() =>
        [
            .. Fixture
                .All("pbspro", ".txt")
                .Where(f => (f.Contains("/qstat_f_") || f.Contains("/qstat_xf_")) && !f.EndsWith(".source.txt")),
            .. Fixture.All("torque", ".txt").Where(f => f.Contains("/qstat_f_")),
        ];

    [Theory]
    [MemberData(nameof(JsonCaptures))]
    public void Every_json_capture_parses_with_a_known_state_letter(string file)
    {
        var records = PbsOutput.ParseJson(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", file)));
        Assert.NotEmpty(records);
        Assert.All(records, r => Assert.Matches("^[BEFHMQRSTUWX]$", r["job_state"]!));
    }

    [Theory]
    [MemberData(nameof(TextCaptures))]
    public void Every_text_capture_parses_into_records_with_a_state_and_a_name(string file)
    {
        var records = PbsOutput.ParseFullText(Only(file));
        Assert.NotEmpty(records);
        Assert.All(
            records,
            r =>
            {
                Assert.Matches("^[BCEFHMQRSTUWX]$", r["job_state"]!);
                Assert.False(string.IsNullOrEmpty(r["Job_Name"]));
            }
        );
    }

    [Fact]
    public async Task PBS_Pro_json_gives_finished_jobs_their_exit_status_and_keeps_full_ids()
    {
        var json = File.ReadAllText(
            Path.Combine(
                AppContext.BaseDirectory,
                "TestData/pbspro/qstat_f_F_json_x_finished_and_running.openpbs23.firecrest.json"
            )
        );
        var ids = PbsOutput.ParseJson(json).Select(r => r.Id).ToList();
        var runner = new ScriptedProcessRunner().On("qstat", Out(json));
        var report = await Pro(runner).GetStatusAsync(ids);
        Assert.Equal(3, report.Jobs.Count);
        var done = report.Jobs.Where(j => j.NativeState == "F").ToList();
        Assert.Equal(2, done.Count);
        Assert.All(done, j => Assert.Equal((JobState.Completed, 0), (j.State, j.ExitCode!.Value)));
        Assert.Equal("/home/fireuser/hello_pbs.o1004", report.Jobs.Single(j => j.JobId == "1004.pbs").StdOutPath);
        Assert.Equal("/home/fireuser", report.Jobs.Single(j => j.JobId == "1004.pbs").WorkingDirectory);
        Assert.Equal(JobState.Running, report.Jobs.Single(j => j.NativeState == "R").State);
        Assert.Equal(new[] { "-f", "-F", "json", "-x", "-t" }, runner.Calls.Single().Args.Take(5));
        // short ids find the full ones
        var shortReport = await Pro(new ScriptedProcessRunner().On("qstat", Out(json))).GetStatusAsync(["1004"]);
        Assert.Equal("1004.pbs", Assert.Single(shortReport.Jobs).JobId);
    }

    /// <summary>
    /// Issue 28: OpenPBS can leave a dependent held by the server (Hold_Types s) after every job it depends on has
    /// ended; waiting on it hung for good. The shape of the records is that of this project's OpenPBS 23.06 server.
    /// </summary>
    [Theory]
    [InlineData("F", "Mon Jan  5 10:00:00 2026", true)]
    [InlineData("R", null, false)]
    public async Task A_dependent_held_after_its_dependencies_ended_can_never_run_and_says_what_to_do(
        string targetState,
        string? targetEnded,
        bool stuck
    )
    {
        const string dependent = """
            {"pbs_version":"23.06.06","pbs_server":"vm","Jobs":{"11.vm":{"Job_Name":"stage2","job_state":"H",
             "Hold_Types":"s","depend":"afterany:10.vm@vm","ctime":"Mon Jan  5 09:00:00 2026","queue":"workq"}}}
            """;
        var target =
            """{"pbs_version":"23.06.06","pbs_server":"vm","Jobs":{"10.vm":{"Job_Name":"stage1","job_state":"""
            + $"\"{targetState}\",\"Exit_status\":1,\"ctime\":\"Mon Jan  5 08:00:00 2026\""
            + (targetEnded is null ? "" : $",\"obittime\":\"{targetEnded}\"")
            + "}}}";
        var runner = new ScriptedProcessRunner().On("qstat", Out(dependent), Out(target));
        var job = (await Pro(runner).GetStatusAsync(["11.vm"])).Jobs.Single();
        Assert.Equal(JobState.Held, job.State);
        Assert.Equal(stuck, job.CanNeverRun);
        if (stuck)
        {
            Assert.StartsWith(JobInfo.CanNeverRunReason, job.Reason);
            Assert.Contains("qrls -h s 11.vm", job.Reason);
            Assert.Contains("10.vm", job.Reason);
        }
    }

    [Fact]
    public async Task Held_and_running_pbs_pro_jobs_map_to_held_and_running()
    {
        var held = File.ReadAllText(
            Path.Combine(AppContext.BaseDirectory, "TestData/pbspro/qstat_x_f_F_json_held_H.pbspro19.buildtest.json")
        );
        var id = PbsOutput.ParseJson(held).Single().Id;
        Assert.Equal(
            JobState.Held,
            (await Pro(new ScriptedProcessRunner().On("qstat", Out(held))).GetStatusAsync([id])).Jobs.Single().State
        );
        var text = Only("pbspro/qstat_f_queued_running_held.pbspro12.aiida.txt");
        var states = PbsOutput.ParseFullText(text).Select(r => PbsStates.Live(r["job_state"]!)).Distinct().Order();
        Assert.Equal(new[] { JobState.Pending, JobState.Held, JobState.Running }, states);
    }

    [Fact]
    public void Text_values_continue_over_tab_and_space_lines()
    {
        var finished = PbsOutput
            .ParseFullText(Only("pbspro/qstat_xf_finished_F_exit0.pbspro.unsw_katana.txt"))
            .Single();
        Assert.Equal("0", finished["Exit_status"]);
        Assert.Equal("F", finished["job_state"]);
        Assert.Equal("/home/z3536424/hacky", PbsOutput.Variable(finished, "PBS_O_WORKDIR"));
        Assert.Equal(
            "Job run at Thu Aug 10 at 16:10 on (k242:ncpus=1:mem=1048576kb:ngpus=0) and finished",
            finished["comment"]
        );
        var indented = PbsOutput
            .ParseFullText(Only("pbspro/qstat_f_queued_Q.pbspro.unsw_katana.indented.txt"))
            .Single();
        Assert.Equal("Q", indented["job_state"]);
        var subjob = PbsOutput
            .ParseFullText(Only("torque/qstat_f_array_subjob_C_exit271.torque.bcgsc.mavis.txt"))
            .Single();
        Assert.StartsWith(
            "torque01.bcgsc.ca:/projects/trans_scratch/validations/workspace/creisle/",
            subjob["Error_Path"]
        );
    }

    [Fact]
    public async Task Torque_completed_jobs_decode_exit_status_and_signals()
    {
        var text = Only("torque/qstat_f_completed_C_exit_status_271.torque.ichec.aiida.txt");
        var records = PbsOutput.ParseFullText(text);
        var runner = new ScriptedProcessRunner().On("qstat", Out(text));
        var jobs = (await Torque(runner).GetStatusAsync(records.Select(r => r.Id).ToList())).Jobs;
        var killed = jobs.Where(j => j.NativeState == "C").ToList();
        Assert.Equal(new[] { "546437", "543984" }, killed.Select(j => j.JobId));
        Assert.All(
            killed,
            k => Assert.Equal((JobState.Failed, 15, 143), (k.State, k.Signal!.Value, k.ExitCode!.Value))
        );
        Assert.Contains(jobs, j => j.State == JobState.Held);
        Assert.Contains(jobs, j => j.State == JobState.Running);
        Assert.Contains(jobs, j => j.State == JobState.Pending);
        Assert.Equal(new[] { "-f", "-t" }, runner.Calls.Single().Args.Take(2));
        var ok = PbsOutput.ParseFullText(Only("torque/qstat_f_completed_C_exit0.torque.bcgsc.mavis.txt")).Single();
        var okJob = (
            await Torque(
                    new ScriptedProcessRunner().On(
                        "qstat",
                        Out(Only("torque/qstat_f_completed_C_exit0.torque.bcgsc.mavis.txt"))
                    )
                )
                .GetStatusAsync([ok.Id])
        ).Jobs.Single();
        Assert.Equal((JobState.Completed, 0), (okJob.State, okJob.ExitCode!.Value));
    }

    [Fact]
    public async Task An_array_subjob_id_gives_the_array_and_the_task()
    {
        var text = Only("torque/qstat_f_array_subjob_C_exit271.torque.bcgsc.mavis.txt");
        var job = (
            await Torque(new ScriptedProcessRunner().On("qstat", Out(text))).GetStatusAsync(["48[].torque01.bcgsc.ca"])
        ).Jobs.Single();
        Assert.Equal(
            ("48[1].torque01.bcgsc.ca", "48[].torque01.bcgsc.ca", 1),
            (job.JobId, job.ArrayJobId, job.ArrayTaskId!.Value)
        );
        Assert.Equal((JobState.Failed, 15), (job.State, job.Signal!.Value));
    }

    [Theory]
    [InlineData(0, JobState.Completed, 0, null)]
    [InlineData(3, JobState.Failed, 3, null)]
    [InlineData(265, JobState.Failed, 137, 9)]
    [InlineData(271, JobState.Failed, 143, 15)]
    [InlineData(-29, JobState.TimedOut, null, null)]
    [InlineData(-27, JobState.Failed, null, null)]
    [InlineData(-3, JobState.Failed, null, null)]
    public void Exit_status_decides_success(int status, JobState state, int? exit, int? signal)
    {
        var (s, e, sig, reason) = PbsStates.Finished(status, deleted: false);
        Assert.Equal((state, exit, signal), (s, e, sig));
        if (status < 0)
            Assert.StartsWith("JOB_EXEC_", reason);
    }

    [Fact]
    public void A_qdel_signal_is_cancelled_not_failed() =>
        Assert.Equal(JobState.Cancelled, PbsStates.Finished(271, deleted: true).State);

    [Fact]
    public void Json_with_text_mixed_in_is_a_clear_error()
    {
        var e = Assert.Throws<SchedulerOutputException>(() =>
            PbsOutput.ParseJson(Only("pbspro/qstat_u_fF_json_mixed_output_bug.openpbs23.pr2675.txt"))
        );
        Assert.Contains("does not start with a JSON object", e.Message);
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_is_unavailable_not_empty()
    {
        var captures = Fixture.Captures("pbspro/qstat_F_json_connection_errors.pbspro.baw_server.txt");
        var runner = new ScriptedProcessRunner().On("qstat", Out(captures[0].Text, 255, captures[1].Text));
        var e = await Assert.ThrowsAsync<SchedulerUnavailableException>(() => Pro(runner).GetStatusAsync(["1.x"]));
        Assert.Contains("cannot connect to server", e.Message);
    }

    [Fact]
    public async Task Unknown_ids_are_not_found_and_known_ones_still_come_back()
    {
        var json = File.ReadAllText(
            Path.Combine(
                AppContext.BaseDirectory,
                "TestData/pbspro/qstat_f_F_json_x_running_single.openpbs23.firecrest.json"
            )
        );
        var unknown = Fixture
            .Captures("pbspro/qdel_messages_finished_and_unknown.pbspro.txt")
            .Single(c => c.Title.Contains("never existed"))
            .Text.Trim();
        var id = PbsOutput.ParseJson(json).Single().Id;
        var report = await Pro(
                new ScriptedProcessRunner().On("qstat", Out(json, 153, unknown.Replace("qdel", "qstat") + "\n"))
            )
            .GetStatusAsync([id, "9999.sirna1"]);
        Assert.Equal(id, Assert.Single(report.Jobs).JobId);
        Assert.Equal("9999.sirna1", Assert.Single(report.NotFound).JobId);
    }

    [Fact]
    public async Task A_job_that_vanishes_without_history_is_unknown_never_completed()
    {
        var json = File.ReadAllText(
            Path.Combine(
                AppContext.BaseDirectory,
                "TestData/pbspro/qstat_f_F_json_x_running_single.openpbs23.firecrest.json"
            )
        );
        var id = PbsOutput.ParseJson(json).Single().Id;
        var runner = new ScriptedProcessRunner().On("qstat", Out(json), Out("", 153, $"qstat: Unknown Job Id {id}\n"));
        var pbs = Pro(runner);
        Assert.Equal(JobState.Running, (await pbs.GetStatusAsync([id])).Jobs.Single().State);
        var gone = (await pbs.GetStatusAsync([id])).Jobs.Single();
        Assert.Equal(JobState.Unknown, gone.State);
        Assert.Contains("no history", gone.Reason);
    }

    [Fact]
    public async Task Qdel_of_a_job_that_just_finished_is_not_an_error()
    {
        var finished = Fixture
            .Captures("pbspro/qdel_messages_finished_and_unknown.pbspro.txt")
            .Single(c => c.Title.Contains("already finished"))
            .Text;
        var runner = new ScriptedProcessRunner().On("qdel", new ProcessResult(35, "", finished));
        await Pro(runner).CancelAsync([new JobInfo { JobId = "463292", Scheduler = "Pbs" }]);
        Assert.Equal(new[] { "463292" }, runner.Calls.Single().Args);
    }

    [Theory]
    [InlineData("pbspro/qstat_version.pbspro19.reframe.txt", PbsDialect.Pro, "19.2.8.20200925072630", false)]
    [InlineData("torque/qstat_version.torque6.parallelcluster.txt", PbsDialect.Torque, "6.1.2", true)]
    public void The_dialect_comes_from_qstat_version(string file, PbsDialect dialect, string version, bool onStderr)
    {
        var text = Only(file);
        var identity = PbsIdentity.FromVersionOutput(
            onStderr ? new ProcessResult(0, "", text) : new ProcessResult(0, text, ""),
            false
        );
        Assert.Equal((dialect, version), (identity.Dialect!.Value, identity.Version));
    }

    [Fact]
    public void Slurms_wrappers_are_recognised_by_their_own_file()
    {
        var fake = Path.GetTempFileName();
        File.WriteAllText(
            fake,
            "#! /usr/bin/perl -w\n# qstat - queries slurm jobs in familar pbs format.\n#  This file is part of Slurm, a resource management program.\n"
        );
        Assert.True(PbsIdentity.IsSlurmWrapperFile(fake));
        File.WriteAllBytes(fake, [0x7f, (byte)'E', (byte)'L', (byte)'F']);
        Assert.False(PbsIdentity.IsSlurmWrapperFile(fake));
    }

    [Theory]
    [InlineData("pbspro/qsub_stdout_jobid.openpbs.ert.txt", "1232635.pbs")]
    [InlineData("pbspro/qsub_stdout_jobid.openpbs.soca.txt", "31.ip-20-0-2-69")]
    public void The_job_id_is_what_qsub_printed(string file, string id) =>
        Assert.Equal(id, PbsSubmission.ParseJobId(Only(file)));

    [Fact]
    public void Array_ids_from_qsub_keep_their_brackets()
    {
        var captures = Fixture.Captures("torque/qsub_stdout_jobid_and_array.torque.bcgsc.mavis.txt");
        Assert.Equal(
            "142[].torque01.bcgsc.ca",
            PbsSubmission.ParseJobId(captures.Single(c => c.Title.Contains("-t")).Text)
        );
        Assert.Equal(
            "10[].Nile-extn",
            PbsSubmission.ParseJobId(
                Fixture.Captures("pbspro/qsub_J_array_stdout_and_qstat_B.openpbs.pr2237.txt")[0].Text
            )
        );
    }

    [Theory]
    [InlineData("pbspro/qsub_error_unknown_queue.pbspro.moose.txt", "Unknown queue")]
    [InlineData(
        "pbspro/qsub_error_violates_queue_limits_exit188.openpbs.ert.txt",
        "Job violates queue and/or server resource limits"
    )]
    [InlineData("torque/qsub_error_unknown_queue.torque.canu891.txt", "Unknown queue")]
    public async Task Qsub_rejections_reach_the_user_verbatim(string file, string message)
    {
        var text = Fixture.Captures(file).First().Text;
        var runner = new ScriptedProcessRunner().On("qsub", new ProcessResult(188, "", text));
        var e = await Assert.ThrowsAsync<SubmitFailedException>(() =>
            Pro(runner).SubmitAsync(new JobRequest { Command = ["true"] })
        );
        Assert.Contains(message, e.Message);
        Assert.Single(runner.Calls); // never retried
    }

    [Fact]
    public async Task A_qsub_that_cannot_reach_the_server_says_the_server_is_down_and_nothing_was_submitted()
    {
        // only the connection-failure pair: the fixture's third line is a later, unrelated dependency error
        var text = string.Join(
            '\n',
            Fixture.Captures("torque/qsub_error_cannot_connect_trqauthd.torque.juicer105.txt")[0].Text.Split('\n')[..2]
        );
        var runner = new ScriptedProcessRunner().On("qsub", new ProcessResult(1, "", text));
        var e = await Assert.ThrowsAsync<SchedulerUnavailableException>(() =>
            Torque(runner).SubmitAsync(new JobRequest { Command = ["true"] })
        );
        Assert.Equal("HpcSchedulerUnavailable", e.ErrorId);
        Assert.Contains("The PBS server did not answer qsub", e.Message);
        Assert.Contains("Nothing was submitted", e.Message);
        Assert.DoesNotContain("rejected the job", e.Message);
        Assert.Single(runner.Calls); // never retried
    }

    private static string Recorded(string file) =>
        string.Join(
            '\n',
            File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "TestData", "openpbs-live", file))
                .Where(l => !l.StartsWith('#'))
        );

    [Fact]
    public void A_working_directory_with_a_quote_and_a_comma_reads_as_it_is_in_json_and_text()
    {
        var json = PbsOutput.ParseJson(Recorded("qstat_workdir_quote_comma.json.txt")).Single();
        var text = PbsOutput.ParseFullText(Recorded("qstat_workdir_quote_comma.txt.txt")).Single();
        Assert.Equal("/tmp/it's a, dir", PbsOutput.Variable(json, "PBS_O_WORKDIR"));
        Assert.Equal("/tmp/it's a, dir", PbsOutput.Variable(text, "PBS_O_WORKDIR"));
        Assert.Equal("/bin/bash", PbsOutput.Variable(text, "PBS_O_SHELL"));
    }
}
