namespace HpcJobs.Core.Model;

/// <summary>
/// Base of every error the core raises on purpose. <see cref="Error"/> is stable and becomes the PowerShell ErrorId and
/// category.
/// </summary>
public abstract class HpcJobsException : Exception
{
    protected HpcJobsException(HpcError error, string message, Exception? inner = null)
        : base(message, inner) => Error = error;

    public HpcError Error { get; }
    public string ErrorId => Error.Id;
    public HpcErrorCategory Category => Error.Category;
}

/// <summary>A resource request is invalid (zero counts, absurd sizes, bad names, unparsable sizes or durations).</summary>
public sealed class InvalidResourceSpecException : HpcJobsException
{
    public InvalidResourceSpecException(string field, object? value, string problem)
        : base(HpcErrors.InvalidResourceSpec, $"{field} '{value}' is not valid: {problem}")
    {
        Field = field;
        Value = value;
    }

    public string Field { get; }
    public object? Value { get; }
}

/// <summary>A job request is invalid as a whole (missing script, both script and command, bad array range, bad dependency).</summary>
public sealed class InvalidJobRequestException : HpcJobsException
{
    public InvalidJobRequestException(string message, HpcError? error = null)
        : base(error ?? HpcErrors.InvalidJobRequest, message) { }
}

/// <summary>The scheduler refused or failed a submission. The scheduler's own text is kept in <see cref="SchedulerMessage"/>.</summary>
public sealed class SubmitFailedException : HpcJobsException
{
    public SubmitFailedException(string scheduler, string schedulerMessage, int? exitCode = null)
        : base(HpcErrors.SubmitFailed, $"{scheduler} rejected the job: {schedulerMessage.Trim()}")
    {
        SchedulerMessage = schedulerMessage;
        ExitCode = exitCode;
    }

    public string SchedulerMessage { get; }
    public int? ExitCode { get; }
}

/// <summary>A scheduler command failed in a way that is not about one job (controller down, command missing, output unreadable).</summary>
public sealed class SchedulerUnavailableException : HpcJobsException
{
    public SchedulerUnavailableException(string message, Exception? inner = null, HpcError? error = null)
        : base(error ?? HpcErrors.SchedulerUnavailable, message, inner) { }
}

/// <summary>The scheduler printed something we cannot read. Never guessed around: the text is kept.</summary>
public sealed class SchedulerOutputException : HpcJobsException
{
    public SchedulerOutputException(string command, string problem, string output)
        : base(HpcErrors.SchedulerOutputUnreadable, $"Could not read the output of {command}: {problem}")
    {
        Output = output;
    }

    public string Output { get; }
}

/// <summary>The scheduler could not be chosen (unknown name, or a named scheduler is not installed here).</summary>
public sealed class SchedulerSelectionException : HpcJobsException
{
    public SchedulerSelectionException(string message)
        : base(HpcErrors.SchedulerNotInstalled, message) { }
}

/// <summary>
/// An error with no data of its own beyond its id and message: a job reference that is no job, a setting with an
/// unusable value, a time-out.
/// </summary>
public sealed class HpcErrorException : HpcJobsException
{
    public HpcErrorException(HpcError error, string message)
        : base(error, message) { }
}

/// <summary>The Local scheduler's state folder or one of its files cannot be used. The message names the path and what to do.</summary>
public sealed class LocalStateException : HpcJobsException
{
    public LocalStateException(HpcError error, string path, string message, Exception? inner = null)
        : base(error, message, inner) => Path = path;

    public string Path { get; }
}
