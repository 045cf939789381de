using HpcJobs.Core.Local;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Local;

/// <summary>
/// The Local store under damage: corrupt, missing or rewound files, a state folder that cannot be used, concurrent
/// submitters. No id is ever reused, no record is lost or overwritten, and every error names the file and what to do.
/// </summary>
public sealed class LocalStoreFaultTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hpcjobs-store-fault-").FullName;
    private readonly string _state;
    private readonly string _work;

    public LocalStoreFaultTests()
    {
        _state = Path.Combine(_root, "state");
        _work = Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;
    }

    public void Dispose()
    {
        var active = Path.Combine(_state, "active");
        if (!Directory.Exists(active))
            return;
        var ids = Directory.GetFiles(active).Select(Path.GetFileName).OfType<string>().ToList();
        try
        {
            JobOperations.StopAsync(new LocalScheduler(_state), ids).GetAwaiter().GetResult();
        }
        catch (HpcJobsException)
        { /* a test left a damaged record on purpose */
        }
    }

    private LocalScheduler Scheduler() => new(_state);

    private JobRequest Cmd(params string[] argv) => new() { Command = argv, WorkingDirectory = _work };

    private string Unit(string id) => Path.Combine(_state, "units", id + ".json");

    private string NextId => Path.Combine(_state, "next-id");

    /// <summary>Issue 28: records that are links were refused, but next-id was read and written through one.</summary>
    [Fact]
    public async Task A_next_id_that_is_a_link_is_replaced_never_written_through()
    {
        var local = Scheduler();
        var first = await local.SubmitAsync(Cmd("true"));
        var target = Path.Combine(_root, "someone-elses-file");
        File.WriteAllText(target, "untouched");
        File.Delete(NextId);
        File.CreateSymbolicLink(NextId, target);
        var second = await local.SubmitAsync(Cmd("true"));
        Assert.Equal(long.Parse(first.JobId) + 1, long.Parse(second.JobId));
        Assert.Equal("untouched", File.ReadAllText(target));
        Assert.False(new FileInfo(NextId).LinkTarget is not null, "next-id is still a link");
    }

    [Fact]
    public async Task A_truncated_record_is_that_jobs_error_alone_naming_the_file()
    {
        var local = Scheduler();
        var one = await local.SubmitAsync(Cmd("true"));
        var two = await local.SubmitAsync(Cmd("true"));
        var text = File.ReadAllText(Unit(one.JobId));
        File.WriteAllText(Unit(one.JobId), text[..(text.Length / 2)]);
        var report = await local.GetStatusAsync([one.JobId, two.JobId]);
        Assert.Equal(two.JobId, Assert.Single(report.Jobs).JobId);
        var failure = Assert.Single(report.NotFound);
        Assert.Equal((one.JobId, "HpcStateCorrupt"), (failure.JobId, failure.ErrorKind.Id));
        Assert.Contains(Unit(one.JobId), failure.Message);
        Assert.Contains("Move it aside", failure.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{\"Id\": 3")]
    public async Task Empty_null_and_cut_records_are_reported_not_thrown(string content)
    {
        var local = Scheduler();
        var job = await local.SubmitAsync(Cmd("true"));
        File.WriteAllText(Unit(job.JobId), content);
        var failure = Assert.Single((await local.GetStatusAsync([job.JobId])).NotFound);
        Assert.Equal("HpcStateCorrupt", failure.ErrorKind.Id);
    }

    [Fact]
    public async Task A_corrupt_array_record_or_task_record_spoils_only_itself()
    {
        var local = Scheduler();
        var array = await local.SubmitAsync(Cmd("true") with { Array = ArrayRange.Parse("0-2") });
        var other = await local.SubmitAsync(Cmd("true"));
        File.WriteAllText(Unit($"{array.JobId}_1"), "{");
        var report = await local.GetStatusAsync([array.JobId, other.JobId]);
        Assert.Equal(
            new[] { $"{array.JobId}_0", $"{array.JobId}_2", other.JobId },
            report.Jobs.Select(j => j.JobId).Order()
        );
        Assert.Equal($"{array.JobId}_1", Assert.Single(report.NotFound).JobId);
        File.WriteAllText(Path.Combine(_state, "arrays", array.JobId + ".json"), "garbage");
        var broken = await local.GetStatusAsync([array.JobId, other.JobId]);
        Assert.Equal(
            ("HpcStateCorrupt", other.JobId),
            (Assert.Single(broken.NotFound).ErrorKind.Id, Assert.Single(broken.Jobs).JobId)
        );
    }

    [Fact]
    public async Task A_submission_with_another_record_corrupt_returns_its_job_and_runs()
    {
        var local = Scheduler();
        var blocker = await local.SubmitAsync(Cmd("sleep", "30"));
        File.WriteAllText(Unit(blocker.JobId), "{ broken");
        var job = await local.SubmitAsync(Cmd("true"));
        Assert.NotEqual(blocker.JobId, job.JobId);
        var done = await JobWaiter.WaitAsync(
            local,
            [job.JobId],
            new WaitOptions { Timeout = TimeSpan.FromSeconds(30) }
        );
        Assert.Equal(JobState.Completed, Assert.Single(done.Finished).State);
        File.Delete(Path.Combine(_state, "active", blocker.JobId));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("1")]
    [InlineData(null)]
    public async Task A_damaged_next_id_never_reuses_an_id_nor_overwrites_a_record(string? nextId)
    {
        var local = Scheduler();
        var running = await local.SubmitAsync(Cmd("sleep", "30"));
        var second = await local.SubmitAsync(Cmd("true"));
        var submitTime = (await local.GetStatusAsync([running.JobId])).Jobs.Single().SubmitTime;
        if (nextId is null)
            File.Delete(NextId);
        else
            File.WriteAllText(NextId, nextId);
        var third = await local.SubmitAsync(Cmd("true"));
        Assert.Equal(long.Parse(second.JobId) + 1, long.Parse(third.JobId));
        var kept = (await local.GetStatusAsync([running.JobId])).Jobs.Single();
        Assert.Equal((submitTime, "sleep"), (kept.SubmitTime, kept.Name)); // the running job's record was not overwritten
        Assert.False((await local.GetStatusAsync([running.JobId])).Jobs.Single().IsFinished);
        await JobOperations.StopAsync(local, [running.JobId]);
    }

    [Fact]
    public async Task An_array_id_on_disk_is_never_reused_after_a_rewind()
    {
        var local = Scheduler();
        var array = await local.SubmitAsync(Cmd("true") with { Array = ArrayRange.Parse("1-2") });
        File.WriteAllText(NextId, array.JobId);
        var next = await local.SubmitAsync(Cmd("true"));
        Assert.Equal(long.Parse(array.JobId) + 1, long.Parse(next.JobId));
    }

    [Fact]
    public void A_state_folder_that_is_a_file_is_a_clear_error()
    {
        File.WriteAllText(_state, "not a folder");
        var e = Assert.Throws<LocalStateException>(() => new LocalScheduler(_state));
        Assert.Equal("HpcStateUnusable", e.ErrorId);
        Assert.Contains(_state, e.Message);
        Assert.Contains("HPCJOBS_STATE_DIR", e.Message);
        File.Delete(_state);
    }

    [Fact]
    public async Task A_missing_state_folder_is_created_on_first_use()
    {
        var local = Scheduler();
        Directory.Delete(_state, recursive: true);
        var again = new LocalScheduler(_state);
        var job = await again.SubmitAsync(Cmd("true"));
        Assert.Equal("1", job.JobId);
        Assert.NotNull(local);
    }

    [Fact]
    public async Task Two_submitters_while_a_record_is_corrupt_get_unique_ids()
    {
        var local = Scheduler();
        var broken = await local.SubmitAsync(Cmd("sleep", "30"));
        File.WriteAllText(Unit(broken.JobId), "}");
        File.WriteAllText(NextId, "garbage");
        // two concurrent submitters with their own scheduler objects (separate processes: tests/pester/LocalStore.Tests.ps1)
        var submits = Enumerable
            .Range(0, 2)
            .Select(_ =>
                Task.Run(async () =>
                {
                    var ids = new List<string>();
                    var mine = new LocalScheduler(_state);
                    for (var i = 0; i < 15; i++)
                        ids.Add((await mine.SubmitAsync(Cmd("true"))).JobId);
                    return ids;
                })
            )
            .ToList();
        var all = (await Task.WhenAll(submits)).SelectMany(x => x).ToList();
        Assert.Equal(30, all.Distinct().Count());
        Assert.DoesNotContain(broken.JobId, all);
        var done = await JobWaiter.WaitAsync(local, all, new WaitOptions { Timeout = TimeSpan.FromSeconds(90) });
        Assert.Equal(30, done.Finished.Count(j => j.State == JobState.Completed));
        File.Delete(Path.Combine(_state, "active", broken.JobId));
    }
}
