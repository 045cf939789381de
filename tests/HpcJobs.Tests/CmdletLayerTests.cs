using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Resolution;
using JobState = HpcJobs.Core.Model.JobState;

namespace HpcJobs.Tests;

/// <summary>A back end that answers from memory and records what it was asked.</summary>
internal sealed class FakeScheduler(SchedulerKind kind) : IScheduler
{
    public List<string> Calls { get; } = [];
    public HashSet<string> Known { get; } = [];
    public HashSet<string> Running { get; } = [];
    public HashSet<string> NotMine { get; } = [];
    public SchedulerKind Kind => kind;

    public SchedulerDescription Describe() => new(kind, $"fake {kind}", "1", "in memory", SchedulerCapabilities.None);

    public SubmissionPlan Plan(JobRequest request) => new("fake-submit", request.Command, null);

    public Task<JobInfo> SubmitAsync(JobRequest request, CancellationToken cancellationToken = default)
    {
        var id = (Known.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Known.Add(id);
        Calls.Add($"submit {id}");
        return Task.FromResult(SubmissionRules.Submitted(kind, id, request));
    }

    public Task<StatusReport> GetStatusAsync(
        IReadOnlyCollection<string> jobIds,
        CancellationToken cancellationToken = default
    )
    {
        Calls.Add("status " + string.Join(",", jobIds));
        var jobs = jobIds
            .Where(Known.Contains)
            .Select(id =>
                SubmissionRules.Submitted(kind, id, new JobRequest { Command = ["x"] }) with
                {
                    State = Running.Contains(id) ? JobState.Running : JobState.Completed,
                }
            );
        var missing = jobIds
            .Where(id => !Known.Contains(id))
            .Select(id => new JobLookupFailure(id, $"fake {kind} has no job {id}"));
        return Task.FromResult(new StatusReport(jobs.ToList(), missing.ToList()));
    }

    public Task<IReadOnlyList<JobLookupFailure>> CancelAsync(
        IReadOnlyCollection<JobInfo> jobs,
        CancellationToken cancellationToken = default
    )
    {
        Calls.Add("cancel " + string.Join(",", jobs.Select(j => j.JobId)));
        foreach (var j in jobs.Where(j => !NotMine.Contains(j.JobId)))
            Running.Remove(j.JobId);
        return Task.FromResult<IReadOnlyList<JobLookupFailure>>(
            jobs.Where(j => NotMine.Contains(j.JobId))
                .Select(j => new JobLookupFailure(j.JobId, $"fake refused {j.JobId}", HpcErrors.OperationRefused))
                .ToList()
        );
    }
}

internal sealed class FakeProbe(FakeScheduler scheduler, bool available) : ISchedulerProbe
{
    public SchedulerKind Kind => scheduler.Kind;

    public Task<SchedulerCandidate> ProbeAsync(bool requestedByName, CancellationToken cancellationToken) =>
        Task.FromResult(new SchedulerCandidate(Kind, available, available ? "fake: here" : "fake: not here"));

    public IScheduler Create() => scheduler;
}

/// <summary>The cmdlets in an in-process runspace over fake back ends. One test at a time: the resolver is process-wide.</summary>
[Collection("cmdlets")]
public sealed class CmdletLayerTests : IDisposable
{
    private readonly FakeScheduler _slurm = new(SchedulerKind.Slurm);
    private readonly FakeScheduler _local = new(SchedulerKind.Local);
    private readonly string? _envBefore = Environment.GetEnvironmentVariable(SchedulerResolver.EnvironmentVariable);

    public CmdletLayerTests() => Use(slurmAvailable: true);

    private void Use(bool slurmAvailable)
    {
        Environment.SetEnvironmentVariable(SchedulerResolver.EnvironmentVariable, null);
        HpcCmdlet.UseResolver(
            new SchedulerResolver([new FakeProbe(_slurm, slurmAvailable), new FakeProbe(_local, true)])
        );
    }

    public void Dispose()
    {
        HpcCmdlet.UseResolver(null);
        Environment.SetEnvironmentVariable(SchedulerResolver.EnvironmentVariable, _envBefore);
    }

    private static (Collection<PSObject> Output, List<ErrorRecord> Errors) Run(
        string script,
        params (string Name, object Value)[] variables
    )
    {
        var iss = InitialSessionState.CreateDefault2();
        iss.ImportPSModule(typeof(HpcCmdlet).Assembly.Location);
        using var ps = PowerShell.Create(iss);
        foreach (var (name, value) in variables)
            ps.Runspace.SessionStateProxy.SetVariable(name, value);
        ps.AddScript(script);
        var output = ps.Invoke();
        return (output, ps.Streams.Error.ToList());
    }

