using HpcJobs.Core.Model;
using HpcJobs.Core.Processes;
using HpcJobs.Core.Remote;

namespace HpcJobs.Core.Kit;

/// <summary>
/// The submission flows of the back ends, written once so that a back end does not know whether its commands run here
/// or on a cluster over SSH. There, the request is the cluster's (<see cref="SchedulerCommands.AsTaken"/>), a
/// dependency on another place's job is refused, the folders are checked in one call and the user's script is sent
/// as a private file, removed afterwards whatever happened.
/// <list type="bullet">
/// <item><see cref="SubmitAsync"/>: back ends that submit a script file (PBS's and Grid Engine's qsub). The request is
/// rendered (every check on this machine) before anything is sent; the generated script is written to a private
/// temporary folder here, or as a private file there.</item>
/// <item><see cref="SubmitPipedAsync"/>: back ends that pipe the batch script to the submit program (SLURM's
/// sbatch).</item>
/// </list>
/// </summary>
public static class ScriptSubmission
{
    /// <param name="request">The request, as the user made it.</param>
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
        request = RemoteSubmission.OnCluster(request, runner.Location);
        if (runner.Location is not null)
            return await SubmitThereAsync(request, runner, render, check, submit, ct).ConfigureAwait(false);
        // rendered once, with the path the generated script will have; the folder is made only when there is one to write
        var folder = Path.Combine(Path.GetTempPath(), $"hpcjobs-qsub-{Guid.NewGuid():N}");
        var scriptFile = Path.Combine(folder, "job.sh");
        var rendered = render(request, scriptFile, null);
        RemoteSubmission.RequireSamePlace(request, runner.Location);
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

    /// <param name="request">The request, as the user made it.</param>
    /// <param name="runner">The back end's process seam (SSH to a cluster, or this machine).</param>
    /// <param name="check">Every check of the back end, here and against the scheduler, before anything is sent: the
    /// request as it will be submitted (a check may fill in what it learnt, such as a dependency's kind).</param>
    /// <param name="submit">Renders the script and runs the submit program with it on its standard input, once.</param>
    /// <param name="ct">Stops it.</param>
    public static async Task<JobInfo> SubmitPipedAsync(
        JobRequest request,
        IProcessRunner runner,
        Func<JobRequest, CancellationToken, Task<JobRequest>> check,
        Func<JobRequest, CancellationToken, Task<JobInfo>> submit,
        CancellationToken ct
    )
    {
        request = RemoteSubmission.OnCluster(request, runner.Location);
        RemoteSubmission.RequireSamePlace(request, runner.Location);
        request = await check(request, ct).ConfigureAwait(false);
        if (runner.Location is null)
            return await submit(request, ct).ConfigureAwait(false);
        await RemoteSubmission.CheckFoldersAsync(request, runner, ct).ConfigureAwait(false);
        var (sending, sent) = await RemoteSubmission.SendScriptAsync(request, runner, ct).ConfigureAwait(false);
        try
        {
            return await submit(sending, ct).ConfigureAwait(false);
        }
        finally
        {
            await RemoteSubmission.RemoveAsync(sent, runner).ConfigureAwait(false);
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
        RemoteSubmission.RequireSamePlace(request, runner.Location);
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
