using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Tests.Support;

/// <summary>
/// Runs a scheduler's commands as another user (runuser keeps the environment, so qsub -v and sbatch still find the
/// values): what an ordinary user meets, such as the scheduler refusing to touch root's jobs.
/// </summary>
public sealed class AsUserRunner(
    IProcessRunner inner,
    string user,
    IReadOnlySet<string> programs,
    Func<string, string> pathOf
) : IProcessRunner
{
    public Task<ProcessResult> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        ProcessOptions? options = null,
        CancellationToken cancellationToken = default
    ) =>
        programs.Contains(program)
            ? CliWrapProcessRunner.Instance.RunAsync(
                "runuser",
                ["-u", user, "--", pathOf(program), .. arguments],
                options,
                cancellationToken
            )
            : inner.RunAsync(program, arguments, options, cancellationToken);
}
