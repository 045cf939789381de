using System.Text;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Slurm;

/// <summary>Renders a JobRequest as an sbatch argument list (and, for a command, the batch script fed on stdin).</summary>
internal static class SlurmSubmission
{
    /// <summary>The comment that tags a submission, so that after a lost answer we can tell whether it landed.</summary>
    public const string TokenPrefix = "hpcjobs-submit:";

    public static SubmissionPlan Render(JobRequest request, string token)
    {
        foreach (
            var (parameter, path) in new[] { ("-OutputPath", request.OutputPath), ("-ErrorPath", request.ErrorPath) }
        )
            if (
                path is not null
                && !path.Contains('\\')
                && path.Contains(OutputPattern.NodePatterns, StringComparison.Ordinal)
            )
                throw new InvalidJobRequestException(
                    $"{parameter} '{path}': %N (the name of the node that runs the job) is known only on that node, so "
                        + "HpcJobs could never tell where the output went (Receive-HpcJob, -Wait). Use %j, %x, %A or %a.",
                    HpcErrors.InvalidOutputPath
                );
        var r = request.Resources;
        var args = new List<string> { "--parsable", $"--job-name={request.EffectiveName}" };
        if (r.Nodes is { } n)
            args.Add($"--nodes={n}");
        if (r.TasksPerNode is { } t)
            args.Add($"--ntasks-per-node={t}");
        if (r.CpusPerTask is { } c)
            args.Add($"--cpus-per-task={c}");
        if (r.GpusPerNode is { } g and > 0)
            args.Add($"--gres=gpu:{g}");
        if (r.Memory is { } m)
            args.Add($"--mem={MegaBytes(m)}M");
        if (r.Walltime is { } w)
            args.Add($"--time={Walltime.ToSlurm(RoundUpToMinute(w))}");
        if (r.Partition is not null)
            args.Add($"--partition={r.Partition}");
        if (r.Qos is not null)
            args.Add($"--qos={r.Qos}");
        if (r.Account is not null)
            args.Add($"--account={r.Account}");
        if (r.Constraint is not null)
            args.Add($"--constraint={r.Constraint}");
        if (request.WorkingDirectory is not null)
            args.Add($"--chdir={request.WorkingDirectory}");
        // SLURM's own defaults, given explicitly so that the paths we report are the paths SLURM writes
        args.Add($"--output={request.OutputPath ?? (request.Array is null ? "slurm-%j.out" : "slurm-%A_%a.out")}");
        if (request.ErrorPath is not null)
            args.Add($"--error={request.ErrorPath}");
        if (request.Array is not null)
            args.Add($"--array={request.Array}");
        if (request.Dependencies.Count > 0)
            args.Add($"--dependency={Dependencies(request.Dependencies)}");
        args.AddRange(Lifecycle(request));
        args.Add($"--comment={TokenPrefix}{token}");

        if (request.ScriptPath is not null)
        {
            args.Add(request.ScriptPath);
            args.AddRange(request.ScriptArguments);
            return new SubmissionPlan("sbatch", args, null);
        }
        return new SubmissionPlan("sbatch", args, CommandScript(request.Command));
    }

    /// <summary>-Hold, -BeginTime, -Requeue/-NoRequeue, -Signal, -MailUser/-MailType, -Exclusive as sbatch options.</summary>
    private static IEnumerable<string> Lifecycle(JobRequest request)
    {
        if (request.Hold)
            yield return "--hold";
        if (request.BeginTime is { } begin)
            yield return $"--begin={begin.ToLocalTime():yyyy-MM-ddTHH:mm:ss}";
        if (request.Requeue is { } requeue)
            yield return requeue ? "--requeue" : "--no-requeue";
        // B: the batch shell alone, which for a command is the command itself (its script only execs it)
        if (request.Signal is { } signal)
            yield return $"--signal=B:{signal.Name}@{signal.SecondsBeforeEnd}";
        if (request.MailUser.Count > 0)
            yield return $"--mail-user={string.Join(',', request.MailUser)}";
        if (request.MailType != MailEvents.None)
            yield return "--mail-type="
                + (
                    request.MailType == MailEvents.All
                        ? "ALL"
                        : string.Join(
                            ',',
                            new[] { MailEvents.Begin, MailEvents.End, MailEvents.Fail }
                                .Where(e => request.MailType.HasFlag(e))
                                .Select(e => e.ToString().ToUpperInvariant())
                        )
                );
        if (request.Exclusive)
            yield return "--exclusive";
    }

