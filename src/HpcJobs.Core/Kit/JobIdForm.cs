using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Kit;

/// <summary>
/// What one back end's job ids look like, and the two rules every back end applies with it: an id of another form is
/// never passed to the scheduler's commands ("--version" or "-1" would be read as options) but answered as not found,
/// and a dependency on one is refused as invalid (<see cref="HpcErrors.InvalidDependency"/>) before anything is asked.
/// </summary>
/// <param name="Scheduler">The scheduler's name in messages (SLURM, PBS, Local).</param>
/// <param name="IsValid">Whether a text is an id of this form.</param>
/// <param name="Examples">The forms, as the user would write them: "123 or 123_4".</param>
public sealed record JobIdForm(string Scheduler, Func<string, bool> IsValid, string Examples)
{
    private string NotAnId(string id) => $"'{id}' is not a {Scheduler} job id ({Examples}).";

    /// <summary>The lookup failure (HpcJobNotFound) of an id that is not of this form.</summary>
    public JobLookupFailure NotFound(string id) => new(id, NotAnId(id));

    /// <summary>The distinct ids of this form, and a lookup failure (HpcJobNotFound) for each of the others.</summary>
    public (List<string> Valid, List<JobLookupFailure> NotFound) Split(IEnumerable<string> ids)
    {
        var distinct = ids.Distinct().ToList();
        return (distinct.Where(IsValid).ToList(), distinct.Where(id => !IsValid(id)).Select(NotFound).ToList());
    }

    /// <summary>Throws <see cref="HpcErrors.InvalidDependency"/> for the first dependency whose id is not of this form.</summary>
    public void CheckDependencies(JobRequest request)
    {
        if (request.Dependencies.FirstOrDefault(d => !IsValid(d.JobId)) is { } bad)
            throw new InvalidJobRequestException($"Dependency {NotAnId(bad.JobId)}", HpcErrors.InvalidDependency);
    }
}
