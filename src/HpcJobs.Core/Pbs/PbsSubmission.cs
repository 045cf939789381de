using System.Globalization;
using System.Text;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Pbs;

/// <summary>Renders a JobRequest as a qsub argument list in one dialect. What the dialect cannot express is refused.</summary>
internal static class PbsSubmission
{
    /// <summary>PBS's classic job-name rule: at most 15 characters, starting with a letter, no whitespace or specials.</summary>
    public const int MaxNameLength = 15;

    /// <summary>The name qsub will accept, and a note when it had to change.</summary>
    public static (string Name, string? Note) SafeName(string name) =>
        SubmissionRules.SafeName(name, "PBS", MaxNameLength);

    /// <summary>The argv for qsub (the script path is the last argument) and the notes to show the user.</summary>
    public static (List<string> Args, List<string> Notes) Render(
        JobRequest request,
        PbsDialect dialect,
        string scriptPath
    )
    {
        var r = request.Resources;
        var notes = new List<string>();
        var (name, note) = SafeName(request.EffectiveName);
        if (note is not null)
            notes.Add(note);
        var args = new List<string> { "-N", name };
        if (r.Qos is not null)
            throw new InvalidResourceSpecException(
                nameof(ResourceSpec.Qos),
                r.Qos,
                "PBS has no quality-of-service setting; use a queue (Partition) instead"
            );

        var nodes = r.Nodes ?? 1;
        var cpusPerNode = (r.TasksPerNode ?? 1) * (r.CpusPerTask ?? 1);
        if (dialect == PbsDialect.Pro)
        {
            if (r.Constraint is not null)
                throw new InvalidResourceSpecException(
                    nameof(ResourceSpec.Constraint),
                    r.Constraint,
                    "PBS Pro has no generic node-feature constraint; request the site's custom resource in a script directive instead"
                );
            var chunk = new StringBuilder($"select={nodes}:ncpus={cpusPerNode}");
            if (r.TasksPerNode is { } t)
                chunk.Append(CultureInfo.InvariantCulture, $":mpiprocs={t}");
            if (r.CpusPerTask is { } c && r.TasksPerNode is not null)
                chunk.Append(CultureInfo.InvariantCulture, $":ompthreads={c}");
            if (r.GpusPerNode is { } g and > 0)
                chunk.Append(CultureInfo.InvariantCulture, $":ngpus={g}");
            if (r.Memory is { } m)
                chunk.Append(CultureInfo.InvariantCulture, $":mem={MegaBytes(m)}mb");
            // place=excl (-Exclusive) needs a select: the default chunk is given explicitly then
            if (
                r.Nodes is not null
                || r.TasksPerNode is not null
                || r.CpusPerTask is not null
                || r.GpusPerNode is not null
                || r.Memory is not null
                || request.Exclusive
            )
                args.AddRange(["-l", chunk.ToString()]);
            if (r.Walltime is { } w)
                args.AddRange(["-l", $"walltime={Walltime.ToPbs(w)}"]);
        }
        else
        {
            var list = new List<string>();
            if (
                r.Nodes is not null
                || r.TasksPerNode is not null
                || r.CpusPerTask is not null
                || r.GpusPerNode is not null
                || r.Constraint is not null
            )
            {
                var spec = new StringBuilder($"nodes={nodes}:ppn={cpusPerNode}");
                if (r.GpusPerNode is { } g and > 0)
                    spec.Append(CultureInfo.InvariantCulture, $":gpus={g}");
                if (r.Constraint is { } feature)
                    spec.Append(':').Append(feature); // a Torque node property
                list.Add(spec.ToString());
            }
            // Torque's mem is the job's total; ResourceSpec.Memory is per node
            if (r.Memory is { } m)
                list.Add($"mem={MegaBytes(m) * nodes}mb");
            if (r.Walltime is { } w)
                list.Add($"walltime={Walltime.ToPbs(w)}");
            if (list.Count > 0)
                args.AddRange(["-l", string.Join(',', list)]);
        }
        if (r.Partition is not null)
            args.AddRange(["-q", r.Partition]);
        if (r.Account is not null)
            args.AddRange(["-A", r.Account]);
        if (request.Array is { } array)
            args.AddRange(ArrayArgs(array, dialect));
        if (request.Dependencies.Count > 0)
            args.AddRange(["-W", "depend=" + Dependencies(request.Dependencies, dialect)]);
        args.AddRange(Lifecycle(request, dialect));
        foreach (
            var (parameter, path) in new[] { ("-OutputPath", request.OutputPath), ("-ErrorPath", request.ErrorPath) }
        )
            if (path?.Contains('%') == true)
                throw new InvalidJobRequestException(
                    $"{parameter} '{path}': PBS takes the path as it is and expands no %-pattern (%j, %A, %a), so every "
                        + "job would write the same file. Give a plain path, or leave it out (PBS writes NAME.oID in the "
                        + "working directory).",
                    HpcErrors.InvalidOutputPath
                );
        if (request.OutputPath is not null)
            args.AddRange(["-o", request.OutputPath]);
        if (request.ErrorPath is not null)
            args.AddRange(["-e", request.ErrorPath]);
        else
            args.AddRange(["-j", "oe"]); // one output file, as the other back ends do
        if (dialect == PbsDialect.Torque && request.WorkingDirectory is not null)
            args.AddRange(["-d", request.WorkingDirectory]);
        // names only: qsub takes each value from its own environment, so no value is ever split at a comma
        if (request.Environment.Count > 0)
            args.AddRange(["-v", string.Join(',', request.Environment.Keys)]);
        args.Add(scriptPath);
        return (args, notes);
    }

