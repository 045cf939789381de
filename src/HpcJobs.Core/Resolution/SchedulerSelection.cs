using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Resolution;

/// <summary>Which back end was chosen, by what (a parameter, $env:HPCJOBS_SCHEDULER, auto-detection), and what was tried.</summary>
public sealed record SchedulerSelection(
    SchedulerKind Kind,
    string SelectedBy,
    IReadOnlyList<SchedulerCandidate> Candidates
);
