using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Remote;

namespace HpcJobs.Core.Kit;

/// <summary>
/// The submission flow of the back ends that submit a script file (PBS and Grid Engine's qsub), written once: the request
/// rendered (every check on this machine) before anything is sent; the back end's own checks; then, on this machine,
/// the generated script written to a private temporary folder, or, on a cluster over SSH, the folders checked there
/// and the user's script and the generated one written there as private files; the submit program run; the files
/// removed afterwards, whatever happened.
/// </summary>
public static class ScriptSubmission
{
    /// <param name="request">The request, as the cluster takes it (<see cref="RemoteSubmission.OnCluster"/>).</param>
    /// <param name="runner">The back end's process seam (SSH to a cluster, or this machine).</param>
    /// <param name="render">
    /// Renders the request with the generated script's path and, for a user's script sent to the cluster, its interpreter
    /// (read here before sending): the submit program's argv (the script path last), the generated batch script (null when
    /// the user's own is submitted), and notes.
    /// </param>
    /// <param name="check">The back end's checks against the scheduler (dependencies, array size).</param>
    /// <param name="submit">Runs the submit program with the arguments, once.</param>
    /// <param name="ct">Stops it.</param>
    public static async Task<JobInfo> SubmitAsync(
        JobRequest request,
        IProcessRunner runner,
        Func<JobRequest, string, string?, (List<string> Args, string? Script, List<string> Notes)> render,
        Func<JobRequest, CancellationToken, Task> check,
        Func<JobRequest, List<string>, CancellationToken, Task<JobInfo>> submit,
        CancellationToken ct
    )
    {
        if (runner.Location is not null)
            return await SubmitThereAsync(request, runner, render, check, submit, ct).ConfigureAwait(false);
        // rendered once, with the path the generated script will have; the folder is made only when there is one to write
        var folder = Path.Combine(Path.GetTempPath(), $"hpcjobs-qsub-{Guid.NewGuid():N}");
        var scriptFile = Path.Combine(folder, "job.sh");
        var rendered = render(request, scriptFile, null);
        await check(request, ct).ConfigureAwait(false);
        try
        {
            if (rendered.Script is not null)
            {
                Directory.CreateDirectory(folder);
                File.WriteAllText(scriptFile, rendered.Script);
            }
            return await submit(request, rendered.Args, ct).ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<JobInfo> SubmitThereAsync(
        JobRequest request,
        IProcessRunner runner,
        Func<JobRequest, string, string?, (List<string> Args, string? Script, List<string> Notes)> render,
        Func<JobRequest, CancellationToken, Task> check,
        Func<JobRequest, List<string>, CancellationToken, Task<JobInfo>> submit,
        CancellationToken ct
    )
    {
        render(request, "<generated script>", null); // every check on this machine first: nothing is sent for a bad request
        await check(request, ct).ConfigureAwait(false);
        await RemoteSubmission.CheckFoldersAsync(request, runner, ct).ConfigureAwait(false);
        var shell =
            request.ScriptPath is not null && !request.ScriptOnCluster
                ? SubmissionRules.PlainInterpreter(request.ScriptPath)
                : null;
        var (sending, sent) = await RemoteSubmission.SendScriptAsync(request, runner, ct).ConfigureAwait(false);
        string? generated = null;
        try
        {
            var rendered = render(sending, "<generated script>", shell);
            if (rendered.Script is not null)
            {
                generated = await RemoteSubmission.WriteFileAsync(rendered.Script, runner, ct).ConfigureAwait(false);
                rendered = render(sending, generated, shell);
            }
            return await submit(sending, rendered.Args, ct).ConfigureAwait(false);
        }
        finally
        {
            await RemoteSubmission.RemoveAsync(sent, runner).ConfigureAwait(false);
            await RemoteSubmission.RemoveAsync(generated, runner).ConfigureAwait(false);
        }
    }
}
