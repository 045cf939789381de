using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Contract;

/// <summary>The exact native submission: a program, its argument list, and the batch script it is fed, if any.</summary>
public sealed record SubmissionPlan(string Program, IReadOnlyList<string> Arguments, string? Script)
{
    /// <summary>What the back end changed or cannot honour (a shortened job name, say): shown to the user as warnings.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>What the command line does not show (a back end with no command line of its own lists its settings here).</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary>The argv as a POSIX shell would need it quoted, for display only (nothing is ever run through a shell).</summary>
    public string CommandLine => string.Join(' ', new[] { Program }.Concat(Arguments).Select(ShellQuote.Quote));

    public override string ToString() =>
        CommandLine
        + string.Concat(Details.Select(d => "\n  " + d))
        + (Script is null ? "" : $"\n--- script ---\n{Script}");
}
