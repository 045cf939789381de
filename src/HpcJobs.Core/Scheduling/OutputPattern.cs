using System.Globalization;
using System.Text;

namespace HpcJobs.Core.Scheduling;

/// <summary>The filename patterns sbatch(1) documents for --output, which the Local back end uses too.</summary>
public static class OutputPattern
{
    /// <summary>The task index SLURM prints for %a of a job that is no array task.</summary>
    public const string NoTask = "4294967294";

    /// <summary>Expands %j job id, %A array id, %a task index, %x name, %u user, %% a percent sign; other %c stay as they are.</summary>
    public static string Expand(string pattern, string jobId, string arrayJobId, int? task, string name)
    {
        if (!pattern.Contains('%'))
            return pattern;
        var sb = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != '%' || i == pattern.Length - 1)
            {
                sb.Append(pattern[i]);
                continue;
            }
            var c = pattern[++i];
            sb.Append(
                c switch
                {
                    'j' => jobId,
                    'A' => arrayJobId,
                    'a' => task?.ToString(CultureInfo.InvariantCulture) ?? NoTask,
                    'x' => name,
                    'u' => Environment.UserName,
                    '%' => "%",
                    _ => "%" + c,
                }
            );
        }
        return sb.ToString();
    }
}
