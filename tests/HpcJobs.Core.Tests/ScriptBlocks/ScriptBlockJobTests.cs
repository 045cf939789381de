using System.Diagnostics;
using HpcJobs.Core.Model;
using HpcJobs.Core.ScriptBlocks;

namespace HpcJobs.Core.Tests.ScriptBlocks;

/// <summary>
/// The files of a script-block job (issue 27) without PowerShell: the folder, the batch script's own steps (pwsh missing,
/// an address-space limit) run by sh, the record format and the trust rules when reading.
/// </summary>
[Collection("payload-dir")]
public sealed class ScriptBlockJobTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hpcjobs-payload-test-").FullName;

    public ScriptBlockJobTests() =>
        Environment.SetEnvironmentVariable(ScriptBlockJob.FolderVariable, Path.Combine(_root, "payloads"));

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(ScriptBlockJob.FolderVariable, null);
        Directory.Delete(_root, recursive: true);
    }

    private static readonly JobRequest Base = new() { Command = ["pwsh"], WorkingDirectory = "/tmp" };

    private static ScriptBlockPayload Payload(IReadOnlyList<string>? inputs = null, params string[] pwsh) =>
        new("<Objs/>", inputs, pwsh.Length > 0 ? pwsh : ["pwsh"]);

    private static (int Exit, string Stderr) Sh(string command)
    {
        using var p = Process.Start(
            new ProcessStartInfo("sh", ["-c", command]) { RedirectStandardError = true, RedirectStandardOutput = true }
        )!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err);
    }

    [Fact]
    public void A_job_folder_is_private_and_the_request_runs_its_batch_script()
    {
        var request = ScriptBlockJob.Prepare(Base, Payload(["<a/>", "<b/>", "<c/>"]), SchedulerKind.Slurm, throttle: 2);
        var folder = Path.GetDirectoryName(request.ScriptPath)!;
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(folder)
        );
        foreach (var file in Directory.GetFiles(folder).Where(f => !f.EndsWith("job.sh", StringComparison.Ordinal)))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal("0-2%2", request.Array!.ToString());
        Assert.Equal(folder + "/output-%a.log", request.OutputPath);
        Assert.Equal("<b/>", File.ReadAllText(Path.Combine(folder, "input-1.clixml")));
        Assert.StartsWith("#!/bin/sh", File.ReadAllText(request.ScriptPath!));
        Assert.Equal(folder, ScriptBlockJob.FolderOf(new JobInfo { StdOutPath = folder + "/output-1.log" }));
        Assert.Null(ScriptBlockJob.FolderOf(new JobInfo { StdOutPath = "/tmp/slurm-1.out" }));
    }

    [Fact]
    public void PBS_arrays_write_their_output_with_its_own_index_pattern()
    {
        var request = ScriptBlockJob.Prepare(Base, Payload(["<a/>", "<b/>"]), SchedulerKind.Pbs);
        Assert.EndsWith("/output-^array_index^.log", request.OutputPath);
    }

    [Fact]
    public void A_payload_over_the_limit_is_refused_before_any_folder_is_made()
    {
        var big = new string('x', (int)ScriptBlockJob.MaxPayloadBytes + 1);
        var e = Assert.Throws<InvalidJobRequestException>(() =>
            ScriptBlockJob.Prepare(Base, new ScriptBlockPayload(big, null, ["pwsh"]), SchedulerKind.Local)
        );
        Assert.Equal("HpcPayloadTooLarge", e.ErrorId);
        Assert.False(Directory.Exists(Path.Combine(_root, "payloads")));
    }

    [Fact]
    public void A_node_without_pwsh_writes_which_step_failed_on_which_host()
    {
        var request = ScriptBlockJob.Prepare(Base, Payload(null, "/nonexistent/pwsh"), SchedulerKind.Local);
        var (exit, stderr) = Sh($"'{request.ScriptPath}'");
        Assert.Equal(127, exit);
        Assert.Contains("/nonexistent/pwsh", stderr);
        var folder = Path.GetDirectoryName(request.ScriptPath)!;
        var record = Assert.Single(ScriptBlockJob.Read(new JobInfo { StdOutPath = folder + "/output.log" }, folder));
        Assert.Equal("Step", record.Kind);
        Assert.StartsWith($"pwsh\t{Environment.MachineName}\t", record.Data);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(folder + "/result.txt"));
    }

    /// <summary>A job prepared to run a fake pwsh whose sh body is <paramref name="body"/> ($5: the payload folder).</summary>
    private (JobRequest Request, string Folder) WithFakePwsh(string body)
    {
        var fake = Path.Combine(_root, $"fake-pwsh-{Guid.NewGuid():N}");
        File.WriteAllText(fake, "#!/bin/sh\n" + body);
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var request = ScriptBlockJob.Prepare(Base, Payload(null, fake), SchedulerKind.Local);
        return (request, Path.GetDirectoryName(request.ScriptPath)!);
    }

    [Fact]
    public void Under_an_address_space_limit_pwsh_gets_a_smaller_GC_range_or_the_reason_it_cannot_start()
    {
        var (request, folder) = WithFakePwsh("printf %s \"$DOTNET_GCRegionRange\" > \"$5/range.txt\"\n");

        Assert.Equal(0, Sh($"ulimit -v 2097152; '{request.ScriptPath}'").Exit);
        Assert.Equal("0x10000000", File.ReadAllText(Path.Combine(folder, "range.txt"))); // 2 GB / 8

        var (exit, stderr) = Sh($"ulimit -v 1048576; '{request.ScriptPath}'");
        Assert.Equal(12, exit);
        Assert.Contains("1024 MB", stderr);
        Assert.StartsWith(
            "memory\t",
            ScriptBlockJob.Read(new JobInfo { StdOutPath = folder + "/output.log" }, folder).Single().Data
        );
    }

    [Fact]
    public void Each_run_writes_its_records_anew_so_a_retried_or_requeued_jobs_earlier_run_is_not_replayed()
    {
        // a pwsh that appends one record, as runner.ps1 does: the second run of the same job must leave one, not two
        var (request, folder) = WithFakePwsh("printf 'Output\\tPE9ianMvPg==\\n' >> \"$5/result.txt\"\n");
        var job = new JobInfo { StdOutPath = folder + "/output.log" };

        Assert.Equal(0, Sh($"'{request.ScriptPath}'").Exit);
        Assert.Equal(0, Sh($"'{request.ScriptPath}'").Exit);

        Assert.Equal("Output", Assert.Single(ScriptBlockJob.Read(job, folder)).Kind);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(folder + "/result.txt"));
    }

    [Fact]
    public void Records_are_read_in_order_and_a_line_cut_short_is_skipped()
    {
        var lines = "Output\tPE9ianMvPg==\nWarning\tPE9ianMvPg==\nStep\tpwsh\tn1\tmissing\nError\tnot base64!\nEnd";
        var records = ScriptBlockJob.Parse(new StringReader(lines), "3").ToList();
        Assert.Equal(["Output", "Warning", "Step"], records.Select(r => r.Kind));
        Assert.Equal("<Objs/>", records[0].Data);
        Assert.Equal("pwsh\tn1\tmissing", records[2].Data);
        Assert.All(records, r => Assert.Equal("3", r.Task));
    }

    [Fact]
    public void A_result_file_others_may_read_or_write_is_never_read()
    {
        var request = ScriptBlockJob.Prepare(Base, Payload(), SchedulerKind.Local);
        var folder = Path.GetDirectoryName(request.ScriptPath)!;
        var result = Path.Combine(folder, "result.txt");
        File.WriteAllText(result, "Output\tPE9ianMvPg==\n");
        var job = new JobInfo { StdOutPath = folder + "/output.log" };
        File.SetUnixFileMode(result, (UnixFileMode)Convert.ToInt32("644", 8));
        Assert.Equal(
            "HpcStateUntrusted",
            Assert.Throws<LocalStateException>(() => ScriptBlockJob.Read(job, folder).ToList()).ErrorId
        );
        File.SetUnixFileMode(result, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32("755", 8));
        Assert.Equal(
            "HpcStateUntrusted",
            Assert.Throws<LocalStateException>(() => ScriptBlockJob.Read(job, folder).ToList()).ErrorId
        );
    }

    [Fact]
    public void Folders_not_written_for_the_retention_period_go_when_the_next_job_is_prepared()
    {
        var old = ScriptBlockJob.Prepare(Base, Payload(), SchedulerKind.Local);
        var oldFolder = Path.GetDirectoryName(old.ScriptPath)!;
        var recent = Path.GetDirectoryName(ScriptBlockJob.Prepare(Base, Payload(), SchedulerKind.Local).ScriptPath)!;
        var longAgo = DateTime.UtcNow.AddDays(-8);
        foreach (var f in Directory.GetFiles(oldFolder))
            File.SetLastWriteTimeUtc(f, longAgo);
        Directory.SetLastWriteTimeUtc(oldFolder, longAgo);
        ScriptBlockJob.Prepare(Base, Payload(), SchedulerKind.Local);
        Assert.False(Directory.Exists(oldFolder));
        Assert.True(Directory.Exists(recent));
    }
}

[CollectionDefinition("payload-dir", DisableParallelization = true)]
public sealed class PayloadDirCollection;
