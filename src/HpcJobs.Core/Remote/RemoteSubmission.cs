using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Remote;

/// <summary>
/// What a submission to a cluster over SSH needs besides the scheduler's command, the same for every back end: its
/// folders are the cluster's (checked there, in one call, before anything is submitted), a local script travels as
/// content into a private file there (mktemp, umask 077; removed once the scheduler has copied it), and sbatch/qsub run
/// in the job's working folder, else the login folder.
/// </summary>
public static class RemoteSubmission
{
    /// <summary>
    /// The request as the cluster at <paramref name="location"/> takes it: folders not checked here, the submit folder
    /// the working folder (or the login folder). Unchanged for this machine (<paramref name="location"/> null).
    /// </summary>
    public static JobRequest OnCluster(JobRequest request, string? location) =>
        location is null ? request : request with { PathsOnCluster = true, SubmitDirectory = request.WorkingDirectory };

    /// <summary>A dependency on a job of another host (or of this machine) is refused: no scheduler sees the other's jobs.</summary>
    public static void RequireSamePlace(JobRequest request, string? location)
    {
        var foreign = request.Dependencies.Where(d => d.Location != location).ToList();
        if (foreign.Count > 0)
            throw new InvalidJobRequestException(
                $"The job goes to {location ?? "this machine"}, but it depends on "
                    + string.Join(", ", foreign.Select(d => $"job {d.JobId} of {d.Location ?? "this machine"}"))
                    + ": a scheduler cannot wait for another cluster's jobs.",
                HpcErrors.DependencyNotFound
            );
    }

    /// <summary>Checks on the cluster that the working folder and the output folders exist (one call).</summary>
    public static async Task CheckFoldersAsync(JobRequest request, IProcessRunner runner, CancellationToken ct)
    {
        var wd = request.WorkingDirectory;
        var checks = new List<(string Folder, string What, HpcError Error)>();
        if (wd is not null)
            checks.Add((wd, $"Working directory '{wd}'", HpcErrors.WorkingDirectoryNotFound));
        foreach (
            var (parameter, path) in new[] { ("-OutputPath", request.OutputPath), ("-ErrorPath", request.ErrorPath) }
        )
            if (path is not null && path != "/dev/null" && FolderOf(path, wd) is { } folder && !folder.Contains('%'))
                checks.Add((folder, $"{parameter} '{path}': folder '{folder}'", HpcErrors.InvalidOutputPath));
        if (checks.Count == 0)
            return;
        var r = await runner
            .RunAsync(
                "sh",
                [
                    "-c",
                    "for d in \"$@\"; do [ -d \"$d\" ] || printf '%s\\0' \"$d\"; done",
                    "sh",
                    .. checks.Select(c => c.Folder),
                ],
                null,
                ct
            )
            .ConfigureAwait(false);
        var missing = r.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        foreach (var check in checks.Where(c => missing.Contains(c.Folder)))
            throw new InvalidJobRequestException(
                $"{check.What} does not exist on {runner.Location}; create it there first (the job would die at start).",
                check.Error
            );
    }

    /// <summary>The folder of a cluster path, POSIX-style, relative ones against the working folder ("." is the login folder).</summary>
    private static string FolderOf(string path, string? workingDirectory)
    {
        var slash = path.LastIndexOf('/');
        var folder =
            slash < 0 ? "."
            : slash == 0 ? "/"
            : path[..slash];
        return folder.StartsWith('/') || workingDirectory is null
            ? folder
            : $"{workingDirectory.TrimEnd('/')}/{folder}";
    }

    /// <summary>A new private file on the cluster holding <paramref name="content"/>; its path.</summary>
    public static async Task<string> WriteFileAsync(string content, IProcessRunner runner, CancellationToken ct)
    {
        var r = await runner
            .RunAsync(
                "sh",
                [
                    "-c",
                    "umask 077; f=$(mktemp \"${TMPDIR:-/tmp}/hpcjobs-script.XXXXXX\") && cat > \"$f\" && printf %s \"$f\"",
                ],
                new ProcessOptions { StandardInput = content },
                ct
            )
            .ConfigureAwait(false);
        return r.Succeeded && r.StandardOutput.Trim() is { Length: > 0 } path
            ? path
            : throw new SubmitFailedException(
                "SSH",
                $"could not write the job script on {runner.Location}: {r.StandardError.Trim()}",
                r.ExitCode
            );
    }

    /// <summary>
    /// The request with its local script sent to the cluster (its name kept), and the file to remove after submitting;
    /// a command needs nothing sent.
    /// </summary>
    public static async Task<(JobRequest Request, string? Sent)> SendScriptAsync(
        JobRequest request,
        IProcessRunner runner,
        CancellationToken ct
    )
    {
        if (request.ScriptPath is null || request.ScriptOnCluster)
            return (request, null);
        var content = await File.ReadAllTextAsync(request.ScriptPath, ct).ConfigureAwait(false);
        var sent = await WriteFileAsync(content, runner, ct).ConfigureAwait(false);
        return (request with { ScriptPath = sent, ScriptOnCluster = true, Name = request.EffectiveName }, sent);
    }

    /// <summary>Removes a file written on the cluster (the scheduler has its own copy once it accepted the job).</summary>
    public static async Task RemoveAsync(string? path, IProcessRunner runner)
    {
        if (path is null)
            return;
        try
        {
            await runner.RunAsync("rm", ["-f", "--", path]).ConfigureAwait(false);
        }
        catch (HpcJobsException) { } // a lost connection leaves a private file in the cluster's temp folder
    }
}
