using System.Text.RegularExpressions;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Contract;

/// <summary>What a back end can do, as a closed set a cmdlet (or a user) can test.</summary>
[Flags]
public enum SchedulerCapabilities
{
    None = 0,
    Arrays = 1 << 0,
    ArrayThrottle = 1 << 1,
    Dependencies = 1 << 2,
    Gpus = 1 << 3,
    Walltime = 1 << 4,
    Memory = 1 << 5,
    Partition = 1 << 6,
    Qos = 1 << 7,
    Account = 1 << 8,
    Constraint = 1 << 9,

    /// <summary>Finished jobs stay queryable (server history, accounting, the Local store).</summary>
    FinishedJobHistory = 1 << 10,

    /// <summary>Lists the user's jobs without ids (<see cref="IJobLister"/>).</summary>
    ListJobs = 1 << 11,

    /// <summary>Reports where a job's output goes, so Receive-HpcJob can read it.</summary>
    ReadOutput = 1 << 12,

    /// <summary>Reports CPU time and memory used (<see cref="IJobAccounting"/>).</summary>
    Accounting = 1 << 13,

    /// <summary>Holds and releases pending jobs (Suspend-/Resume-HpcJob, Submit-HpcJob -Hold).</summary>
    Hold = 1 << 14,

    /// <summary>Requeues running jobs under their id (Restart-HpcJob, -Requeue/-NoRequeue).</summary>
    Requeue = 1 << 15,

    /// <summary>Starts jobs no earlier than a given time (-BeginTime).</summary>
    BeginTime = 1 << 16,

    /// <summary>Signals a job some seconds before its walltime (-Signal).</summary>
    SignalBeforeWalltime = 1 << 17,

    /// <summary>Mails the job's owner (-MailUser, -MailType).</summary>
    Mail = 1 << 18,

    /// <summary>Gives a job its nodes alone (-Exclusive).</summary>
    Exclusive = 1 << 19,

    /// <summary>What every cluster batch system here offers.</summary>
    ClusterBatch =
        Arrays
        | ArrayThrottle
        | Dependencies
        | Gpus
        | Walltime
        | Memory
        | Partition
        | Account
        | ReadOutput
        | Hold
        | Requeue
        | BeginTime
        | Mail
        | Exclusive,
}
