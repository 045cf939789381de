using System.Globalization;
using System.Text;

namespace HpcJobs.Core.Kit;

/// <summary>
/// The filename patterns sbatch(1) documents for --output, expanded as SLURM 22.05's slurmstepd does for a batch job
/// (checked on the test cluster: <c>a-%5j-%n-%t-%s-%N-%J</c> became <c>a-00111-0-0-batch-vm-111</c>; a backslash anywhere
/// turns expansion off and is dropped). The Local back end uses the same patterns.
/// </summary>
public static class OutputPattern
{
    /// <summary>The task index SLURM prints for %a of a job that is no array task.</summary>
    public const string NoTask = "4294967294";

    /// <summary>Patterns whose value only the node that runs the job knows: refused where no node is known.</summary>
    public const string NodePatterns = "%N";

    /// <summary>
    /// Expands %j job id, %J its batch step's id, %A array id, %a task index, %x name, %u user, %N node (when
    /// <paramref name="node"/> is known; otherwise left as it is), %n node index and %t task rank (0 for a batch job),
    /// %s step ("batch"), %% a percent sign; a number after % pads numbers with zeros (at most 10). Other %c stay.
    /// </summary>
    public static string Expand(
        string pattern,
        string jobId,
        string arrayJobId,
        int? task,
        string name,
        string? node = null
    )
    {
        if (pattern.Contains('\\'))
            return pattern.Replace("\\", "", StringComparison.Ordinal);
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
            var start = i;
            var digits = 0;
            while (i + 1 < pattern.Length && char.IsAsciiDigit(pattern[i + 1]))
            {
                i++;
                digits++;
            }
            if (i == pattern.Length - 1)
            {
                sb.Append(pattern, start, i - start + 1);
                break;
            }
            var width =
                digits == 0
                    ? 0
                    : Math.Min(10, int.Parse(pattern.AsSpan(start + 1, digits), CultureInfo.InvariantCulture));
            var c = pattern[++i];
            string Number(string value) => value.PadLeft(width, '0');
            sb.Append(
                c switch
                {
                    'j' or 'J' => Number(jobId),
                    'A' => Number(arrayJobId),
                    'a' => Number(task?.ToString(CultureInfo.InvariantCulture) ?? NoTask),
                    'n' or 't' => Number("0"),
                    's' => "batch",
                    'N' when node is not null => node,
                    'x' => name,
                    'u' => Environment.UserName,
                    '%' when digits == 0 => "%",
                    _ => pattern[start..(i + 1)],
                }
            );
        }
        return sb.ToString();
    }
}
