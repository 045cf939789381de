using System.Collections;
using System.Management.Automation;
using HpcJobs.Core.Model;
using HpcJobs.Core.Remote;
using HpcJobs.Core.ScriptBlocks;

namespace HpcJobs;

/// <summary>
/// A terminating error of a script-block task, or a step that failed before it ran, as it came back from the node:
/// the original exception's type name and script stack trace, the host and the task.
/// </summary>
public sealed class HpcScriptBlockException : RuntimeException
{
    public HpcScriptBlockException(
        string message,
        string? remoteExceptionType,
        string? remoteScriptStackTrace,
        string? hostName,
        string jobId
    )
        : base(message)
    {
        RemoteExceptionType = remoteExceptionType;
        RemoteScriptStackTrace = remoteScriptStackTrace;
        HostName = hostName;
        JobId = jobId;
    }

    /// <summary>The type of the exception on the node (System.DivideByZeroException...).</summary>
    public string? RemoteExceptionType { get; }
    public string? RemoteScriptStackTrace { get; }

    /// <summary>The node the task ran on.</summary>
    public string? HostName { get; }

    /// <summary>The job, or the array task (123_4).</summary>
    public string JobId { get; }
}

/// <summary>
/// Replays what a script-block task wrote, in its order: output objects down the pipeline, errors, warnings, verbose,
/// debug and information records into their own streams (issue 27).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class ScriptBlockResults
{
    private readonly Action<object?> _output;
    private readonly Action<ErrorRecord> _error;
    private readonly Action<string> _warning,
        _verbose,
        _debug;
    private readonly Action<InformationRecord> _information;

    /// <summary>Into a cmdlet's streams.</summary>
    public ScriptBlockResults(PSCmdlet cmdlet)
    {
        _output = cmdlet.WriteObject;
        _error = cmdlet.WriteError;
        _warning = cmdlet.WriteWarning;
        _verbose = cmdlet.WriteVerbose;
        _debug = cmdlet.WriteDebug;
        _information = cmdlet.WriteInformation;
    }

    /// <summary>Into a PowerShell job's streams (Receive-Job replays them).</summary>
    public ScriptBlockResults(Job job)
    {
        _output = o => job.Output.Add(o is PSObject p ? p : new PSObject(o));
        _error = job.Error.Add;
        _warning = m => job.Warning.Add(new WarningRecord(m));
        _verbose = m => job.Verbose.Add(new VerboseRecord(m));
        _debug = m => job.Debug.Add(new DebugRecord(m));
        _information = job.Information.Add;
    }

    /// <summary>
    /// Writes the records of <paramref name="job"/> after the first <paramref name="skip"/>; returns how many there are
    /// now and whether the task's last record (End, Failure, Step) was among them.
    /// </summary>
    public (int Count, bool Ended) Replay(JobInfo job, IEnumerable<ScriptBlockRecord> records, int skip = 0)
    {
        var count = 0;
        var ended = false;
        foreach (var record in records)
        {
            if (count++ < skip)
            {
                ended |= record.Kind is "End" or "Failure" or "Step";
                continue;
            }
            ended |= Write(job, record);
        }
        return (count, ended);
    }

    /// <summary>
    /// Reads the records of <paramref name="job"/> where they are: this machine, or the cluster it lives on over SSH;
    /// null when it is no script-block job.
    /// </summary>
    public static Func<CancellationToken, IEnumerable<ScriptBlockRecord>>? RecordsOf(JobInfo job)
    {
        if (Core.Remote.RemoteHost.FromLocation(job.Location) is { } host)
            return RemoteScriptBlockJob.FolderOf(job) is { } there
                ? ct =>
                    RemoteScriptBlockJob
                        .ReadAsync(job, there, Core.Remote.SshSessionRunner.For(host), ct)
                        .GetAwaiter()
                        .GetResult()
                : null;
        return ScriptBlockJob.FolderOf(job) is { } here ? _ => ScriptBlockJob.Read(job, here) : null;
    }

    /// <summary>A finished task that wrote no last record: it was killed, or never started; the output log says why.</summary>
    public void NoResult(JobInfo job)
    {
        var folder = job.StdOutPath is { } o ? Path.GetDirectoryName(o) : null;
        var log = job.Location is null && job.StdOutPath is { } p && File.Exists(p) ? LastLines(p, 5) : "";
        _error(
            new ErrorRecord(
                new HpcScriptBlockException(
                    $"Job {job.JobId} ended {job.State} ({job.NativeState}{(job.ExitCode is { } x ? $", exit {x}" : "")}) "
                        + $"before its script block finished, so part or all of its result is missing. "
                        + (job.NodeList is { Length: > 0 } nodes ? $"It ran on {nodes}. " : "")
                        + (
                            log.Length > 0
                                ? $"The end of its output ({job.StdOutPath}):\n{log}"
                                : $"Its folder ({folder}) must be reachable at the same path on the node: a node that does "
                                    + "not share it cannot start the job, and the scheduler's own log of the job says so."
                        ),
                    null,
                    null,
                    null,
                    job.JobId
                ),
                HpcErrors.ScriptBlockNotStarted.Id,
                ErrorCategory.ResourceUnavailable,
                job
            )
        );
    }

    private static string LastLines(string path, int n)
    {
        try
        {
            return string.Join('\n', File.ReadLines(path).TakeLast(n));
        }
        catch (IOException)
        {
            return "";
        }
    }

    private bool Write(JobInfo job, ScriptBlockRecord record)
    {
        switch (record.Kind)
        {
            case "Output":
                _output(PSSerializer.Deserialize(record.Data));
                return false;
            case "Warning":
                _warning(Text(record.Data));
                return false;
            case "Verbose":
                _verbose(Text(record.Data));
                return false;
            case "Debug":
                _debug(Text(record.Data));
                return false;
            case "Information":
            {
                var info = Table(record.Data);
                var replayed = new InformationRecord(Field(info, "MessageData"), Field(info, "Source"));
                if (info["Tags"] is IEnumerable tags)
                    foreach (var tag in tags)
                        replayed.Tags.Add(tag?.ToString() ?? "");
                _information(replayed);
                return false;
            }
            case "Error":
                _error(FromNode(job, Table(record.Data), terminating: false));
                return false;
            case "Failure":
                _error(FromNode(job, Table(record.Data), terminating: true));
                return true;
            case "Step":
            {
                var parts = record.Data.Split('\t', 3);
                var (step, host, message) =
                    parts.Length == 3 ? (parts[0], parts[1], parts[2]) : ("?", "?", record.Data);
                _error(
                    new ErrorRecord(
                        new HpcScriptBlockException(
                            $"Job {job.JobId} could not run its script block on {host} (step: {step}): {message}",
                            null,
                            null,
                            host,
                            job.JobId
                        ),
                        HpcErrors.ScriptBlockNotStarted.Id,
                        ErrorCategory.ResourceUnavailable,
                        job
                    )
                );
                return true;
            }
            case "End":
                return true;
            default:
                return false;
        }
    }

    /// <summary>An error as the node wrote it: non-terminating ones keep their ErrorId; a terminating one is ours.</summary>
    private static ErrorRecord FromNode(JobInfo job, Hashtable error, bool terminating)
    {
        var host = Field(error, "Host");
        var type = Field(error, "ExceptionType");
        var stack = Field(error, "ScriptStackTrace");
        var message = Field(error, "Message") ?? "(no message)";
        var exception = new HpcScriptBlockException(
            terminating
                ? $"Job {job.JobId} failed on {host}: {message} ({type})"
                    + (stack is { Length: > 0 } ? $"\n{stack}" : "")
                : message,
            type,
            stack,
            host,
            job.JobId
        );
        var category = Enum.TryParse<ErrorCategory>(Field(error, "Category"), out var c)
            ? c
            : ErrorCategory.NotSpecified;
        return new ErrorRecord(
            exception,
            // a non-terminating error keeps the id it had on the node (Write-Error -ErrorId, a cmdlet's own)
            terminating ? HpcErrors.ScriptBlockFailed.Id : Field(error, "ErrorId") ?? "WriteErrorOnNode",
            terminating ? ErrorCategory.InvalidResult : category,
            terminating ? job : Field(error, "TargetObject") ?? (object)job
        );
    }

    private static string Text(string clixml) => PSSerializer.Deserialize(clixml)?.ToString() ?? "";

    private static Hashtable Table(string clixml)
    {
        var value = PSSerializer.Deserialize(clixml);
        value = value is PSObject o ? o.BaseObject : value;
        if (value is not IDictionary dictionary)
            return new Hashtable { ["Message"] = value?.ToString() };
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry e in dictionary)
            table[e.Key.ToString()!] = e.Value is PSObject inner ? inner.BaseObject : e.Value;
        return table;
    }

    private static string? Field(Hashtable table, string name) =>
        table[name] is { } v ? (v is PSObject o ? o.BaseObject : v).ToString() : null;
}
