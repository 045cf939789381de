using System.Globalization;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Pbs;

/// <summary>
/// What this session knows of the PBS server: its attributes (<c>qstat -B -f</c>, read once). The one piece of mutable
/// state the PBS back end's files share.
/// </summary>
internal sealed class PbsServerAttributes(SchedulerCommands commands, PbsDialect dialect)
{
    private IReadOnlyDictionary<string, string>? _attributes;

    /// <summary>The server's attributes, read once per session.</summary>
    public async Task<IReadOnlyDictionary<string, string>> AttributesAsync(CancellationToken ct)
    {
        if (_attributes is not null)
            return _attributes;
        var r = await commands
            .RunAsync("qstat", dialect == PbsDialect.Pro ? ["-B", "-f", "-F", "json"] : ["-B", "-f"], ct)
            .ConfigureAwait(false);
        if (!r.Succeeded)
            throw new SchedulerUnavailableException(
                $"qstat -B -f failed (exit {r.ExitCode}): {r.StandardError.Trim()}"
            );
        var records =
            dialect == PbsDialect.Pro
                ? PbsOutput.ParseJson(r.StandardOutput, "Server")
                : PbsOutput.ParseFullText(r.StandardOutput);
        return _attributes = records.FirstOrDefault()?.Attributes ?? new Dictionary<string, string>();
    }

    /// <summary>Refuses an array larger than the server's max_array_size (default 10,000) before qsub does, with the limit named.</summary>
    public async Task CheckArraySizeAsync(JobRequest request, CancellationToken ct)
    {
        if (request.Array is not { } array)
            return;
        IReadOnlyDictionary<string, string> server;
        try
        {
            server = await AttributesAsync(ct).ConfigureAwait(false);
        }
        catch (SchedulerUnavailableException)
        {
            return; // qsub will refuse with its own message
        }
        if (
            int.TryParse(server.GetValueOrDefault("max_array_size"), CultureInfo.InvariantCulture, out var max)
            && array.Count > max
        )
            throw new InvalidJobRequestException(
                $"ArrayRange '{array}' has {array.Count} tasks, but this PBS server's max_array_size is {max}. "
                    + "Submit several arrays, or ask the admins to raise max_array_size.",
                HpcErrors.InvalidArrayRange
            );
    }

    /// <summary>
    /// job_history_duration when the server keeps history (read by this session; PBS's default of two weeks before), the
    /// whole session when it keeps none: see <see cref="JobMemory.ForgetWindow"/>.
    /// </summary>
    public TimeSpan ForgetWindow
    {
        get
        {
            var server = _attributes;
            if (server is null || server.GetValueOrDefault("job_history_enable") is not ("True" or "true"))
                return JobMemory.ForgetWindow(server is null ? TimeSpan.FromDays(14) : null, TimeSpan.Zero);
            var parts = (server.GetValueOrDefault("job_history_duration") ?? "336:00:00").Split(':');
            return JobMemory.ForgetWindow(
                parts.Length == 3
                && int.TryParse(parts[0], out var h)
                && int.TryParse(parts[1], out var m)
                && int.TryParse(parts[2], out var sec)
                    ? new TimeSpan(h, m, sec)
                    : TimeSpan.FromDays(14),
                TimeSpan.Zero
            );
        }
    }
}
