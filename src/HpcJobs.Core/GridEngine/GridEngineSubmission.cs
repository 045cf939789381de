using System.Globalization;
using System.Text;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.GridEngine;

/// <summary>A parallel environment of the cell (qconf -sp): its name and allocation_rule.</summary>
public sealed record ParallelEnvironment(string Name, string AllocationRule)
{
    /// <summary>$pe_slots: every slot on one host.</summary>
    public bool OneHost => AllocationRule == "$pe_slots";

    /// <summary>A fixed number of slots per host (allocation_rule 4), else null.</summary>
    public int? SlotsPerHost =>
        int.TryParse(AllocationRule, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}

/// <summary>
/// Renders a JobRequest as a qsub argument list (a script file always: <c>qsub -b y</c> re-splits arguments). What Grid
/// Engine cannot express is refused, naming what to use instead.
/// </summary>
internal static class GridEngineSubmission
{
    /// <summary>The argv for qsub (the script path last) and the notes to show the user.</summary>
    public static (List<string> Args, List<string> Notes) Render(
        JobRequest request,
        string scriptPath,
        string? shell,
        IReadOnlyList<ParallelEnvironment> environments
    )
    {
        var r = request.Resources;
        var notes = new List<string>();
        var (name, note) = SubmissionRules.SafeName(request.EffectiveName, "Grid Engine");
        if (note is not null)
            notes.Add(note);
        var args = new List<string> { "-terse", "-N", name };
        Refuse(r);
        if (request.WorkingDirectory is not null)
            args.AddRange(["-wd", request.WorkingDirectory]);
        else
            args.Add("-cwd");
        if (shell is not null)
            args.AddRange(["-S", shell]);
        args.AddRange(Limits(request, notes));
        args.AddRange(Slots(r, environments, notes));
        if (r.Partition is not null)
            args.AddRange(["-q", r.Partition]);
        if (r.Account is not null)
            args.AddRange(["-P", r.Account]);
        if (request.Array is { } array)
            args.AddRange(ArrayArgs(array));
        if (request.Dependencies.Count > 0)
            args.AddRange(["-hold_jid", HoldJid(request.Dependencies)]);
        args.AddRange(Lifecycle(request));
        if (request.OutputPath is not null)
            args.AddRange(["-o", Path(request.OutputPath, "-OutputPath")]);
        if (request.ErrorPath is not null)
            args.AddRange(["-e", Path(request.ErrorPath, "-ErrorPath")]);
        else
            args.AddRange(["-j", "y"]); // one output file, as the other back ends do
        // names only: qsub takes each value from its own environment, so no value is ever split at a comma
        if (request.Environment.Count > 0)
            args.AddRange(["-v", string.Join(',', request.Environment.Keys)]);
        args.Add(scriptPath);
        return (args, notes);
    }

    private static void Refuse(ResourceSpec r)
    {
        if (r.Qos is not null)
            throw new InvalidResourceSpecException(
                nameof(ResourceSpec.Qos),
                r.Qos,
                "Grid Engine has no quality-of-service setting; use a queue (Partition) or a project (Account)"
            );
        if (r.GpusPerNode is > 0)
            throw new InvalidResourceSpecException(
                nameof(ResourceSpec.GpusPerNode),
                r.GpusPerNode,
                "Grid Engine has no standard GPU resource: each site defines its own complex (gpu, cuda, ...); put "
                    + "'#$ -l <site's GPU complex>=N' in a script of your own and submit that"
            );
        if (r.Constraint is not null)
            throw new InvalidResourceSpecException(
                nameof(ResourceSpec.Constraint),
                r.Constraint,
                "Grid Engine has no generic node feature: request the site's host complex ('#$ -l arch=...') in a "
                    + "script of your own"
            );
    }

