using System.Collections;
using System.Management.Automation;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.ScriptBlocks;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Commands;

/// <summary>Submits a batch script or a command (an argument list) and returns the job.</summary>
[Cmdlet(VerbsLifecycle.Submit, "HpcJob", SupportsShouldProcess = true, DefaultParameterSetName = "Script")]
[OutputType(typeof(JobInfo), typeof(HpcPowerShellJob))]
public sealed class SubmitHpcJobCommand : HpcSubmittingCmdlet
{
    [Parameter(
        Mandatory = true,
        Position = 0,
        ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true,
        ParameterSetName = "Script"
    )]
    [Alias("FullName", "Path")]
    [ValidateNotNullOrEmpty]
    public string ScriptPath { get; set; } = "";

    /// <summary>Arguments passed to the script (as strings), or to the script block (as objects, serialized).</summary>
    [Parameter(Position = 1, ParameterSetName = "Script")]
    [Parameter(ParameterSetName = "ScriptBlock")]
    [Alias("Args")]
    public object[] ArgumentList { get; set; } = [];

    /// <summary>The program and its arguments, as a list: nothing is interpreted by a shell.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Command")]
    [ValidateNotNullOrEmpty]
    public string[] Command { get; set; } = [];

    /// <summary>
    /// PowerShell to run on the node under pwsh; Receive-HpcJob returns its objects and replays its streams. $using:name
    /// values are taken now; in an array each task has its index in $HpcTaskIndex.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = "ScriptBlock")]
    public ScriptBlock? ScriptBlock { get; set; }

    /// <summary>Modules (names, or paths the nodes can read) imported on the node before the script block runs.</summary>
    [Parameter(ParameterSetName = "ScriptBlock")]
    [ValidateNotNullOrEmpty]
    public string[] ImportModule { get; set; } = [];

    /// <summary>pwsh on the node (default: $env:HPCJOBS_PWSH, else the pwsh of this session, else pwsh from PATH).</summary>
    [Parameter(ParameterSetName = "ScriptBlock")]
    [ValidateNotNullOrEmpty]
    public string? PwshPath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>A ResourceSpec from New-HpcResourceSpec, or a hashtable with the same names (@{Cpus=4; Memory='8GB'}).</summary>
    [Parameter]
    [ResourceSpecTransformation]
    public ResourceSpec? Resources { get; set; }

    /// <summary>The partition (PBS: queue); overrides the one in -Resources.</summary>
    [Parameter]
    [Alias("Queue")]
    [CatalogCompleter(CatalogKind.Partition)]
    public string? Partition { get; set; }

    /// <summary>The quality of service (SLURM); overrides the one in -Resources.</summary>
    [Parameter]
    [CatalogCompleter(CatalogKind.Qos)]
    public string? Qos { get; set; }

    /// <summary>The account charged; overrides the one in -Resources.</summary>
    [Parameter]
    [CatalogCompleter(CatalogKind.Account)]
    public string? Account { get; set; }

    /// <summary>Jobs this one waits for: JobInfo objects or job ids (of the scheduler the job goes to).</summary>
    [Parameter]
    [Alias("Dependency")]
    [JobIdCompleter]
    [AllowNull]
    [JobReferenceTransformation]
    public JobReference[]? DependsOn { get; set; }

    [Parameter]
    public DependencyKind DependencyType { get; set; } = DependencyKind.AfterOk;

