using System.Globalization;
using System.Text;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Views;

/// <summary>One row of the live view: a job, or an array with all of its tasks.</summary>
/// <param name="Id">The job id, or the array's id.</param>
/// <param name="Name">The job's name.</param>
/// <param name="State">The job's state; for an array, the state of its busiest tasks (Running, else waiting, else how
/// the last ended).</param>
/// <param name="Time">Elapsed/limit while running, time queued while waiting, how long it ran once ended.</param>
/// <param name="Where">The partition (PBS and Grid Engine: the queue).</param>
/// <param name="Info">Nodes while running, the reason in words while waiting, how it ended; for an array, a bar and its counts.</param>
public sealed record BoardRow(string Id, string? Name, JobState State, string Time, string? Where, string Info)
{
    /// <summary>How many jobs (array tasks) the row stands for.</summary>
    public int Tasks { get; init; } = 1;
}

/// <summary>
/// The text of Watch-HpcJob's live view: a header with counts per state, then a row per job or array, active ones first,
/// fitted to the terminal's width and height. Knows nothing of terminals: it returns lines, never wider than asked.
/// </summary>
public static class JobBoard
{
    /// <summary>The narrowest view that still shows every column but the partition.</summary>
    public const int MinWidth = 40;

    /// <summary>States in the order a person watching cares about them: what runs, what waits, what ended.</summary>
    private static int Rank(JobState state) =>
        state switch
        {
            JobState.Running or JobState.Suspended => 0,
            JobState.Pending or JobState.Held or JobState.Unknown => 1,
            _ => 2,
        };

    /// <summary>
    /// The view's lines for <paramref name="jobs"/> at <paramref name="now"/>: at most <paramref name="height"/> lines,
    /// none longer than <paramref name="width"/> characters.
    /// </summary>
    /// <param name="jobs">The latest answer for every job watched, in the order they were given.</param>
    /// <param name="width">The terminal's columns.</param>
    /// <param name="height">The terminal's rows.</param>
    /// <param name="now">The time elapsed times are counted to.</param>
    /// <param name="title">What is watched (e.g. "Slurm"), for the header.</param>
    /// <param name="problem">What went wrong on the last refresh, shown under the header; null when all was well.</param>
    /// <param name="footer">The header's right-hand end (e.g. "q quits").</param>
    public static IReadOnlyList<string> Render(
        IReadOnlyList<JobInfo> jobs,
        int width,
        int height,
        DateTimeOffset now,
        string title,
        string? problem = null,
        string? footer = null
    )
    {
        width = Math.Max(width, MinWidth);
        height = Math.Max(height, 4);
        var lines = new List<string>
        {
            Fit(
                $"{title}: {Headline(jobs)} · {now.ToLocalTime():HH:mm:ss}" + (footer is null ? "" : $" · {footer}"),
                width
            ),
        };
        if (problem is not null)
            lines.Add(Fit($"! {problem}", width));
        var rows = Rows(jobs, now, BarWidth(width));
        var columns = Columns.For(rows, width);
        lines.Add(columns.Header());
        var room = height - lines.Count;
        var shown = rows.Count <= room ? rows.Count : room - 1;
        lines.AddRange(rows.Take(shown).Select(columns.Line));
        if (shown < rows.Count)
        {
            var rest = rows.Skip(shown).ToList();
            lines.Add(
                Fit(
                    $"… {rest.Sum(r => r.Tasks)} more: "
                        + string.Join(
                            ", ",
                            rest.GroupBy(r => r.State)
                                .OrderBy(g => Rank(g.Key))
                                .Select(g => $"{g.Key} {g.Sum(r => r.Tasks)}")
                        ),
                    width
                )
            );
        }
        return lines;
    }

    /// <summary>"50 jobs: Running 12, Pending 30, Completed 8": array tasks counted each.</summary>
    public static string Headline(IReadOnlyCollection<JobInfo> jobs) =>
        $"{jobs.Count} job{(jobs.Count == 1 ? "" : "s")}"
        + (
            jobs.Count == 0
                ? ""
                : ": "
                    + string.Join(
                        ", ",
                        jobs.GroupBy(j => j.State)
                            .OrderBy(g => Rank(g.Key))
                            .ThenBy(g => g.Key)
                            .Select(g => $"{g.Key} {g.Count()}")
                    )
        );

