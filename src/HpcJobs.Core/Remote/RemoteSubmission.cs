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

    /// <summary>
    /// Checks on the cluster, in one call, what the job needs there: the working folder and the output folders exist,
    /// an output is not a folder, and in a folder others may write an output is not a link or another user's file (the
    /// same rule as on this machine: <see cref="JobRequest"/>'s output checks).
    /// </summary>
    public static async Task CheckFoldersAsync(JobRequest request, IProcessRunner runner, CancellationToken ct)
    {
        var wd = request.WorkingDirectory;
        var checks = new List<(string Kind, string Path, string What, HpcError Error)>();
        if (wd is not null)
            checks.Add(("w", wd, $"Working directory '{wd}'", HpcErrors.WorkingDirectoryNotFound));
        foreach (
            var (parameter, path) in new[] { ("-OutputPath", request.OutputPath), ("-ErrorPath", request.ErrorPath) }
        )
        {
            if (path is null || path == "/dev/null")
                continue;
            // the path itself first: an output that is a folder is said as such, not as its parent's problem
            if (!path.Contains('%'))
                checks.Add(("o", OnClusterPath(path, wd), $"{parameter} '{path}'", HpcErrors.InvalidOutputPath));
            if (FolderOf(path, wd) is { } folder && !folder.Contains('%'))
                checks.Add(("d", folder, $"{parameter} '{path}': folder '{folder}'", HpcErrors.InvalidOutputPath));
        }
        if (checks.Count == 0)
            return;
        var r = await runner
            .RunAsync("sh", ["-c", ClusterCheckScript, "sh", .. checks.Select(c => $"{c.Kind}:{c.Path}")], null, ct)
            .ConfigureAwait(false);
        var found = r
            .StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[1])
            .ToDictionary(g => g.Key, g => g.First()[0]);
        foreach (var check in checks)
            if (found.TryGetValue(check.Path, out var what))
                throw new InvalidJobRequestException(
                    (check.Kind, what) switch
                    {
                        (_, "closed") =>
                            $"{check.What} on {runner.Location} cannot be entered by your login there (no x "
                                + "permission); give a folder it can use.",
                        (_, "readonly") =>
                            $"{check.What} on {runner.Location} is not writable by the login there; the job could not "
                                + "write its output. Give a folder it can write.",
                        ("w" or "d", _) =>
                            $"{check.What} does not exist on {runner.Location}; create it there first (the job would die at start).",
                        (_, "folder") => $"{check.What} is a folder on {runner.Location}; give a file name in it "
                            + $"(for example '{check.Path}/job-%j.out').",
                        _ =>
                            $"{check.What} on {runner.Location} is a link or another user's file in a folder other users can "
                                + "write: whoever put it there would choose what the job overwrites or read what it writes. "
                                + "Remove it, or write the output to a folder of yours.",
                    },
                    check.Error
                );
    }

    /// <summary>
    /// The checks, as the cluster's sh runs them: each argument is KIND:PATH, w the working folder (it must exist and
    /// be enterable), d an output folder (also writable), o an output file; prints REASON TAB PATH NUL for each that
    /// fails. A folder "others may write" is group- or other-writable or
    /// owned by someone but this user and root.
    /// </summary>
    private const string ClusterCheckScript = """
        uid=$(id -u)
        for a; do
          k=${a%%:*}; p=${a#*:}
          if [ "$k" = w ] || [ "$k" = d ]; then
            if [ ! -d "$p" ]; then printf 'missing\t%s\0' "$p"
            elif [ ! -x "$p" ]; then printf 'closed\t%s\0' "$p"
            elif [ "$k" = d ] && [ ! -w "$p" ]; then printf 'readonly\t%s\0' "$p"
            fi
          elif [ -d "$p" ]; then
            printf 'folder\t%s\0' "$p"
          elif [ -L "$p" ] || { [ -e "$p" ] && [ ! -O "$p" ]; }; then
            dir=$(dirname -- "$p")
            if [ -n "$(find "$dir" -maxdepth 0 \( -perm -020 -o -perm -002 -o ! \( -user "$uid" -o -user 0 \) \) -print 2>/dev/null)" ]; then
              printf 'planted\t%s\0' "$p"
            fi
          fi
        done
        """;

    /// <summary>A cluster path, relative ones against the working folder (else the login folder, where they are).</summary>
    private static string OnClusterPath(string path, string? workingDirectory) =>
        path.StartsWith('/') || workingDirectory is null ? path : $"{workingDirectory.TrimEnd('/')}/{path}";

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
