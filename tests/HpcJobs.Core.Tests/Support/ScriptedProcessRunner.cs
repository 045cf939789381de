using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Tests.Support;

/// <summary>A process runner that answers from a script of replies (recorded real output) and records every call.</summary>
public sealed class ScriptedProcessRunner : IProcessRunner
{
    private readonly List<(
        Func<string, IReadOnlyList<string>, bool> Match,
        Queue<Func<ProcessResult>> Replies
    )> _rules = [];
    public List<(string Program, IReadOnlyList<string> Args, ProcessOptions? Options)> Calls { get; } = [];

    public ScriptedProcessRunner On(string program, params ProcessResult[] replies) =>
        On((p, _) => p == program, replies);

    public ScriptedProcessRunner On(Func<string, IReadOnlyList<string>, bool> match, params ProcessResult[] replies)
    {
        _rules.Add((match, new Queue<Func<ProcessResult>>(replies.Select(r => (Func<ProcessResult>)(() => r)))));
        return this;
    }

    /// <summary>A reply made when the call happens (it may depend on earlier calls).</summary>
    public ScriptedProcessRunner OnCall(Func<string, IReadOnlyList<string>, bool> match, Func<ProcessResult> reply)
    {
        _rules.Add((match, new Queue<Func<ProcessResult>>([reply])));
        return this;
    }

    public Task<ProcessResult> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        ProcessOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        Calls.Add((program, arguments, options));
        foreach (var (match, replies) in _rules)
            if (match(program, arguments) && replies.Count > 0)
                return Task.FromResult((replies.Count > 1 ? replies.Dequeue() : replies.Peek())());
        throw new InvalidOperationException($"unexpected call: {program} {string.Join(' ', arguments)}");
    }

    public static ProcessResult From(Fixture f) => new(f.ExitCode, f.StdOut, f.StdErr);
}
