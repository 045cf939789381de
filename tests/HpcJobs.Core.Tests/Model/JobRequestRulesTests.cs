using HpcJobs.Core.Model;

namespace HpcJobs.Core.Tests.Model;

/// <summary>
/// Every check a request passes before anything is submitted (issue 22), each with the exact ErrorId and message a user
/// reads: what was wrong, with the value, and what would be valid.
/// </summary>
[Trait("Category", "Unit")]
public sealed class JobRequestRulesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hpcjobs-request-rules-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private JobRequest Cmd(params string[] argv) => new() { Command = argv, WorkingDirectory = _dir };

    private static void Refused(JobRequest request, string id, string message)
    {
        var e = Assert.Throws<InvalidJobRequestException>(() => request.Validate());
        Assert.Equal((id, message), (e.ErrorId, e.Message));
    }

    [Fact]
    public void A_job_is_a_script_or_a_command_not_both_nor_neither()
    {
        Refused(new JobRequest(), "HpcNoJobToRun", "Give a script path or a command to run.");
        var script = Path.Combine(_dir, "s.sh");
        File.WriteAllText(script, "#!/bin/sh\n");
        Refused(
            new JobRequest { ScriptPath = script, Command = ["x"] },
            "HpcInvalidJobRequest",
            "Give either a script path or a command, not both (script arguments go in ScriptArguments)."
        );
        Refused(
            new JobRequest { ScriptPath = _dir },
            "HpcScriptNotFound",
            $"Script '{_dir}' is a directory, not a file."
        );
        Refused(
            new JobRequest { ScriptPath = script + "x" },
            "HpcScriptNotFound",
            $"Script '{script}x' does not exist."
        );
        Assert.NotNull(new JobRequest { ScriptPath = script }.Validate());
    }

    [Fact]
    public void Arguments_must_reach_the_program_whole()
    {
        Refused(Cmd(" ", "x"), "HpcInvalidJobRequest", "The command's program name is empty.");
        Refused(
            Cmd("echo", "a\0b"),
            "HpcInvalidJobRequest",
            "An argument contains a NUL character, which no process can receive."
        );
        var script = Path.Combine(_dir, "s.sh");
        File.WriteAllText(script, "#!/bin/sh\n");
        Refused(
            new JobRequest { ScriptPath = script, ScriptArguments = ["ok", "a\0b"] },
            "HpcInvalidJobRequest",
            "An argument contains a NUL character, which no process can receive."
        );
    }

    [Theory]
    [InlineData(
        "   ",
        "Name '   ' is not valid: it must have a visible character and no control characters (newlines, tabs)."
    )]
    [InlineData(
        "a\nb",
        "Name 'a\nb' is not valid: it must have a visible character and no control characters (newlines, tabs)."
    )]
    public void A_name_must_be_visible(string name, string message) =>
        Refused(Cmd("true") with { Name = name }, "HpcInvalidJobName", message);

    /// <summary>A value that reaches a scheduler's tool or its mailer never starts with '-' (issue 28).</summary>
    [Fact]
    public void Option_shaped_values_are_refused_with_what_to_write_instead()
    {
        Assert.Equal(
            "HpcInvalidJobRequest",
            Assert
                .Throws<InvalidJobRequestException>(() => (Cmd("true") with { MailUser = ["-oevil"] }).Validate())
                .ErrorId
        );
        Assert.Equal(
            "HpcInvalidJobName",
            Assert.Throws<InvalidJobRequestException>(() => (Cmd("true") with { Name = "-N" }).Validate()).ErrorId
        );
        var output = Assert.Throws<InvalidJobRequestException>(() =>
            (Cmd("true") with { OutputPath = "-o" }).Validate()
        );
        Assert.Equal("HpcInvalidOutputPath", output.ErrorId);
        Assert.Contains("'./-o'", output.Message);
        var folder = Assert.Throws<InvalidJobRequestException>(() =>
            (Cmd("true") with { WorkingDirectory = "-x", PathsOnCluster = true }).Validate()
        );
        Assert.Contains("'./-x'", folder.Message);
        Assert.Equal(
            "HpcInvalidJobRequest",
            Assert
                .Throws<InvalidJobRequestException>(() =>
                    (Cmd("true") with { MailUser = ["me@example.org\n"] }).Validate()
                )
                .ErrorId
        );
    }

    [Fact]
    public void A_name_may_be_200_characters_and_no_more()
    {
        Assert.NotNull((Cmd("true") with { Name = new string('n', 200) }).Validate());
        Refused(
            Cmd("true") with
            {
                Name = new string('n', 201),
            },
            "HpcInvalidJobName",
            "Name is 201 characters long; at most 200 are allowed."
        );
    }

    [Fact]
    public void The_name_defaults_to_the_script_or_program()
    {
        Assert.Equal("sleep", Cmd("/bin/sleep", "1").EffectiveName);
        Assert.Equal("run.sh", new JobRequest { ScriptPath = "/x/run.sh" }.EffectiveName);
        Assert.Equal("job", new JobRequest().EffectiveName);
        Assert.Equal("mine", (Cmd("true") with { Name = "mine" }).EffectiveName);
    }

    [Fact]
    public void The_working_directory_must_be_a_folder_that_exists()
    {
        var file = Path.Combine(_dir, "f");
        File.WriteAllText(file, "");
        Refused(
            Cmd("true") with
            {
                WorkingDirectory = file,
            },
            "HpcWorkingDirectoryNotFound",
            $"Working directory '{file}' is a file, not a folder."
        );
        Refused(
            Cmd("true") with
            {
                WorkingDirectory = file + "x",
            },
            "HpcWorkingDirectoryNotFound",
            $"Working directory '{file}x' does not exist."
        );
    }

    [Fact]
    public void Environment_names_and_values_are_checked()
    {
        Refused(
            Cmd("true") with
            {
                Environment = new Dictionary<string, string> { ["1A"] = "x" },
            },
            "HpcInvalidEnvironment",
            "Environment variable name '1A' is not valid: use letters, digits and _ and do not start with a digit."
        );
        Refused(
            Cmd("true") with
            {
                Environment = new Dictionary<string, string> { ["A"] = "a\0" },
            },
            "HpcInvalidEnvironment",
            "Environment variable 'A' contains a NUL character."
        );
        Refused(
            Cmd("true") with
            {
                Environment = new Dictionary<string, string> { ["SBATCH_ARRAY_INX"] = "0-2" },
            },
            "HpcInvalidEnvironment",
            "Environment variable 'SBATCH_ARRAY_INX' is not allowed: names starting with SBATCH_ configure the scheduler's "
                + "own tools (sbatch reads SBATCH_*, qsub PBS_*) or are set by the scheduler for the job. Say what you want "
                + "with Submit-HpcJob's parameters (-ArrayRange, -Resources, ...), or use another name."
        );
        // Linux's limit is 128 KiB for NAME=value and its NUL
        var fits = new string('x', 128 * 1024 - 3);
        Assert.NotNull((Cmd("true") with { Environment = new Dictionary<string, string> { ["A"] = fits } }).Validate());
        Refused(
            Cmd("true") with
            {
                Environment = new Dictionary<string, string> { ["A"] = fits + "x" },
            },
            "HpcInvalidEnvironment",
            $"Environment variable 'A' is {fits.Length + 1} bytes long; Linux takes at most 131072 bytes for one NAME=value. Pass large data in a file."
        );
        Refused(
            Cmd("true") with
            {
                Environment = new Dictionary<string, string> { ["AB"] = new string('é', 65535) },
            },
            "HpcInvalidEnvironment",
            "Environment variable 'AB' is 131070 bytes long; Linux takes at most 131072 bytes for one NAME=value. Pass large data in a file."
        );
    }

    [Theory]
    [InlineData("SLURM_X")]
    [InlineData("salloc_x")]
    [InlineData("SRUN_X")]
    [InlineData("PBS_X")]
    [InlineData("HPCJOBS_X")]
    public void Every_reserved_prefix_is_refused(string name) =>
        Assert.Equal(
            "HpcInvalidEnvironment",
            Assert
                .Throws<InvalidJobRequestException>(() =>
                    (Cmd("true") with { Environment = new Dictionary<string, string> { [name] = "1" } }).Validate()
                )
                .ErrorId
        );

    [Fact]
    public void Output_paths_are_checked_against_the_working_directory()
    {
        Refused(
            Cmd("true") with
            {
                OutputPath = "",
            },
            "HpcInvalidOutputPath",
            "-OutputPath '' is not valid: it must be a file path without control characters."
        );
        Refused(
            Cmd("true") with
            {
                ErrorPath = "a\tb",
            },
            "HpcInvalidOutputPath",
            "-ErrorPath 'a\tb' is not valid: it must be a file path without control characters."
        );
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        Refused(
            Cmd("true") with
            {
                OutputPath = "sub",
            },
            "HpcInvalidOutputPath",
            $"-OutputPath 'sub' is a folder; give a file name in it (for example '{Path.Combine("sub", "job-%j.out")}')."
        );
        Refused(
            Cmd("true") with
            {
                ErrorPath = "missing/x.err",
            },
            "HpcInvalidOutputPath",
            $"-ErrorPath 'missing/x.err': folder '{Path.Combine(_dir, "missing")}' does not exist; create it first (the job would die at start with no output)."
        );
        File.WriteAllText(Path.Combine(_dir, "file"), "");
        Refused(
            Cmd("true") with
            {
                OutputPath = "file/x.out",
            },
            "HpcInvalidOutputPath",
            $"-OutputPath 'file/x.out': '{Path.Combine(_dir, "file")}' is a file, not a folder."
        );
        Refused(
            Cmd("true") with
            {
                OutputPath = "/dev/zero",
            },
            "HpcInvalidOutputPath",
            "-OutputPath '/dev/zero' is not a regular file (file type character device): a job writing to it could block "
                + "or fill memory. Give a regular file, or /dev/null to discard the output."
        );
        // accepted: /dev/null, a %-pattern folder only the scheduler expands, a file that exists, an absolute path
        Assert.NotNull((Cmd("true") with { OutputPath = "/dev/null", ErrorPath = "%x-%u/out" }).Validate());
        // refused: a folder named after the job id cannot exist before submission, and no scheduler creates it
        Assert.Equal(
            "HpcInvalidOutputPath",
            Assert
                .Throws<InvalidJobRequestException>(() => (Cmd("true") with { ErrorPath = "%x-%j/out" }).Validate())
                .ErrorId
        );
        Assert.NotNull((Cmd("true") with { OutputPath = Path.Combine(_dir, "file") }).Validate());
        Assert.NotNull((Cmd("true") with { OutputPath = "x.out", WorkingDirectory = null }).Validate());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("1 2")]
    [InlineData("1,2")]
    [InlineData("1:2")]
    [InlineData("1?")]
    [InlineData("-1")]
    public void A_dependency_must_name_one_job(string id)
    {
        var e = Assert.Throws<InvalidJobRequestException>(() =>
            (Cmd("true") with { Dependencies = [new JobDependency(id, DependencyKind.AfterOk)] }).Validate()
        );
        Assert.Equal(("HpcInvalidDependency", $"Dependency job id '{id}' is not a job id."), (e.ErrorId, e.Message));
    }

    [Fact]
    public void A_dependency_on_another_schedulers_job_is_refused_for_this_one()
    {
        var request = Cmd("true") with
        {
            Dependencies =
            [
                new JobDependency("1", DependencyKind.AfterOk, SchedulerKind.Local),
                new JobDependency("2", DependencyKind.AfterOk, SchedulerKind.Slurm),
                new JobDependency("3", DependencyKind.AfterAny),
            ],
        };
        Assert.NotNull(request.Validate());
        var e = Assert.Throws<InvalidJobRequestException>(() => request.Validate(SchedulerKind.Pbs));
        Assert.Equal(
            "The job goes to Pbs, but it depends on Local job 1, Slurm job 2: a scheduler can only wait for its own jobs. "
                + "Submit the job to the same scheduler, or wait in PowerShell (Wait-HpcJob) first.",
            e.Message
        );
        Assert.Equal("HpcInvalidDependency", e.ErrorId);
        Assert.Throws<InvalidJobRequestException>(() => (request with { Command = [] }).Validate(SchedulerKind.Local));
    }
}
