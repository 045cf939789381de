using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Operations;

public sealed record StopReport(
    IReadOnlyList<JobInfo> Cancelled,
    IReadOnlyList<JobInfo> AlreadyFinished,
    IReadOnlyList<JobLookupFailure> NotFound
)
{
    /// <summary>Jobs the scheduler refused to cancel (<see cref="HpcErrors.OperationRefused"/>); the others were cancelled.</summary>
    public IReadOnlyList<JobLookupFailure> Refused { get; init; } = [];
}