    [Fact]
    public void Bare_ids_go_to_the_auto_detected_scheduler_in_registration_order()
    {
        _slurm.Known.Add("5");
        var (output, errors) = Run("Get-HpcJobStatus 5");
        Assert.Empty(errors);
        Assert.Equal("Slurm", ((JobInfo)output.Single().BaseObject).Scheduler);
        Assert.Equal(["status 5"], _slurm.Calls);
        Assert.Empty(_local.Calls);
    }

    [Fact]
    public void Without_a_cluster_auto_detection_falls_back_to_Local()
    {
        Use(slurmAvailable: false);
        _local.Known.Add("5");
        var (output, _) = Run("Get-HpcJobStatus 5");
        Assert.Equal("Local", ((JobInfo)output.Single().BaseObject).Scheduler);
        Assert.Empty(_slurm.Calls);
    }

    [Fact]
    public void The_environment_variable_beats_auto_detection_and_the_parameter_beats_both()
    {
        _local.Known.Add("5");
        _slurm.Known.Add("5");
        Environment.SetEnvironmentVariable(SchedulerResolver.EnvironmentVariable, "Local");
        Assert.Equal("Local", ((JobInfo)Run("Get-HpcJobStatus 5").Output.Single().BaseObject).Scheduler);
        Assert.Equal(
            "Slurm",
            ((JobInfo)Run("Get-HpcJobStatus 5 -Scheduler Slurm").Output.Single().BaseObject).Scheduler
        );
    }

    [Fact]
    public void Jobs_of_two_schedulers_in_one_call_cost_one_batched_call_each()
    {
        foreach (var id in new[] { "1", "2", "3" })
        {
            _slurm.Known.Add(id);
            _local.Known.Add(id);
        }
        var jobs = new object[]
        {
            SubmissionRules.Submitted(SchedulerKind.Local, "1", new JobRequest { Command = ["x"] }),
            SubmissionRules.Submitted(SchedulerKind.Slurm, "2", new JobRequest { Command = ["x"] }),
            SubmissionRules.Submitted(SchedulerKind.Local, "3", new JobRequest { Command = ["x"] }),
            "2",
        };
        var (output, errors) = Run("Get-HpcJobStatus $jobs", ("jobs", jobs));
        Assert.Empty(errors);
        Assert.Equal(["status 1,3"], _local.Calls);
        Assert.Equal(["status 2"], _slurm.Calls); // the bare "2" went to auto-detected SLURM, merged with the object's id
        Assert.Equal(
            ["Local:1", "Local:3", "Slurm:2"],
            output.Select(o => (JobInfo)o.BaseObject).Select(j => $"{j.Scheduler}:{j.JobId}").Order()
        );
    }

    [Fact]
    public void Core_errors_become_ErrorRecords_with_their_id_and_category()
    {
        var (_, errors) = Run("Get-HpcJobStatus 404; Submit-HpcJob -Command true -Name '  '");
        Assert.Equal(2, errors.Count);
        Assert.Equal(
            ("HpcJobNotFound", ErrorCategory.ObjectNotFound),
            (errors[0].FullyQualifiedErrorId.Split(',')[0], errors[0].CategoryInfo.Category)
        );
        Assert.Equal(
            ("HpcInvalidJobName", ErrorCategory.InvalidArgument),
            (errors[1].FullyQualifiedErrorId.Split(',')[0], errors[1].CategoryInfo.Category)
        );
        Assert.DoesNotContain(_slurm.Calls, c => c.StartsWith("submit", StringComparison.Ordinal));
    }

    [Fact]
    public void A_refused_cancel_is_that_jobs_error_and_PassThru_returns_the_others()
    {
        foreach (var id in new[] { "1", "2", "3" })
        {
            _slurm.Known.Add(id);
            _slurm.Running.Add(id);
        }
        _slurm.NotMine.Add("2");
        var (output, errors) = Run("Stop-HpcJob 1, 2, 3 -Scheduler Slurm -PassThru -Confirm:$false");
        Assert.Equal(["1", "3"], output.Select(o => ((JobInfo)o.BaseObject).JobId));
        var error = Assert.Single(errors);
        Assert.Equal(
            ("HpcOperationRefused", ErrorCategory.PermissionDenied, "2"),
            (error.FullyQualifiedErrorId.Split(',')[0], error.CategoryInfo.Category, error.TargetObject?.ToString())
        );
        Assert.Single(_slurm.Calls, c => c.StartsWith("cancel", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_error_id_maps_to_a_PowerShell_category_by_name()
    {
        foreach (var e in HpcErrors.All)
            Assert.True(Enum.TryParse<ErrorCategory>(e.Category.ToString(), out _), e.Id);
    }
}

[CollectionDefinition("cmdlets", DisableParallelization = true)]
public sealed class CmdletCollection;
