using System.Collections;
using System.Globalization;
using System.Management.Automation;
using HpcJobs.Core.Model;
using HpcJobs.Core.Resolution;

namespace HpcJobs;

/// <summary>
/// Turns whatever names a job into <see cref="JobReference"/>s, keeping the scheduler wherever the input has one: a JobInfo,
/// any object or hashtable with JobId (and Scheduler) properties, a string or number id. Works the same positionally, by
/// name and from the pipeline. Never throws: what is no job becomes an invalid reference that the cmdlet reports with
/// <c>HpcInvalidJobId</c> for that item alone.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class JobReferenceTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData) => ToReferences(inputData);

    public static JobReference[] ToReferences(object? input)
    {
        var value = Unwrap(input);
        if (value is JobReference[] done)
            return done;
        if (value is IEnumerable list and not string and not IDictionary)
            return list.Cast<object?>().Select(ToReference).ToArray();
        return [ToReference(value)];
    }

    public static JobReference ToReference(object? input)
    {
        var value = Unwrap(input);
        switch (value)
        {
            case null:
                return JobReference.Invalid("$null is not a job (did an earlier command fail and return nothing?)");
            case JobReference r:
                return r;
            case HpcPowerShellJob psJob: // Submit-HpcJob -AsJob's job: its batch job
                return ToReference(psJob.Info);
            case HpcPowerShellTaskJob task:
                return ToReference(task.Info);
            case JobInfo job:
                return FromParts(job.JobId, job.Scheduler, "the job object") with { Location = job.Location };
            case string s:
                return string.IsNullOrWhiteSpace(s)
                    ? JobReference.Invalid($"'{s}' is not a job id: it is empty")
                    : new JobReference(s.Trim(), null);
            case int or long or uint or ulong or short:
                return new JobReference(Convert.ToString(value, CultureInfo.InvariantCulture)!, null);
            case IDictionary d:
                return FromParts(
                    Lookup(d, "JobId") ?? Lookup(d, "Id"),
                    Lookup(d, "Scheduler"),
                    $"the hashtable (keys: {string.Join(", ", d.Keys.Cast<object>())})"
                ) with
                {
                    Location = NullIfEmpty(Lookup(d, "Location")),
                };
        }
        var ps = PSObject.AsPSObject(input!);
        var custom = ps.BaseObject is PSCustomObject;
        // "Id" only from objects made for the purpose: a Process piped in must never stop job number <pid>
        var id = ps.Properties["JobId"]?.Value ?? (custom ? ps.Properties["Id"]?.Value : null);
        var what = custom ? "PSCustomObject" : value.GetType().Name;
        if (id is not null)
            return FromParts(
                Convert.ToString(Unwrap(id), CultureInfo.InvariantCulture),
                Convert.ToString(Unwrap(ps.Properties["Scheduler"]?.Value), CultureInfo.InvariantCulture),
                $"the {what}"
            ) with
            {
                Location = NullIfEmpty(
                    Convert.ToString(Unwrap(ps.Properties["Location"]?.Value), CultureInfo.InvariantCulture)
                ),
            };
        return JobReference.Invalid(
            $"a {what} ('{Shorten(value)}') is not a job: give job ids, JobInfo objects, or objects with a JobId (and Scheduler) property"
        );
    }

    private static JobReference FromParts(string? id, string? scheduler, string what)
    {
        if (string.IsNullOrWhiteSpace(id))
            return JobReference.Invalid($"{what} has no JobId, so it names no job");
        if (string.IsNullOrWhiteSpace(scheduler))
            return new JobReference(id.Trim(), null);
        try
        {
            return new JobReference(id.Trim(), SchedulerResolver.ParseKind(scheduler, $"{what} (job {id})"));
        }
        catch (SchedulerSelectionException e)
        {
            return JobReference.Invalid(e.Message);
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static string? Lookup(IDictionary d, string key)
    {
        foreach (DictionaryEntry e in d)
            if (
                string.Equals(
                    Convert.ToString(e.Key, CultureInfo.InvariantCulture),
                    key,
                    StringComparison.OrdinalIgnoreCase
                )
            )
                return Convert.ToString(Unwrap(e.Value), CultureInfo.InvariantCulture);
        return null;
    }

    private static object? Unwrap(object? o) => o is PSObject { BaseObject: not PSCustomObject } ps ? ps.BaseObject : o;

    private static string Shorten(object o)
    {
        var s = Convert.ToString(o, CultureInfo.InvariantCulture) ?? "";
        return s.Length > 60 ? s[..57] + "..." : s;
    }
}
