using System.Text.Json;
using System.Text.Json.Serialization;
using HpcJobs.Core.Kit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Platform;

namespace HpcJobs.Core.Waiting;

/// <summary>
/// The retry policy of a submitted job and the request to submit again, kept beside nothing else in a folder private to
/// you ($HPCJOBS_RETRY_DIR, else ~/.hpcjobs/retries), so that a Wait-HpcJob in any later session picks it up. What is
/// read here is submitted: a record or folder another user could write is refused (HpcStateUntrusted), never read.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class RetryStore
{
    public const string FolderVariable = "HPCJOBS_RETRY_DIR";

    /// <summary>One job's attempt: the policy, the request it was submitted with, and which attempt it is.</summary>
    public sealed record Record(
        JobRetryPolicy Policy,
        JobRequest Request,
        int Attempt,
        string FirstJobId,
        string? PreviousJobId
    );

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = true,
    };

    public static string Folder() =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } chosen
            ? Path.GetFullPath(chosen)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".hpcjobs", "retries");

    private static string PathOf(string scheduler, string? location, string jobId)
    {
        var key = $"{scheduler}@{location ?? "here"}#{jobId}";
        var name = string.Concat(
            key.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '@' or '#' ? c : '_')
        );
        return Path.Combine(Folder(), name + ".json");
    }

    /// <summary>Keeps <paramref name="record"/> for <paramref name="job"/> (the job its attempt is).</summary>
    public static void Save(JobInfo job, Record record)
    {
        var folder = Folder();
        StateFolderTrust.CheckFolder(folder, create: true);
        try
        {
            PrivateFile.Replace(
                PathOf(job.Scheduler, job.Location, job.JobId),
                PrivateFile.Text(JsonSerializer.Serialize(record, Json))
            );
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LocalStateException(
                HpcErrors.StateUnusable,
                folder,
                $"The retry policy of job {job.JobId} could not be kept in '{folder}': {e.Message}. The job is "
                    + $"submitted, but will not be retried; set ${FolderVariable} to a folder you can write.",
                e
            );
        }
    }

    /// <summary>The record of <paramref name="job"/>, or null when it was submitted without retries.</summary>
    public static Record? Find(JobInfo job)
    {
        var path = PathOf(job.Scheduler, job.Location, job.JobId);
        if (!File.Exists(path))
            return null;
        StateFolderTrust.CheckFolder(Folder());
        StateFolderTrust.CheckRecord(path);
        try
        {
            return JsonSerializer.Deserialize<Record>(File.ReadAllBytes(path), Json);
        }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException)
        {
            throw new LocalStateException(
                HpcErrors.StateCorrupt,
                path,
                $"The retry record '{path}' of job {job.JobId} cannot be read ({e.Message}); the job is not retried. "
                    + "Move the file aside to forget its policy.",
                e
            );
        }
    }
}
