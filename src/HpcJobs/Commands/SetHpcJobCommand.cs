using System.Management.Automation;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Operations;

namespace HpcJobs.Commands;

/// <summary>
/// Changes what submitted jobs asked for (scontrol update, qalter/qmove): walltime, partition, QoS, account, name, nice,
/// begin time, dependencies. One call per scheduler command for all the jobs given; -WhatIf shows the exact commands;
/// finished jobs are skipped with a warning; a change the scheduler refuses is an error for that job, with what to do.
/// </summary>
[Cmdlet(VerbsCommon.Set, "HpcJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(JobInfo))]
public sealed class SetHpcJobCommand : HpcJobInputCmdlet
{
    /// <summary>The new walltime: '2h', '1h 30m', '1-12:00:00', or a TimeSpan.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WalltimeCompleter))]
    public string? Walltime { get; set; }

    /// <summary>The partition (PBS: queue) to move the jobs to.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [CatalogCompleter(CatalogKind.Partition)]
    public string? Partition { get; set; }

    /// <summary>The QoS (SLURM).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [CatalogCompleter(CatalogKind.Qos)]
    public string? Qos { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [CatalogCompleter(CatalogKind.Account)]
    public string? Account { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Higher runs later (SLURM nice; PBS priority is its negation); below 0 only for operators.</summary>
    [Parameter]
    public int? Nice { get; set; }

    /// <summary>Do not start before: a DateTime, a TimeSpan from now, '+90m', 'now+2h', or '2026-12-01 08:00'.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? BeginTime { get; set; }

    /// <summary>The jobs these wait for, replacing what they waited for (an empty list: none, on SLURM).</summary>
    [Parameter]
    [AllowNull]
    [AllowEmptyCollection]
    [JobIdCompleter]
    [JobReferenceTransformation]
    public JobReference[]? DependsOn { get; set; }

    [Parameter]
    public DependencyKind DependencyType { get; set; } = DependencyKind.AfterOk;

    /// <summary>Emit the jobs changed, as they are afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private JobChanges? _changes;

    protected override void BeginProcessing()
    {
        try
        {
            _changes = new JobChanges
            {
                Walltime = Walltime is null ? null : Core.Model.Walltime.Parse(Walltime),
                Partition = Partition,
                Qos = Qos,
                Account = Account,
                Name = Name,
                Nice = Nice,
                BeginTime = BeginTime is null
                    ? null
                    : Core.Model.BeginTime.From(BeginTime is PSObject o ? o.BaseObject : BeginTime, DateTimeOffset.Now),
                Dependencies = MyInvocation.BoundParameters.ContainsKey(nameof(DependsOn))
                    ? (DependsOn ?? [])
                        .Select(d =>
                            d.IsValid
                                ? new JobDependency(d.JobId, DependencyType, d.Scheduler) { Location = d.Location }
                                : throw new InvalidJobRequestException(
                                    $"-DependsOn: {d.Problem}.",
                                    HpcErrors.InvalidDependency
                                )
                        )
                        .ToList()
                    : null,
            };
        }
        catch (HpcJobsException e)
        {
            ThrowTerminatingError(ToErrorRecord(e, null));
        }
        base.BeginProcessing();
    }

    protected override void ProcessJobs(IScheduler scheduler, IReadOnlyList<string> jobIds)
    {
        var changes = _changes!;
        string? commands = null;
        try
        {
            changes.Validate(scheduler.Kind);
            if (scheduler is IJobChanger changer)
                commands = string.Join(
                    "; ",
                    changer.PlanChange(jobIds, changes).Select(c => $"{c.Program} {string.Join(' ', c.Arguments)}")
                );
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, string.Join(",", jobIds)));
            return;
        }
        if (
            commands is not null
            && !ShouldProcess($"{jobIds.Count} {scheduler.Kind} job(s): {string.Join(", ", jobIds)}", commands)
        )
            return;
        ControlReport report;
        try
        {
            report = Run(ct => JobOperations.ChangeAsync(scheduler, changes, jobIds, ct));
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, string.Join(",", jobIds)));
            return;
        }
        WriteReport(report, jobIds, PassThru);
    }
}