    /// <summary>
    /// The batch script for a command: it only execs the argument list, each argument single-quoted, so that nothing in
    /// an argument is ever interpreted by the shell.
    /// </summary>
    public static string CommandScript(IReadOnlyList<string> argv) => ShellQuote.ExecScript(argv);

    public static string Dependencies(IEnumerable<JobDependency> deps) =>
        string.Join(
            ',',
            deps.GroupBy(d => d.Kind)
                .Select(g => $"{g.Key.ToString().ToLowerInvariant()}:{string.Join(':', g.Select(d => d.JobId))}")
        );

    /// <summary>SLURM takes whole MiB and whole minutes (it rounds a 5 s limit up to a minute anyway).</summary>
    private static long MegaBytes(long bytes) => ByteSize.WholeMiB(bytes);

    internal static TimeSpan RoundUpToMinute(TimeSpan t) => TimeSpan.FromMinutes(Math.Ceiling(t.TotalMinutes));

    public static string ParseJobId(string stdout)
    {
        var id = ShellQuote.LastLine(stdout).Split(';')[0]; // "ID" or "ID;cluster"
        return id.Length > 0 && id.All(char.IsAsciiDigit)
            ? id
            : throw new SchedulerOutputException("sbatch --parsable", "no job id", stdout);
    }

    /// <summary>
    /// sbatch's refusal with the value it is about: SLURM says "Job violates accounting/QOS policy" or "Invalid account"
    /// without naming the QoS or account, and "Requested node configuration is not available" without saying that no
    /// node could ever run the job (it is refused, not left waiting).
    /// </summary>
    public static string ExplainRefusal(string message, JobRequest request)
    {
        var r = request.Resources;
        var text = message.Trim();
        bool Says(string s) => text.Contains(s, StringComparison.OrdinalIgnoreCase);
        var partition = r.Partition is null ? "the default partition" : $"partition '{r.Partition}'";
        if (Says("QOS") && r.Qos is { } qos)
            text +=
                $" (-Qos '{qos}': the job asks for more than this QoS allows per job or per user, or your association "
                + "may not use it; Get-HpcScheduler -Detailed lists the QoS and their limits)";
        else if (Says("QOS"))
            text += " (your default QoS or association limits; Get-HpcScheduler -Detailed lists them)";
        if (Says("account"))
            text +=
                $" (-Account '{r.Account ?? "your default"}': you have no association with it on {partition}; "
                + "Get-HpcScheduler -Detailed lists your accounts)";
        if (Says("Requested node configuration is not available"))
            text +=
                $" (no node of {partition} has what the job asks for ({r}), so it could never start: ask for less, or "
                + "another partition)";
        if (Says("More processors requested than permitted") || Says("Node count specification invalid"))
            text +=
                $" ({partition} cannot give {(r.Nodes is { } n ? $"{n} node{(n == 1 ? "" : "s")}" : "that many nodes")} "
                + $"with {(r.TasksPerNode ?? 1) * (r.CpusPerTask ?? 1)} CPU(s) each ({r}): it has fewer nodes or CPUs "
                + "than that, or its MaxNodes is lower. Ask for fewer nodes, or another partition; Tab after "
                + "-Partition shows each partition's nodes)";
        if (Says("Invalid generic resource") && r.GpusPerNode is { } gpus)
            text += $" (-GpusPerNode {gpus}: {partition} has no GPUs to give)";
        if (Says("Invalid partition") && r.Partition is { } p)
            text += $" (-Partition '{p}')";
        return text;
    }
}
