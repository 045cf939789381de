using HpcJobs.Core.Model;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Waiting;

/// <summary>Retries (issue 30): which ends get another attempt, with what, and where the policy is kept.</summary>
public class RetryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"hpcjobs-retry-{Guid.NewGuid():N}");

    public RetryTests() => Environment.SetEnvironmentVariable(RetryStore.FolderVariable, Path.Combine(_root, "r"));

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(RetryStore.FolderVariable, null);
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }

    private static readonly JobRequest Request = new()
    {
        Command = ["true"],
        Resources = new ResourceSpec { Memory = 512L << 20, Walltime = TimeSpan.FromMinutes(10) },
    };

    [Theory]
    [InlineData(JobEndCause.OutOfMemory, 1, true)]
    [InlineData(JobEndCause.Walltime, 2, true)]
    [InlineData(JobEndCause.NodeFailure, 3, false)] // the third attempt was the last of 1 + 2 retries
    [InlineData(JobEndCause.ExitCode, 1, false)] // a plain non-zero exit only when asked
    [InlineData(JobEndCause.Cancelled, 1, false)]
    public void The_default_policy_retries_what_is_worth_retrying_up_to_its_cap(
        JobEndCause cause,
        int attempt,
        bool retried
    ) =>
        Assert.Equal(
            retried,
            new JobRetryPolicy { MaxRetries = 2 }
                .Validate()
                .Retries(cause, attempt)
        );

    [Fact]
    public void An_attempt_after_running_out_of_memory_or_time_asks_for_more_of_it_and_nothing_else()
    {
        var policy = new JobRetryPolicy { MaxRetries = 1, WalltimeFactor = 1.5 };
        Assert.Equal(1L << 30, policy.Next(Request, JobEndCause.OutOfMemory)!.Resources.Memory);
        Assert.Equal(TimeSpan.FromMinutes(10), policy.Next(Request, JobEndCause.OutOfMemory)!.Resources.Walltime);
        Assert.Equal(TimeSpan.FromMinutes(15), policy.Next(Request, JobEndCause.Walltime)!.Resources.Walltime);
        Assert.Same(Request, policy.Next(Request, JobEndCause.NodeFailure));
        // nothing asked: nothing to scale, and the same request would end the same way
        Assert.Null(policy.Next(new JobRequest { Command = ["true"] }, JobEndCause.OutOfMemory));
    }

    [Theory]
    [InlineData(0, 2, 2)]
    [InlineData(11, 2, 2)]
    [InlineData(1, 0.5, 2)]
    [InlineData(1, 2, double.NaN)]
    public void Out_of_range_values_are_refused_naming_them(int max, double memory, double walltime) =>
        Assert.Equal(
            "HpcInvalidJobRequest",
            Assert
                .Throws<InvalidJobRequestException>(() =>
                    new JobRetryPolicy
                    {
                        MaxRetries = max,
                        MemoryFactor = memory,
                        WalltimeFactor = walltime,
                    }.Validate()
                )
                .ErrorId
        );

    [Fact]
    public void Completed_is_no_cause_to_retry() =>
        Assert.Throws<InvalidJobRequestException>(() =>
            new JobRetryPolicy { MaxRetries = 1, On = [JobEndCause.Completed] }.Validate()
        );

    [Fact]
    public void The_policy_is_kept_private_and_found_again_for_the_same_job_only()
    {
        var job = new JobInfo { JobId = "42", Scheduler = "Slurm" };
        var record = new RetryStore.Record(new JobRetryPolicy { MaxRetries = 2 }, Request, 1, "42", null);
        RetryStore.Save(job, record);
        var found = RetryStore.Find(job)!;
        Assert.Equal((2, 1, "42"), (found.Policy.MaxRetries, found.Attempt, found.FirstJobId));
        Assert.Equal(Request.Resources.Memory, found.Request.Resources.Memory);
        Assert.Equal(["true"], found.Request.Command);
        Assert.Null(RetryStore.Find(job with { JobId = "43" }));
        Assert.Null(RetryStore.Find(job with { Location = "ssh://elsewhere" }));
        var file = Directory.GetFiles(RetryStore.Folder()).Single();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public void A_record_others_may_write_is_refused_never_submitted()
    {
        var job = new JobInfo { JobId = "7", Scheduler = "Local" };
        RetryStore.Save(job, new RetryStore.Record(new JobRetryPolicy { MaxRetries = 1 }, Request, 1, "7", null));
        var file = Directory.GetFiles(RetryStore.Folder()).Single();
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);
        Assert.Equal("HpcStateUntrusted", Assert.Throws<LocalStateException>(() => RetryStore.Find(job)).ErrorId);
    }
}
