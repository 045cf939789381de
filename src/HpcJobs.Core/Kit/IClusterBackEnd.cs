using HpcJobs.Core.Contract;

namespace HpcJobs.Core.Kit;

/// <summary>
/// What a cluster back end is made of, for the layers that act around it without it knowing: its commands (run on this
/// machine or, through the runner it was given, on a cluster over SSH) and its memory of this process's jobs. The shared
/// status (<c>Waiting/SharedStatus</c>) keys its snapshot by the back end's kind and <see cref="SchedulerCommands.Machine"/>,
/// and answers a job submitted after the snapshot from the memory.
/// </summary>
public interface IClusterBackEnd : IScheduler
{
    SchedulerCommands Commands { get; }

    JobMemory Memory { get; }
}