    /// <summary>-l h_rt (and s_rt for -Signal USR1), -l h_vmem per slot.</summary>
    private static List<string> Limits(JobRequest request, List<string> notes)
    {
        var r = request.Resources;
        var limits = new List<string>();
        if (r.Walltime is { } w)
            limits.Add($"h_rt={Walltime.ToPbs(w)}");
        if (request.Signal is { } signal)
        {
            // the soft limit s_rt sends SIGUSR1, and only that signal, before h_rt kills the job
            if (signal.Number != 10)
                throw new InvalidJobRequestException(
                    $"-Signal '{signal.Name}': Grid Engine warns a job before its time is up with SIGUSR1 only (the "
                        + "soft limit s_rt). Use -Signal 'USR1@SECONDS' and trap USR1 in the job.",
                    HpcErrors.InvalidJobRequest
                );
            if (r.Walltime is not { } wall || wall.TotalSeconds <= signal.SecondsBeforeEnd)
                throw new InvalidJobRequestException(
                    $"-Signal '{signal.Name}@{signal.SecondsBeforeEnd}' needs a walltime longer than "
                        + $"{signal.SecondsBeforeEnd} s (Grid Engine sends it at the soft limit s_rt = walltime - seconds).",
                    HpcErrors.InvalidJobRequest
                );
            limits.Add($"s_rt={Walltime.ToPbs(wall - TimeSpan.FromSeconds(signal.SecondsBeforeEnd))}");
        }
        if (r.Memory is { } memory)
        {
            var perSlot = (long)Math.Ceiling(memory / (double)SlotsPerNode(r));
            limits.Add($"h_vmem={ByteSize.WholeMiB(perSlot)}M");
            notes.Add(
                $"Grid Engine's h_vmem is a per-slot limit on address space (virtual memory), not on resident memory: "
                    + $"{ByteSize.WholeMiB(perSlot)}M per slot. Programs that reserve much address space (.NET, Java) "
                    + "need more than they use."
            );
        }
        return limits.Count == 0 ? [] : ["-l", string.Join(',', limits)];
    }

    private static int SlotsPerNode(ResourceSpec r) => (r.TasksPerNode ?? 1) * (r.CpusPerTask ?? 1);

    /// <summary>
    /// More than one slot needs a parallel environment of the cell: one host's slots ($pe_slots) for one node, a fixed
    /// slots-per-host rule for that many per node, else $fill_up or $round_robin, which place slots, not nodes.
    /// </summary>
    private static List<string> Slots(
        ResourceSpec r,
        IReadOnlyList<ParallelEnvironment> environments,
        List<string> notes
    )
    {
        var nodes = r.Nodes ?? 1;
        var perNode = SlotsPerNode(r);
        var total = nodes * perNode;
        if (total <= 1)
            return [];
        ParallelEnvironment? pe;
        if (nodes == 1)
            pe = environments.FirstOrDefault(e => e.OneHost);
        else
        {
            pe = environments.FirstOrDefault(e => e.SlotsPerHost == perNode);
            if (pe is null && environments.FirstOrDefault(e => !e.OneHost && e.SlotsPerHost is null) is { } spread)
            {
                pe = spread;
                notes.Add(
                    $"Grid Engine places slots, not nodes: parallel environment '{spread.Name}' "
                        + $"({spread.AllocationRule}) gives the job {total} slots on as many hosts as it takes, not "
                        + $"exactly {nodes} nodes."
                );
            }
        }
        if (pe is null)
            throw new InvalidResourceSpecException(
                nodes == 1 ? nameof(ResourceSpec.CpusPerTask) : nameof(ResourceSpec.Nodes),
                nodes == 1 ? perNode : nodes,
                $"{total} slots need a parallel environment of the cell, and none fits (qconf -spl: "
                    + (
                        environments.Count == 0
                            ? "none"
                            : string.Join(", ", environments.Select(e => $"{e.Name} {e.AllocationRule}"))
                    )
                    + (nodes == 1 ? "; one host's slots need allocation_rule $pe_slots)" : ")")
            );
        return ["-pe", pe.Name, total.ToString(CultureInfo.InvariantCulture)];
    }

