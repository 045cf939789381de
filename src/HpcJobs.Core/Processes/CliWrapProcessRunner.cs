using CliWrap;
using CliWrap.Buffered;

namespace HpcJobs.Core.Processes;

/// <summary>The real process runner, over CliWrap.</summary>
public sealed class CliWrapProcessRunner : IProcessRunner
{
    public static CliWrapProcessRunner Instance { get; } = new();

    public string Machine => "localhost";

    public async Task<ProcessResult> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        ProcessOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        var command = Cli.Wrap(program).WithArguments(arguments).WithValidation(CommandResultValidation.None);
        if (options?.WorkingDirectory is not null)
            command = command.WithWorkingDirectory(options.WorkingDirectory);
        if (options?.Environment is not null)
            command = command.WithEnvironmentVariables(options.Environment);
        if (options?.StandardInput is not null)
            command = command.WithStandardInputPipe(PipeSource.FromString(options.StandardInput));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options?.Timeout is { } timeout)
            limit.CancelAfter(timeout);
        try
        {
            var result = await command.ExecuteBufferedAsync(limit.Token).ConfigureAwait(false);
            return new ProcessResult(result.ExitCode, result.StandardOutput, result.StandardError);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"'{program}' did not finish within {options!.Timeout!.Value.TotalSeconds:0.#} s and was killed",
                e
            );
        }
    }
}
