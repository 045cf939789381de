using System.Text;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Kit;

/// <summary>Rules every back end applies to a submission the same way.</summary>
public static class SubmissionRules
{
    /// <summary>
    /// A batch script must name its interpreter on a first <c>#!</c> line (sbatch and qsub require it, and the Local back end
    /// runs the script with it). Returns that line.
    /// </summary>
    public static string RequireInterpreterLine(string scriptPath)
    {
        string firstLine;
        using (var reader = new StreamReader(scriptPath, Encoding.UTF8))
            firstLine = reader.ReadLine() ?? "";
        if (!firstLine.StartsWith("#!", StringComparison.Ordinal))
            throw new InvalidJobRequestException(
                $"Script '{scriptPath}' does not start with #! and an interpreter (sbatch and qsub require one; add e.g. #!/bin/bash).",
                HpcErrors.InvalidScript
            );
        return firstLine;
    }

    /// <summary>
    /// The interpreter of a script whose #! line names one program by its full path and no arguments (#!/bin/bash), for
    /// schedulers that otherwise run the script through the user's login shell (PBS's qsub -S); null for any other line.
    /// </summary>
    public static string? PlainInterpreter(string scriptPath)
    {
        var interpreter = RequireInterpreterLine(scriptPath)[2..].Trim();
        return interpreter.StartsWith('/') && !interpreter.Any(char.IsWhiteSpace) ? interpreter : null;
    }

    /// <summary>The JobInfo a back end returns right after the scheduler accepted a job: Pending, with what was asked.</summary>
    public static JobInfo Submitted(SchedulerKind scheduler, string jobId, JobRequest request, string? name = null) =>
        new()
        {
            JobId = jobId,
            Name = name ?? request.EffectiveName,
            Scheduler = scheduler.ToString(),
            State = request.Hold ? JobState.Held : JobState.Pending,
            HeldBy = request.Hold ? HoldType.User : null,
            Reason = request.Hold ? "JobHeldUser" : "Submitted",
            ArrayTasks = request.Array?.ToString(),
            SubmitTime = DateTimeOffset.Now,
            WorkingDirectory = request.WorkingDirectory,
            Resources = request.Resources,
        };

    /// <summary>
    /// The classic batch job-name rule (PBS, Grid Engine): letters, digits, _ - . only, starting with a letter, at most
    /// <paramref name="maxLength"/> characters; the name qsub will accept, and a note when it had to change.
    /// </summary>
    public static (string Name, string? Note) SafeName(string name, string scheduler, int? maxLength = null)
    {
        var sb = new StringBuilder();
        foreach (var c in name)
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_');
        var safe = sb.ToString();
        if (safe.Length == 0 || !char.IsAsciiLetter(safe[0]))
            safe = "j" + safe;
        if (maxLength is { } max && safe.Length > max)
            safe = safe[..max];
        return (
            safe,
            safe == name
                ? null
                : $"{scheduler} job names are "
                    + (maxLength is { } m ? $"at most {m} characters of " : "")
                    + $"letters, digits, _ - . and start with a letter: '{name}' is submitted as '{safe}'."
        );
    }

    /// <summary>A time as qsub's and qalter's -a take it (PBS and Grid Engine): [[CC]YY]MMDDhhmm[.SS], the local time.</summary>
    public static string QsubTime(DateTimeOffset time) =>
        time.ToLocalTime().ToString("yyyyMMddHHmm.ss", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// -Hold, -BeginTime, -Requeue/-NoRequeue, -MailUser/-MailType as the qsub of PBS and of Grid Engine both take them:
    /// -h, -a [[CC]YY]MMDDhhmm[.SS] in the server's (this machine's) time zone, -r y|n, -M, -m bea.
    /// </summary>
    public static List<string> QsubLifecycle(JobRequest request)
    {
        var args = new List<string>();
        if (request.Hold)
            args.Add("-h");
        if (request.BeginTime is { } begin)
            args.AddRange(["-a", QsubTime(begin)]);
        if (request.Requeue is { } requeue)
            args.AddRange(["-r", requeue ? "y" : "n"]);
        if (request.MailUser.Count > 0)
            args.AddRange(["-M", string.Join(',', request.MailUser)]);
        if (request.MailType != MailEvents.None)
            args.AddRange([
                "-m",
                (request.MailType.HasFlag(MailEvents.Begin) ? "b" : "")
                    + (request.MailType.HasFlag(MailEvents.End) ? "e" : "")
                    + (request.MailType.HasFlag(MailEvents.Fail) ? "a" : ""),
            ]);
        return args;
    }
}
