namespace HpcJobs.Core.Model;

/// <summary>
/// What kind of failure an error is. The names are PowerShell's own ErrorCategory names, so the cmdlet layer converts by
/// name and the core needs no reference to PowerShell.
/// </summary>
public enum HpcErrorCategory
{
    NotSpecified,
    InvalidArgument,
    ObjectNotFound,
    InvalidOperation,
    ConnectionError,
    ParserError,
    NotInstalled,
    OperationTimeout,
    InvalidData,
    PermissionDenied,
    ResourceUnavailable,
    ReadError,
    InvalidResult,
    SecurityError,
    AuthenticationError,
    WriteError,
}

/// <summary>A stable ErrorId and the category it always carries.</summary>
public sealed record HpcError(string Id, HpcErrorCategory Category, string Meaning)
{
    public override string ToString() => Id;
}

/// <summary>
/// Every ErrorId HpcJobs raises, written once. The README's error list is checked against <see cref="All"/> by a test.
/// </summary>
public static class HpcErrors
{
    public static readonly HpcError InvalidResourceSpec = new(
        "HpcInvalidResourceSpec",
        HpcErrorCategory.InvalidArgument,
        "a resource request is invalid (counts, sizes, walltimes, names) or more than the scheduler can ever give"
    );
    public static readonly HpcError InvalidArrayRange = new(
        "HpcInvalidArrayRange",
        HpcErrorCategory.InvalidArgument,
        "an array range cannot be parsed or the scheduler cannot express it"
    );
    public static readonly HpcError InvalidJobRequest = new(
        "HpcInvalidJobRequest",
        HpcErrorCategory.InvalidArgument,
        "the request as a whole is inconsistent (script and command, empty program, NUL in an argument)"
    );
    public static readonly HpcError NoJobToRun = new(
        "HpcNoJobToRun",
        HpcErrorCategory.InvalidArgument,
        "neither a script nor a command was given"
    );
    public static readonly HpcError ScriptNotFound = new(
        "HpcScriptNotFound",
        HpcErrorCategory.ObjectNotFound,
        "the script does not exist or is a folder"
    );
    public static readonly HpcError InvalidScript = new(
        "HpcInvalidScript",
        HpcErrorCategory.InvalidArgument,
        "the script does not start with #!"
    );
    public static readonly HpcError InvalidDependency = new(
        "HpcInvalidDependency",
        HpcErrorCategory.InvalidArgument,
        "a dependency is not a job of this scheduler (null, another scheduler's job, not an id)"
    );
    public static readonly HpcError DependencyNotFound = new(
        "HpcDependencyNotFound",
        HpcErrorCategory.ObjectNotFound,
        "a dependency names a job the scheduler does not know"
    );
    public static readonly HpcError DependencyNeverSatisfied = new(
        "HpcDependencyNeverSatisfied",
        HpcErrorCategory.InvalidOperation,
        "a dependency can never be met (the job it waits for already ended the wrong way)"
    );
    public static readonly HpcError InvalidEnvironment = new(
        "HpcInvalidEnvironment",
        HpcErrorCategory.InvalidArgument,
        "an environment variable name or value cannot be passed to a job"
    );
    public static readonly HpcError InvalidJobName = new(
        "HpcInvalidJobName",
        HpcErrorCategory.InvalidArgument,
        "the job name is empty, blank, too long or has control characters"
    );
    public static readonly HpcError WorkingDirectoryNotFound = new(
        "HpcWorkingDirectoryNotFound",
        HpcErrorCategory.ObjectNotFound,
        "the working directory does not exist or is a file"
    );
    public static readonly HpcError InvalidOutputPath = new(
        "HpcInvalidOutputPath",
        HpcErrorCategory.InvalidArgument,
        "an output or error path is a folder, or its folder does not exist"
    );
    public static readonly HpcError InvalidJobId = new(
        "HpcInvalidJobId",
        HpcErrorCategory.InvalidArgument,
        "something given as a job is neither a job object nor a job id"
    );
    public static readonly HpcError SchedulerMismatch = new(
        "HpcSchedulerMismatch",
        HpcErrorCategory.InvalidArgument,
        "a job object belongs to another scheduler than -Scheduler names"
    );
    public static readonly HpcError InvalidSetting = new(
        "HpcInvalidSetting",
        HpcErrorCategory.InvalidArgument,
        "an HPCJOBS_* environment variable has a value HpcJobs cannot use"
    );
    public static readonly HpcError SubmitFailed = new(
        "HpcSubmitFailed",
        HpcErrorCategory.InvalidOperation,
        "the scheduler refused the job (its own message is kept)"
    );
    public static readonly HpcError JobNotFound = new(
        "HpcJobNotFound",
        HpcErrorCategory.ObjectNotFound,
        "the scheduler does not know the job"
    );
    public static readonly HpcError UserNotFound = new(
        "HpcUserNotFound",
        HpcErrorCategory.ObjectNotFound,
        "-User names no user of the machine the scheduler runs on"
    );
    public static readonly HpcError OutputNotFound = new(
        "HpcOutputNotFound",
        HpcErrorCategory.ObjectNotFound,
        "a job's output file does not exist (yet): the job has not started, or wrote nothing there"
    );
    public static readonly HpcError OutputNotReadable = new(
        "HpcOutputNotReadable",
        HpcErrorCategory.ReadError,
        "a job's output file cannot be read from this host (its folder is not here: another node's local disk?)"
    );
    public static readonly HpcError AccountingUnavailable = new(
        "HpcAccountingUnavailable",
        HpcErrorCategory.ResourceUnavailable,
        "the scheduler records no CPU time or memory use (SLURM accounting disabled, a back end without accounting)"
    );
    public static readonly HpcError JobCannotRun = new(
        "HpcJobCannotRun",
        HpcErrorCategory.ResourceUnavailable,
        "the scheduler says a job can never run (it asks for more than any node has); Wait-HpcJob stops waiting for it"
    );
    public static readonly HpcError JobFailed = new(
        "HpcJobFailed",
        HpcErrorCategory.InvalidResult,
        "a job run as a PowerShell job (-AsJob) ended Failed or TimedOut: the error in its Error stream says how"
    );
    public static readonly HpcError WaitTimeout = new(
        "HpcWaitTimeout",
        HpcErrorCategory.OperationTimeout,
        "Wait-HpcJob -Timeout passed with jobs unfinished"
    );
    public static readonly HpcError ReportNotWritten = new(
        "HpcReportNotWritten",
        HpcErrorCategory.WriteError,
        "Export-HpcJobReport could not write its file (the folder does not exist, is not writable, or the disk is full)"
    );