    /// <summary>Array task indices: 0-99, 1,3,5-7, 0-99:2, with an optional throttle %N.</summary>
    [Parameter]
    [Alias("Array")]
    [ValidateNotNullOrEmpty]
    public string? ArrayRange { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    [Parameter]
    public Hashtable? Environment { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ErrorPath { get; set; }

    [Parameter]
    public SchedulerKind? Scheduler { get; set; }

    /// <summary>Submit the job held: it starts only after Resume-HpcJob.</summary>
    [Parameter]
    public SwitchParameter Hold { get; set; }

    /// <summary>Do not start before: a DateTime, a TimeSpan from now, '+90m', 'now+2h', or '2026-12-01 08:00'.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? BeginTime { get; set; }

    /// <summary>Let the scheduler run the job again after a node failure or preemption (sbatch --requeue, qsub -r y).</summary>
    [Parameter]
    public SwitchParameter Requeue { get; set; }

    /// <summary>Never run the job twice (sbatch --no-requeue, qsub -r n): a preempted job is cancelled instead.</summary>
    [Parameter]
    public SwitchParameter NoRequeue { get; set; }

    /// <summary>A signal before the walltime, so the job can checkpoint: 'USR1@120' (SIGUSR1 two minutes before).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Signal { get; set; }

    /// <summary>Who the scheduler mails about the job.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? MailUser { get; set; }

    /// <summary>When the scheduler mails: Begin, End, Fail or All.</summary>
    [Parameter]
    public MailEvents[]? MailType { get; set; }

    /// <summary>The job's nodes are its alone (sbatch --exclusive, qsub -l place=excl).</summary>
    [Parameter]
    public SwitchParameter Exclusive { get; set; }

    /// <summary>Return a PowerShell job (Get-Job, Wait-Job, Receive-Job, Stop-Job) instead of the JobInfo.</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    protected override void ProcessRecord()
    {
        var scheduler = GetSchedulerOrStop(Scheduler);

        JobRequest request;
        SubmissionPlan plan;
        ScriptBlockPayload? payload = null;
        JobRetryPolicy? retries = null;
        try
        {
            request = BuildRequest();
            plan = scheduler.Plan(request);
            retries = RetryPolicy(request);
            if (ScriptBlock is not null)
                payload = ScriptBlockPayloads.Build(
                    ScriptBlock,
                    ArgumentList,
                    ImportModule,
                    null,
                    ScriptBlockPayloads.PwshCommand(PwshPath, Cluster is not null),
                    this,
                    request.WorkingDirectory
                );
        }
        catch (HpcJobsException e)
        {
            WriteError(
                ToErrorRecord(
                    e,
                    ParameterSetName switch
                    {
                        "Script" => ScriptPath,
                        "ScriptBlock" => ScriptBlock?.ToString(),
                        _ => string.Join(' ', Command),
                    }
                )
            );
            return;
        }
        if (request.Dependencies.Count == 0 && MyInvocation.BoundParameters.ContainsKey(nameof(DependencyType)))
            WriteWarning($"-DependencyType {DependencyType} has no effect without -DependsOn.");

        foreach (var note in plan.Notes)
            WriteWarning(note);
        var target = $"{request.EffectiveName} on {scheduler.Kind}" + (Cluster is { } cluster ? $" at {cluster}" : "");
        var shown = payload is null || !OperatingSystem.IsLinux() ? plan.ToString() : ScriptBlockPlan(plan, payload);
        if (!ShouldProcess($"Submit job {target}:\n{shown}", $"Submit job {target}?", "Submit-HpcJob"))
            return;
        try
        {
            if (payload is not null)
            {
                request = PrepareScriptBlockJob(request, payload, scheduler.Kind, null);
                plan = scheduler.Plan(request);
            }
            WriteVerbose($"{scheduler.Kind}: {plan.CommandLine}");
            var submitted = WithRetries(Run(ct => scheduler.SubmitAsync(request, ct)), request, retries);
            WriteObject(AsJob ? HpcJobSourceAdapter.Register(this, scheduler, submitted, plan.CommandLine) : submitted);
        }
        catch (HpcJobsException e)
        {
            WriteError(ToErrorRecord(e, target));
        }
    }

    /// <summary>What -WhatIf shows for a script block: the scheduler's command, the batch script, what the payload holds.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private string ScriptBlockPlan(SubmissionPlan plan, ScriptBlockPayload payload) =>
        $"{plan.CommandLine.Replace(string.Join(' ', StandIn), "<folder>/job.sh", StringComparison.Ordinal)}\n"
        + $"batch script (job.sh):\n{ScriptBlockJob.PreviewScript(payload)}"
        + $"payload ({System.Text.Encoding.UTF8.GetByteCount(payload.Payload)} bytes of CLIXML): the script block "
        + $"{{{ScriptBlock}}}, {ArgumentList.Length} argument(s)"
        + (ImportModule.Length > 0 ? $", modules {string.Join(", ", ImportModule)}" : "");

    /// <summary>What the request runs until the payload folder is written (a valid command, for the checks).</summary>
    private static readonly string[] StandIn = ["pwsh", "-File", "job.sh"];

    private JobRequest BuildRequest()
    {
        var deps = new List<JobDependency>();
        if (MyInvocation.BoundParameters.ContainsKey(nameof(DependsOn)))
            foreach (
                var d in DependsOn ?? [JobReference.Invalid("$null is not a job (did an earlier Submit-HpcJob fail?)")]
            )
                deps.Add(
                    d.IsValid
                        ? new JobDependency(d.JobId, DependencyType, d.Scheduler) { Location = d.Location }
                        : throw new InvalidJobRequestException($"-DependsOn: {d.Problem}.", HpcErrors.InvalidDependency)
                );
        var env = new Dictionary<string, string>();
        if (Environment is not null)
            foreach (DictionaryEntry e in Environment)
            {
                var name = Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "";
                var value = e.Value is PSObject wrapped ? wrapped.BaseObject : e.Value;
                if (value is System.Collections.IEnumerable and not string)
                    throw new InvalidJobRequestException(
                        $"Environment variable '{name}' is a {value.GetType().Name}, not one value; join it into one "
                            + "string yourself (for example ($list -join ':')).",
                        HpcErrors.InvalidEnvironment
                    );
                env[name] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            }
        return new JobRequest
        {
            ScriptPath = ParameterSetName == "Script" ? ResolvePath(ScriptPath) : null,
            ScriptArguments =
                ParameterSetName == "Script"
                    ? ArgumentList.Select(a => LanguagePrimitives.ConvertTo<string>(a)).ToArray()
                    : [],
            Command = ParameterSetName switch
            {
                "Command" => Command,
                "ScriptBlock" => StandIn,
                _ => [],
            },
            Name = Name ?? (ParameterSetName == "ScriptBlock" ? "scriptblock" : null),
            Resources = WithNames(Resources ?? ResourceSpec.Default),
            Dependencies = deps,
            Array = ArrayRange is null ? null : Core.Model.ArrayRange.Parse(ArrayRange),
            // jobs start where the user is in PowerShell, which is not the process's current directory; on a cluster
            // over SSH, paths are the cluster's, taken as given (relative ones from the login folder)
            WorkingDirectory = Cluster is not null
                ? WorkingDirectory
                : ResolvePath(WorkingDirectory ?? SessionState.Path.CurrentFileSystemLocation.ProviderPath),
            SubmitDirectory = Cluster is not null ? null : SessionState.Path.CurrentFileSystemLocation.ProviderPath,
            PathsOnCluster = Cluster is not null,
            Environment = env,
            OutputPath = Cluster is not null ? OutputPath : ResolveDrivePath(OutputPath),
            ErrorPath = Cluster is not null ? ErrorPath : ResolveDrivePath(ErrorPath),
            Hold = Hold,
            BeginTime = BeginTime is null
                ? null
                : Core.Model.BeginTime.From(BeginTime is PSObject o ? o.BaseObject : BeginTime, DateTimeOffset.Now),
            Requeue = (Requeue.IsPresent, NoRequeue.IsPresent) switch
            {
                (true, true) => throw new InvalidJobRequestException(
                    "Give -Requeue or -NoRequeue, not both.",
                    HpcErrors.InvalidJobRequest
                ),
                (true, false) => true,
                (false, true) => false,
                _ => null,
            },
            Signal = Signal is null ? null : JobSignal.Parse(Signal),
            MailUser = MailUser ?? [],
            MailType =
                MailType is { Length: > 1 } several && several.Contains(MailEvents.None)
                    ? throw new InvalidJobRequestException(
                        $"-MailType {string.Join(",", several)}: None means no mail, so it cannot go with "
                            + $"{string.Join(",", several.Where(e => e != MailEvents.None))}; give one or the other.",
                        HpcErrors.InvalidJobRequest
                    )
                    : (MailType ?? []).Aggregate(MailEvents.None, (all, e) => all | e),
            Exclusive = Exclusive,
        }.Validate();
    }

    /// <summary>
    /// An output path as PowerShell means it when it names a drive or home (<c>~/x.out</c>, <c>Temp:/x.out</c>); a plain
    /// relative path stays relative to the job's working directory, as the schedulers take it.
    /// </summary>
    private string? ResolveDrivePath(string? path) =>
        path is not null
        && (path.StartsWith('~') || System.Text.RegularExpressions.Regex.IsMatch(path, "^[A-Za-z][A-Za-z0-9_]*:"))
            ? ResolvePath(path)
            : path;

    private ResourceSpec WithNames(ResourceSpec spec) =>
        spec with
        {
            Partition = Partition ?? spec.Partition,
            Qos = Qos ?? spec.Qos,
            Account = Account ?? spec.Account,
        };
}