    /// <summary>-Hold, -BeginTime, -Requeue/-NoRequeue, -MailUser/-MailType, -Exclusive as qsub options; -Signal is refused.</summary>
    private static List<string> Lifecycle(JobRequest request, PbsDialect dialect)
    {
        if (request.Signal is { } signal)
            throw new InvalidJobRequestException(
                $"-Signal '{signal}': PBS's qsub cannot send a signal before the walltime. At the walltime PBS sends "
                    + "SIGTERM, then SIGKILL after the server's kill_delay (10 s by default): trap SIGTERM in the job to "
                    + "checkpoint, or give a shorter walltime and checkpoint on a timer of your own.",
                HpcErrors.InvalidJobRequest
            );
        var args = SubmissionRules.QsubLifecycle(request);
        if (request.Exclusive)
            args.AddRange(dialect == PbsDialect.Pro ? ["-l", "place=excl"] : ["-n"]);
        return args;
    }

    private static IEnumerable<string> ArrayArgs(ArrayRange array, PbsDialect dialect)
    {
        if (dialect == PbsDialect.Pro)
        {
            if (array.Segments.Count != 1)
                throw new InvalidJobRequestException(
                    $"PBS Pro arrays are one range (-J X-Y[:Z][%N]); '{array}' is a list.",
                    HpcErrors.InvalidArrayRange
                );
            var (start, end, step) = array.Segments[0];
            if (array.Count < 2)
                throw new InvalidJobRequestException(
                    $"PBS Pro refuses arrays of one element ('{array}'); submit a plain job.",
                    HpcErrors.InvalidArrayRange
                );
            var spec = step == 1 ? $"{start}-{end}" : $"{start}-{end}:{step}";
            return ["-J", array.Throttle is { } n ? $"{spec}%{n}" : spec];
        }
        if (array.Segments.Any(s => s.Step != 1))
            throw new InvalidJobRequestException(
                $"Torque arrays (-t) have no step; '{array}' needs one. List the indices instead (0,2,4).",
                HpcErrors.InvalidArrayRange
            );
        return ["-t", array.ToString()];
    }

    /// <summary>
    /// <c>afterok:1.srv:2.srv,afternotok:3.srv</c>. Torque waits for a whole array with the *array kinds
    /// (afterokarray:12[].srv); PBS Pro takes the array id with the plain kinds.
    /// </summary>
    public static string Dependencies(IEnumerable<JobDependency> deps, PbsDialect dialect) =>
        string.Join(
            ',',
            deps.GroupBy(d => (d.Kind, IsArray: dialect == PbsDialect.Torque && d.JobId.Contains("[]")))
                .Select(g =>
                    $"{g.Key.Kind.ToString().ToLowerInvariant()}{(g.Key.IsArray ? "array" : "")}:{string.Join(':', g.Select(d => d.JobId))}"
                )
        );

    /// <summary>
    /// The batch script for a command, or for a script with arguments (qsub has no portable way to pass them): it moves
    /// to the working directory (PBS Pro starts jobs in $HOME) and execs the single-quoted argument list.
    /// </summary>
    public static string WrapperScript(IReadOnlyList<string> argv, string? workingDirectory) =>
        ShellQuote.ExecScript(argv, workingDirectory);

    private static long MegaBytes(long bytes) => ByteSize.WholeMiB(bytes);

    public static string ParseJobId(string stdout)
    {
        var id = ShellQuote.LastLine(stdout);
        return id.Length > 0 && char.IsAsciiDigit(id[0]) && !id.Contains(' ')
            ? id
            : throw new SchedulerOutputException("qsub", "no job id on stdout", stdout);
    }

    public static SubmissionPlan Plan(IReadOnlyList<string> args, string? script) => new("qsub", args, script);
}