    /// <summary>The ErrorId keeps its first name (scripts match it); the member says what it means.</summary>
    public static readonly HpcError SchedulerNotInstalled = new(
        "HpcSchedulerNotAvailable",
        HpcErrorCategory.NotInstalled,
        "the named scheduler is unknown or not installed here"
    );
    public static readonly HpcError SchedulerUnavailable = new(
        "HpcSchedulerUnavailable",
        HpcErrorCategory.ConnectionError,
        "the scheduler's commands could not be run or its controller does not answer"
    );
    public static readonly HpcError SchedulerOutputUnreadable = new(
        "HpcSchedulerOutputUnreadable",
        HpcErrorCategory.ParserError,
        "the scheduler printed something HpcJobs cannot read (the text is kept)"
    );
    public static readonly HpcError StateCorrupt = new(
        "HpcStateCorrupt",
        HpcErrorCategory.InvalidData,
        "a file of the Local scheduler's state folder cannot be read (the file is named)"
    );
    public static readonly HpcError StateUnusable = new(
        "HpcStateUnusable",
        HpcErrorCategory.PermissionDenied,
        "the Local scheduler's state folder cannot be created, read or written"
    );
    public static readonly HpcError SchedulerTimeout = new(
        "HpcSchedulerTimeout",
        HpcErrorCategory.OperationTimeout,
        "a scheduler command did not answer within $HPCJOBS_COMMAND_TIMEOUT and was killed (a submit may still have landed)"
    );
    public static readonly HpcError OperationRefused = new(
        "HpcOperationRefused",
        HpcErrorCategory.PermissionDenied,
        "the scheduler refused the operation on this job (not your job, not an operator); the other jobs were handled"
    );
    public static readonly HpcError StateUntrusted = new(
        "HpcStateUntrusted",
        HpcErrorCategory.SecurityError,
        "the Local state folder, a folder or link on its path, or a record could be changed by another user; refused, never repaired"
    );