    /// <summary>A row per job and one per array, running ones first, then waiting ones, then those that ended (latest first).</summary>
    public static IReadOnlyList<BoardRow> Rows(IReadOnlyList<JobInfo> jobs, DateTimeOffset now, int barWidth = 10)
    {
        var rows = new List<(BoardRow Row, int Order, DateTimeOffset? Ended)>();
        var arrays = new Dictionary<string, List<JobInfo>>();
        var order = 0;
        foreach (var job in jobs)
        {
            if (job.ArrayJobId is { } array && job.ArrayTaskId is not null)
            {
                if (!arrays.TryGetValue(array, out var tasks))
                {
                    arrays[array] = tasks = [];
                    rows.Add((null!, order++, null)); // filled in below, in the place of its first task
                }
                tasks.Add(job);
            }
            else
                rows.Add((JobRow(job, now), order++, job.EndTime));
        }
        var arrayRows = arrays.Select(a => ArrayRow(a.Key, a.Value, now, barWidth)).ToList();
        var next = 0;
        for (var i = 0; i < rows.Count; i++)
            if (rows[i].Row is null)
            {
                var (row, ended) = arrayRows[next++];
                rows[i] = (row, rows[i].Order, ended);
            }
        return rows.OrderBy(r => Rank(r.Row.State))
            .ThenByDescending(r => Rank(r.Row.State) == 2 ? r.Ended : null)
            .ThenBy(r => r.Order)
            .Select(r => r.Row)
            .ToList();
    }

    private static BoardRow JobRow(JobInfo job, DateTimeOffset now) =>
        new(job.JobId, job.Name, job.State, Time(job, now), job.Partition, Info(job));

    private static (BoardRow Row, DateTimeOffset? Ended) ArrayRow(
        string id,
        List<JobInfo> tasks,
        DateTimeOffset now,
        int barWidth
    )
    {
        var running = tasks.Count(t => Rank(t.State) == 0);
        var waiting = tasks.Count(t => Rank(t.State) == 1);
        var ended = tasks.Count - running - waiting;
        var state =
            running > 0 ? JobState.Running
            : waiting > 0 ? tasks.First(t => Rank(t.State) == 1).State
            : tasks.Any(t => t.State != JobState.Completed)
                ? tasks.GroupBy(t => t.State).Where(g => g.Key != JobState.Completed).MaxBy(g => g.Count())!.Key
            : JobState.Completed;
        var started = tasks.Select(t => t.StartTime).Where(t => t is not null).Min();
        var last = ended == tasks.Count ? tasks.Select(t => t.EndTime).Max() : null;
        var time =
            started is { } from ? Duration((last ?? now) - from)
            : tasks.Select(t => t.SubmitTime).Min() is { } submitted ? $"queued {Duration(now - submitted)}"
            : "";
        var counts = string.Join(
            ", ",
            tasks.GroupBy(t => t.State).OrderBy(g => Rank(g.Key)).ThenBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")
        );
        var info = $"{Bar(ended, running, tasks.Count, barWidth)} {ended}/{tasks.Count} ended: {counts}";
        return (new BoardRow(id, tasks[0].Name, state, time, tasks[0].Partition, info) { Tasks = tasks.Count }, last);
    }

    /// <summary>[###>>>....]: ended tasks, running ones, and the rest.</summary>
    public static string Bar(int ended, int running, int total, int width)
    {
        if (total == 0)
            return "[" + new string('.', width) + "]";
        var done = (int)Math.Round((double)ended / total * width);
        var busy = Math.Min(width - done, (int)Math.Ceiling((double)running / total * width));
        return "[" + new string('#', done) + new string('>', busy) + new string('.', width - done - busy) + "]";
    }

    private static int BarWidth(int width) => width >= 120 ? 20 : 10;

    /// <summary>Elapsed/limit while running, time queued while waiting, how long it ran once ended.</summary>
    private static string Time(JobInfo job, DateTimeOffset now)
    {
        var limit = job.Resources?.Walltime is { } walltime ? "/" + Duration(walltime) : "";
        if (job.StartTime is { } start)
            return Duration((job.EndTime ?? now) - start) + (job.IsFinished ? "" : limit);
        if (!job.IsFinished && job.SubmitTime is { } submitted)
            return $"queued {Duration(now - submitted)}";
        return "";
    }

    /// <summary>Nodes while running; while waiting the reason (in words when we know them) and the estimated start; how it ended.</summary>
    private static string Info(JobInfo job)
    {
        switch (job.State)
        {
            case JobState.Running or JobState.Suspended:
                return job.NodeList is { } nodes ? $"on {nodes}" : "";
            case JobState.Pending or JobState.Held or JobState.Unknown:
                var parts = new List<string>();
                if (job.EstimatedStart is { } at)
                    parts.Add($"starts ~{at.ToLocalTime():MM-dd HH:mm}");
                if (job.Reason is { } reason && reason != "None")
                    parts.Add(job.ReasonExplained is { } words ? $"{reason}: {words}" : reason);
                return string.Join("; ", parts);
            default:
                return Ending(job);
        }
    }

