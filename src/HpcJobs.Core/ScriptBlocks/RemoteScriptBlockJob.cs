using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;

namespace HpcJobs.Core.ScriptBlocks;

/// <summary>
/// Script-block jobs on a cluster over SSH (issue 27): the job folder is made on the cluster, private, under
/// <c>~/.hpcjobs/payloads</c> there (home folders are what login and compute nodes share), its files go through the SSH
/// session, and results are read there with the same trust rules as on this machine.
/// </summary>
public static class RemoteScriptBlockJob
{
    private const string RootName = "/.hpcjobs/payloads";

    /// <summary>Makes the job folder on the cluster, writes its files and returns the request that runs it.</summary>
    public static async Task<JobRequest> PrepareAsync(
        JobRequest request,
        ScriptBlockPayload payload,
        SchedulerKind scheduler,
        IProcessRunner cluster,
        int? throttle,
        CancellationToken ct
    )
    {
        ScriptBlockJob.Check(request, payload);
        var made = await cluster
            .RunAsync("sh", ["-c", MakeFolderScript, "sh", ScriptBlockJob.NewFolderName()], null, ct)
            .ConfigureAwait(false);
        if (!made.Succeeded || made.StandardOutput.Trim() is not { Length: > 0 } folder)
            throw new SubmitFailedException(
                "SSH",
                $"could not make the script block's folder on {cluster.Location}: {made.StandardError.Trim()}",
                made.ExitCode
            );
        foreach (var (name, content) in ScriptBlockJob.Files(folder, payload, scheduler))
        {
            var written = await cluster
                .RunAsync(
                    "sh",
                    [
                        "-c",
                        "umask 077; cat > \"$1\" && { [ \"$2\" = x ] || chmod 700 \"$1\"; }",
                        "sh",
                        $"{folder}/{name}",
                        name == "job.sh" ? "-" : "x",
                    ],
                    new ProcessOptions { StandardInput = content },
                    ct
                )
                .ConfigureAwait(false);
            if (!written.Succeeded)
                throw new SubmitFailedException(
                    "SSH",
                    $"could not write {name} of the script block on {cluster.Location}: {written.StandardError.Trim()}",
                    written.ExitCode
                );
        }
        return ScriptBlockJob.Request(request, payload, folder, scheduler, throttle);
    }

    /// <summary>
    /// ~/.hpcjobs/payloads made private (it must be this user's, not a link), folders not written for 7 days removed,
    /// and a new folder: its path on stdout.
    /// </summary>
    private const string MakeFolderScript = """
        umask 077
        base="$HOME/.hpcjobs"; root="$base/payloads"
        mkdir -p "$root" || exit 1
        for d in "$base" "$root"; do
          if [ -L "$d" ] || [ ! -O "$d" ]; then echo "$d is not a folder of yours: refused" >&2; exit 1; fi
          chmod 700 "$d" || exit 1
        done
        find "$root" -mindepth 1 -maxdepth 1 -type d -mtime +7 -exec rm -rf {} + 2>/dev/null
        mkdir "$root/$1" && printf %s "$root/$1"
        """;

    /// <summary>The job folder on the cluster of a script-block job (its output lies in one under ~/.hpcjobs/payloads).</summary>
    public static string? FolderOf(JobInfo job)
    {
        if (job.StdOutPath is not { } output || output.LastIndexOf('/') is not (> 0 and var slash))
            return null;
        var folder = output[..slash];
        var parent = folder.LastIndexOf('/');
        return parent > 0 && folder[..parent].EndsWith(RootName, StringComparison.Ordinal) ? folder : null;
    }

    /// <summary>
    /// The records the job (one task) has written so far, read on the cluster. The folder must be this user's and
    /// private there (drwx------), the file too, as on this machine: what is read is deserialized.
    /// </summary>
    public static async Task<IReadOnlyList<ScriptBlockRecord>> ReadAsync(
        JobInfo job,
        string folder,
        IProcessRunner cluster,
        CancellationToken ct
    )
    {
        var task = job.ArrayTaskId?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var file = $"{folder}/{(task is null ? "result.txt" : $"result-{task}.txt")}";
        var r = await cluster.RunAsync("sh", ["-c", ReadScript, "sh", folder, file], null, ct).ConfigureAwait(false);
        if (r.ExitCode == 3)
            throw new LocalStateException(
                HpcErrors.StateUntrusted,
                folder,
                $"The script-block job's files on {cluster.Location} are not read: {r.StandardError.Trim()}. What another "
                    + "user could write or read is never deserialized."
            );
        if (!r.Succeeded)
            throw new LocalStateException(
                HpcErrors.StateUnusable,
                folder,
                $"The script-block job's results on {cluster.Location} could not be read: {r.StandardError.Trim()}"
            );
        return ScriptBlockJob.Parse(new StringReader(r.StandardOutput), task).ToList();
    }

    /// <summary>cat of the result file after the checks; exit 3 when a check fails, 0 with nothing when there is none yet.</summary>
    private const string ReadScript = """
        check() {
          if [ -L "$1" ] || [ ! -O "$1" ]; then echo "'$1' is a link or not yours" >&2; exit 3; fi
          case $(ls -ld -- "$1" | cut -c1-10) in
            "$2") ;;
            *) echo "'$1' lets group or others in ($(ls -ld -- "$1" | cut -c1-10))" >&2; exit 3 ;;
          esac
        }
        check "$1" drwx------
        [ -e "$2" ] || exit 0
        check "$2" -rw-------
        exec cat -- "$2"
        """;
}
