using System.Text;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Operations;

/// <summary>
/// One line a job wrote, with the job it came from (its ToString is the line, so it reads as text). LineNumber counts
/// from the file's start; it is null for lines read with -Tail, which reads from the end and never counts the lines
/// before.
/// </summary>
public sealed record JobOutputLine(string JobId, long? LineNumber, string Line)
{
    public override string ToString() => Line;
}

/// <summary>A job whose output is followed, with the scheduler that answers for it.</summary>
public sealed record FollowedJob(IScheduler Scheduler, JobInfo Job);
