using System.Text.RegularExpressions;

namespace HpcJobs.Core.Contract;

/// <summary>A back end that can report the settings that change how exact its answers are (the -Detailed report).</summary>
public interface ISchedulerInspector
{
    Task<SchedulerDescription> InspectAsync(CancellationToken cancellationToken = default);
}
