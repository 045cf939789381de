using HpcJobs.Core.Model;

namespace HpcJobs.Core.Contract;

public sealed record StatusReport(IReadOnlyList<JobInfo> Jobs, IReadOnlyList<JobLookupFailure> NotFound)
{
    public static StatusReport Empty { get; } = new([], []);
}

/// <summary>An id that could not be answered, and why. <see cref="Error"/> is JobNotFound unless the record itself is unreadable.</summary>
public sealed record JobLookupFailure(string JobId, string Message, HpcError? Error = null)
{
    public HpcError ErrorKind => Error ?? HpcErrors.JobNotFound;
}