    public static readonly HpcError InvalidRemoteHost = new(
        "HpcInvalidRemoteHost",
        HpcErrorCategory.InvalidArgument,
        "-HostName, -UserName or -Port is not a host, login name or port"
    );
    public static readonly HpcError RemoteUnreachable = new(
        "HpcRemoteUnreachable",
        HpcErrorCategory.ConnectionError,
        "the cluster could not be reached over SSH (name, port, network, or ssh's connect time-out)"
    );
    public static readonly HpcError RemoteHostKeyUnknown = new(
        "HpcRemoteHostKeyUnknown",
        HpcErrorCategory.SecurityError,
        "the cluster's SSH host key is unknown or changed; HpcJobs never accepts one itself"
    );
    public static readonly HpcError RemoteAuthenticationFailed = new(
        "HpcRemoteAuthenticationFailed",
        HpcErrorCategory.AuthenticationError,
        "the cluster refused the SSH login (no usable key; nobody to type a password or code)"
    );
    public static readonly HpcError RemoteConnectionLost = new(
        "HpcRemoteConnectionLost",
        HpcErrorCategory.ConnectionError,
        "the SSH connection dropped during a command; it is opened again on the next call"
    );
    public static readonly HpcError ScriptBlockNotSupported = new(
        "HpcScriptBlockNotSupported",
        HpcErrorCategory.InvalidArgument,
        "the script block closes over state that cannot travel to the node (a module's or a closure's, "
            + "a $using: variable that does not exist)"
    );
    public static readonly HpcError PayloadTooLarge = new(
        "HpcPayloadTooLarge",
        HpcErrorCategory.InvalidArgument,
        "a script block's $using: values, arguments and input are larger than a job carries (64 MB)"
    );
    public static readonly HpcError ScriptBlockNotStarted = new(
        "HpcScriptBlockNotStarted",
        HpcErrorCategory.ResourceUnavailable,
        "a script-block task could not start on its node (pwsh, a module, the payload or the working folder "
            + "missing there, too small an address-space limit; the host is named)"
    );
    public static readonly HpcError ScriptBlockFailed = new(
        "HpcScriptBlockFailed",
        HpcErrorCategory.InvalidResult,
        "a script-block task ended with a terminating error (its type, message and script stack trace, the host and task are given)"
    );

    public static IReadOnlyList<HpcError> All { get; } =
    [
        InvalidResourceSpec,
        InvalidArrayRange,
        InvalidJobRequest,
        NoJobToRun,
        ScriptNotFound,
        InvalidScript,
        InvalidDependency,
        DependencyNotFound,
        DependencyNeverSatisfied,
        InvalidEnvironment,
        InvalidJobName,
        WorkingDirectoryNotFound,
        InvalidOutputPath,
        InvalidJobId,
        SchedulerMismatch,
        InvalidSetting,
        SubmitFailed,
        JobNotFound,
        UserNotFound,
        OutputNotFound,
        OutputNotReadable,
        AccountingUnavailable,
        JobCannotRun,
        JobFailed,
        WaitTimeout,
        ReportNotWritten,
        SchedulerNotInstalled,
        SchedulerUnavailable,
        SchedulerOutputUnreadable,
        StateCorrupt,
        StateUnusable,
        StateUntrusted,
        SchedulerTimeout,
        OperationRefused,
        InvalidRemoteHost,
        RemoteUnreachable,
        RemoteHostKeyUnknown,
        RemoteAuthenticationFailed,
        RemoteConnectionLost,
        ScriptBlockNotSupported,
        PayloadTooLarge,
        ScriptBlockNotStarted,
        ScriptBlockFailed,
    ];
}