    private static List<string> ArrayArgs(ArrayRange array)
    {
        if (array.Segments.Count != 1)
            throw new InvalidJobRequestException(
                $"Grid Engine arrays are one range (-t N-M[:S]); '{array}' is a list. Submit one array per range.",
                HpcErrors.InvalidArrayRange
            );
        var (start, end, step) = array.Segments[0];
        if (start < 1)
            throw new InvalidJobRequestException(
                $"Grid Engine task indices start at 1; '{array}' starts at {start}.",
                HpcErrors.InvalidArrayRange
            );
        var args = new List<string> { "-t", $"{start}-{end}:{step}" };
        if (array.Throttle is { } n)
            args.AddRange(["-tc", n.ToString(CultureInfo.InvariantCulture)]);
        return args;
    }

    /// <summary>
    /// -hold_jid starts the job once the others ended, however they ended (after-any). Grid Engine cannot start a job
    /// only after another succeeded or failed: those kinds are refused rather than run as after-any.
    /// </summary>
    public static string HoldJid(IReadOnlyList<JobDependency> dependencies)
    {
        if (dependencies.FirstOrDefault(d => d.Kind != DependencyKind.AfterAny) is { } d)
            throw new InvalidJobRequestException(
                $"Dependency {d.Kind} on job {d.JobId}: Grid Engine's -hold_jid starts a job once the others have "
                    + "ended, however they ended; it cannot wait for success or failure alone. Use -DependencyType "
                    + "AfterAny and check the outcome in the job, or wait in PowerShell (Wait-HpcJob, then submit).",
                HpcErrors.InvalidDependency
            );
        // a task id (12.3) waits for its whole array: qsub takes job numbers (and names) only
        return string.Join(',', dependencies.Select(x => GridEngineJobs.SplitId(x.JobId).Number).Distinct());
    }

    /// <summary>-Hold, -BeginTime, -Requeue/-NoRequeue, -MailUser/-MailType; -Exclusive is refused.</summary>
    private static List<string> Lifecycle(JobRequest request)
    {
        if (request.Exclusive)
            throw new InvalidJobRequestException(
                "-Exclusive: Grid Engine has no standard exclusive-host request (sites define an 'exclusive' complex "
                    + "of their own). Ask for every slot of a host instead (-Resources @{CpusPerTask=N}).",
                HpcErrors.InvalidJobRequest
            );
        return SubmissionRules.QsubLifecycle(request);
    }

    /// <summary>
    /// An output path with sbatch's patterns as Grid Engine's pseudo variables: %j and %A $JOB_ID, %a $TASK_ID, %x
    /// $JOB_NAME, %u $USER, %N $HOSTNAME, %% a percent sign. Any other pattern is refused (it would be written as it is).
    /// </summary>
    public static string Path(string path, string parameter)
    {
        if (!path.Contains('%'))
            return path;
        var sb = new StringBuilder();
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] != '%')
            {
                sb.Append(path[i]);
                continue;
            }
            var c = i + 1 < path.Length ? path[i + 1] : '\0';
            sb.Append(
                c switch
                {
                    'j' or 'A' => "$JOB_ID",
                    'a' => "$TASK_ID",
                    'x' => "$JOB_NAME",
                    'u' => "$USER",
                    'N' => "$HOSTNAME",
                    '%' => "%",
                    _ => throw new InvalidJobRequestException(
                        $"{parameter} '{path}': Grid Engine expands %j %A %a %x %u %N (as $JOB_ID, $TASK_ID, "
                            + $"$JOB_NAME, $USER, $HOSTNAME) and no other pattern; '%{c}' would be written as it is.",
                        HpcErrors.InvalidOutputPath
                    ),
                }
            );
            i++;
        }
        return sb.ToString();
    }

    /// <summary>qsub -terse prints the job number, or "2.1-4:1" for an array: the number is the id.</summary>
    public static string ParseJobId(string stdout)
    {
        var line = ShellQuote.LastLine(stdout);
        var id = line.Split('.')[0];
        return id.Length > 0 && id.All(char.IsAsciiDigit)
            ? id
            : throw new SchedulerOutputException("qsub", "no job id on stdout", stdout);
    }
}
