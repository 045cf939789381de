using HpcJobs.Core.Model;

namespace HpcJobs.Core.Tests.Model;

[Trait("Category", "Unit")]
public class JobRequestTests
{
    [Fact]
    public void A_request_needs_a_script_or_a_command_but_not_both()
    {
        Assert.Equal(
            "HpcNoJobToRun",
            Assert.Throws<InvalidJobRequestException>(() => new JobRequest().Validate()).ErrorId
        );
        var script = Path.GetTempFileName();
        Assert.Throws<InvalidJobRequestException>(() =>
            new JobRequest { ScriptPath = script, Command = ["echo"] }.Validate()
        );
    }

    [Fact]
    public void Missing_scripts_working_directories_and_bad_environment_names_are_refused()
    {
        Assert.Equal(
            "HpcScriptNotFound",
            Assert
                .Throws<InvalidJobRequestException>(() =>
                    new JobRequest { ScriptPath = "/nonexistent/x.sh" }.Validate()
                )
                .ErrorId
        );
        Assert.Equal(
            "HpcWorkingDirectoryNotFound",
            Assert
                .Throws<InvalidJobRequestException>(() =>
                    new JobRequest { Command = ["true"], WorkingDirectory = "/nonexistent" }.Validate()
                )
                .ErrorId
        );
        Assert.Equal(
            "HpcInvalidEnvironment",
            Assert
                .Throws<InvalidJobRequestException>(() =>
                    new JobRequest
                    {
                        Command = ["true"],
                        Environment = new Dictionary<string, string> { ["1BAD"] = "x" },
                    }.Validate()
                )
                .ErrorId
        );
        Assert.Equal(
            "HpcInvalidJobName",
            Assert
                .Throws<InvalidJobRequestException>(() =>
                    new JobRequest { Command = ["true"], Name = "two\nlines" }.Validate()
                )
                .ErrorId
        );
        Assert.Equal(
            "HpcInvalidDependency",
            Assert
                .Throws<InvalidJobRequestException>(() =>
                    new JobRequest
                    {
                        Command = ["true"],
                        Dependencies = [new JobDependency("1,2", DependencyKind.AfterOk)],
                    }.Validate()
                )
                .ErrorId
        );
    }

    [Fact]
    public void The_name_defaults_to_the_program_or_script_file_name()
    {
        Assert.Equal("sleep", new JobRequest { Command = ["/bin/sleep", "1"] }.EffectiveName);
        Assert.Equal("run.sh", new JobRequest { ScriptPath = "/x/run.sh" }.EffectiveName);
    }
}
