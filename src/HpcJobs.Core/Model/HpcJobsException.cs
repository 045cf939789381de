namespace HpcJobs.Core.Model;

/// <summary>Base of every error the core raises on purpose. <see cref="ErrorId"/> is stable and becomes the PowerShell ErrorId.</summary>
public abstract class HpcJobsException : Exception
{
    protected HpcJobsException(string errorId, string message, Exception? inner = null) : base(message, inner) => ErrorId = errorId;

    public string ErrorId { get; }
}

/// <summary>A resource request is invalid (zero counts, absurd sizes, bad names, unparsable sizes or durations).</summary>
public sealed class InvalidResourceSpecException : HpcJobsException
{
    public InvalidResourceSpecException(string field, object? value, string problem)
        : base("HpcInvalidResourceSpec", $"{field} '{value}' is not valid: {problem}") { Field = field; Value = value; }

    public string Field { get; }
    public object? Value { get; }
}

/// <summary>A job request is invalid as a whole (missing script, both script and command, bad array range, bad dependency).</summary>
public sealed class InvalidJobRequestException : HpcJobsException
{
    public InvalidJobRequestException(string message, string errorId = "HpcInvalidJobRequest") : base(errorId, message) { }
}

/// <summary>The scheduler refused or failed a submission. The scheduler's own text is kept in <see cref="SchedulerMessage"/>.</summary>
public sealed class SubmitFailedException : HpcJobsException
{
    public SubmitFailedException(string scheduler, string schedulerMessage, int? exitCode = null)
        : base("HpcSubmitFailed", $"{scheduler} rejected the job: {schedulerMessage.Trim()}") { SchedulerMessage = schedulerMessage; ExitCode = exitCode; }

    public string SchedulerMessage { get; }
    public int? ExitCode { get; }
}

/// <summary>A scheduler command failed in a way that is not about one job (controller down, command missing, output unreadable).</summary>
public sealed class SchedulerUnavailableException : HpcJobsException
{
    public SchedulerUnavailableException(string message, Exception? inner = null) : base("HpcSchedulerUnavailable", message, inner) { }
}

/// <summary>The scheduler printed something we cannot read. Never guessed around: the text is kept.</summary>
public sealed class SchedulerOutputException : HpcJobsException
{
    public SchedulerOutputException(string command, string problem, string output)
        : base("HpcSchedulerOutputUnreadable", $"Could not read the output of {command}: {problem}") { Output = output; }

    public string Output { get; }
}

/// <summary>The scheduler could not be chosen (unknown name, or a named scheduler is not installed here).</summary>
public sealed class SchedulerSelectionException : HpcJobsException
{
    public SchedulerSelectionException(string message) : base("HpcSchedulerNotAvailable", message) { }
}