    /// <summary>How a job ended, in a few words: "exit 3", "out of memory", "cancelled by uid 1000".</summary>
    public static string Ending(JobInfo job) =>
        job.EndCause switch
        {
            JobEndCause.Completed => "exit 0",
            JobEndCause.ExitCode => $"exit {job.ExitCode}",
            JobEndCause.Signal => job.Signal is { } signal ? $"signal {signal}" : "killed by a signal",
            JobEndCause.OutOfMemory => "out of memory",
            JobEndCause.Walltime => "walltime reached",
            JobEndCause.CpuLimit => "CPU time limit reached",
            JobEndCause.NodeFailure => "a node failed",
            JobEndCause.Preempted => "preempted",
            JobEndCause.Cancelled => job.CancelledBy is { } who ? $"cancelled by {who}" : "cancelled",
            JobEndCause.LaunchFailure => "could not be launched" + (job.Reason is { } r ? $": {r}" : ""),
            JobEndCause.DependencyNeverSatisfied => "its dependency can never be met",
            _ => job.ExitCode is { } code ? $"exit {code}" : job.NativeState ?? "",
        };

    /// <summary>h:mm:ss, or d-hh:mm:ss from a day on, as squeue writes times.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
            span = TimeSpan.Zero;
        return span.Days > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{span.Days}-{span:hh\\:mm\\:ss}")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}:{span:mm\\:ss}");
    }

    /// <summary>Cut to <paramref name="width"/> characters, an ellipsis marking the cut.</summary>
    public static string Fit(string text, int width) =>
        text.Length <= width ? text
        : width <= 1 ? text[..width]
        : text[..(width - 1)] + "…";

    /// <summary>The columns' widths for one frame: id, name, state and time as wide as their values need (capped), partition
    /// only where there is room, and what is left for the info.</summary>
    private sealed record Columns(int Id, int Name, int State, int Time, int Where, int Info, int Width)
    {
        private const char Gap = ' ';

        public static Columns For(IReadOnlyList<BoardRow> rows, int width)
        {
            int Widest(Func<BoardRow, string?> value, int header, int cap) =>
                Math.Min(
                    cap,
                    rows.Select(r => (value(r) ?? "").Length).DefaultIfEmpty(0).Max() is var w && w > header
                        ? w
                        : header
                );
            var id = Widest(r => r.Id, "JOBID".Length, width >= 120 ? 24 : 14);
            var name = Widest(
                r => r.Name,
                "NAME".Length,
                width >= 120 ? 24
                    : width >= 100 ? 16
                    : 12
            );
            var state = Widest(r => r.State.ToString(), "STATE".Length, 9);
            var time = Widest(r => r.Time, "TIME".Length, 21);
            var where =
                width >= 100 && rows.Any(r => r.Where is not null) ? Widest(r => r.Where, "PARTITION".Length, 12) : 0;
            var used = id + name + state + time + (where > 0 ? where + 1 : 0) + 4;
            return new Columns(id, name, state, time, where, Math.Max(width - used, 8), width);
        }

        public string Header() => Line("JOBID", "NAME", "STATE", "TIME", "PARTITION", "INFO");

        public string Line(BoardRow row) => Line(row.Id, row.Name, row.State.ToString(), row.Time, row.Where, row.Info);

        private string Line(string id, string? name, string state, string time, string? where, string info)
        {
            var line = new StringBuilder();
            line.Append(Fit(id, Id).PadRight(Id)).Append(Gap);
            line.Append(Fit(name ?? "", Name).PadRight(Name)).Append(Gap);
            line.Append(Fit(state, State).PadRight(State)).Append(Gap);
            line.Append(Fit(time, Time).PadRight(Time)).Append(Gap);
            if (Where > 0)
                line.Append(Fit(where ?? "", Where).PadRight(Where)).Append(Gap);
            line.Append(Fit(info, Info));
            return Fit(line.ToString().TrimEnd(), Width); // the narrowest terminals lose the end of the info
        }
    }

    /// <summary>
    /// What changed since the last answer, a plain line each, for a host with no live console (redirected output, CI):
    /// every job the first time, then each one whose state changed.
    /// </summary>
    /// <param name="seen">The state each job was last reported in; updated with the jobs' new states.</param>
    /// <param name="jobs">The latest answer.</param>
    /// <param name="now">The time the lines are stamped with.</param>
    public static IReadOnlyList<string> Changes(
        IDictionary<string, JobState> seen,
        IReadOnlyList<JobInfo> jobs,
        DateTimeOffset now
    )
    {
        var lines = new List<string>();
        foreach (var job in jobs)
        {
            var known = seen.TryGetValue(job.JobId, out var before);
            if (known && before == job.State)
                continue;
            seen[job.JobId] = job.State;
            var info = Info(job);
            lines.Add(
                $"{now.ToLocalTime():HH:mm:ss} {job.JobId}"
                    + (job.Name is { } name ? $" ({name})" : "")
                    + (known ? $" {before} -> {job.State}" : $" {job.State}")
                    + (info.Length > 0 ? $": {info}" : "")
            );
        }
        return lines;
    }
}
