// TEST DOUBLE for PBS Professional/OpenPBS (no PBS Pro server is packaged for Debian 12). It really runs the jobs, as
// local processes through HpcJobs' own Local back end (state in $HPCJOBS_STATE_DIR), and prints what PBS Pro prints, as
// the recorded samples in tests/HpcJobs.Core.Tests/TestData/pbspro show it:
//   qsub ...               -> "123.pbsdouble" / "123[].pbsdouble" on stdout; errors "qsub: ..." on stderr
//   qstat -f -F json [-x] [-t] IDS -> the JSON layout of qstat_f_F_json_x_finished_and_running.openpbs23.firecrest.json;
//                             unknown ids: "qstat: Unknown Job Id ID" on stderr, exit 153; finished jobs only with -x
//   qstat --version        -> "pbs_version = 23.06.06"
//   qdel IDS               -> "qdel: Job has finished" / "qdel: Unknown Job Id ID" on stderr
// Supported qsub options: -N -l select=N:ncpus=C[:mpiprocs=T][:ompthreads=O][:ngpus=G][:mem=M] -l walltime=H:M:S -q -A
// -J X-Y[:Z][%N] -W depend=KIND:ID[:ID],... -o -e -j oe -v NAMES, then the script.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HpcJobs.Core.Local;
using HpcJobs.Core.Model;
using HpcJobs.Core.Scheduling;

const string Server = "pbsdouble";
var scheduler = new LocalScheduler();
if (args.Length == 0) return Fail("usage: PbsProDouble qsub|qstat|qdel ARGS", 2);
var rest = args[1..];
return args[0] switch
{
    "qsub" => await Qsub(rest),
    "qstat" => await Qstat(rest),
    "qdel" => await Qdel(rest),
    _ => Fail($"unknown command {args[0]}", 2),
};

static int Fail(string message, int code) { Console.Error.WriteLine(message); return code; }

async Task<int> Qsub(string[] a)
{
    string? name = null, output = null, error = null, queue = null, arrayText = null;
    var resources = new ResourceSpec();
    var deps = new List<JobDependency>();
    var env = new Dictionary<string, string>();
    int i = 0;
    for (; i < a.Length && a[i].StartsWith('-'); i++)
    {
        var v = i + 1 < a.Length ? a[i + 1] : "";
        switch (a[i])
        {
            case "-N": name = v; i++; break;
            case "-o": output = v; i++; break;
            case "-e": error = v; i++; break;
            case "-j": i++; break;
            case "-q": queue = v; i++; break;
            case "-A": i++; break;
            case "-J": arrayText = v; i++; break;
            case "-l": resources = Resource(resources, v); i++; break;
            case "-W":
                foreach (var group in v["depend=".Length..].Split(','))
                {
                    var parts = group.Split(':');
                    var kind = parts[0] switch { "afterok" => DependencyKind.AfterOk, "afterany" => DependencyKind.AfterAny, "afternotok" => DependencyKind.AfterNotOk, _ => throw new ArgumentException(parts[0]) };
                    foreach (var id in parts.Skip(1))
                    {
                        if (LocalId(id) is not { } local) return Fail($"qsub: Unknown Job Id {id}", 153);
                        deps.Add(new JobDependency(local, kind));
                    }
                }
                i++; break;
            case "-v":
                foreach (var n in v.Split(',')) env[n] = Environment.GetEnvironmentVariable(n) ?? "";
                i++; break;
            default: return Fail($"qsub: invalid option -- '{a[i].TrimStart('-')}'", 2);
        }
    }
    if (queue is not null && queue != "workq") return Fail("qsub: Unknown queue", 168);
    if (i >= a.Length) return Fail("qsub: no script (this double reads scripts from files only)", 2);
    ArrayRange? array = null;
    if (arrayText is not null)
    {
        array = ArrayRange.Parse(arrayText);
        if (array.Count < 2) return Fail("qsub: illegal -J value", 2);
    }
    try
    {
        var job = await scheduler.SubmitAsync(new JobRequest
        {
            ScriptPath = a[i], ScriptArguments = a[(i + 1)..], Name = name, Resources = resources, Dependencies = deps, Array = array,
            WorkingDirectory = Environment.CurrentDirectory, Environment = env,
            OutputPath = output ?? (array is null ? $"{name ?? Path.GetFileName(a[i])}.o%A" : $"{name ?? Path.GetFileName(a[i])}.o%A.%a"), ErrorPath = error,
        });
        Console.WriteLine(array is null ? $"{job.JobId}.{Server}" : $"{job.JobId}[].{Server}");
        return 0;
    }
    catch (HpcJobsException e) { return Fail($"qsub: {e.Message}", 1); }
}

static ResourceSpec Resource(ResourceSpec r, string spec)
{
    static ResourceSpec With(ResourceSpec r, string key, object value) =>
        ResourceSpec.FromDictionary(new Dictionary<string, object?>
        {
            ["Nodes"] = r.Nodes, ["CpusPerTask"] = r.CpusPerTask, ["GpusPerNode"] = r.GpusPerNode, ["Walltime"] = r.Walltime,
            ["Memory"] = r.Memory is { } m ? $"{m / ByteSize.MiB}MB" : null, [key] = value,
        });
    if (spec.StartsWith("walltime=", StringComparison.Ordinal)) return With(r, "Walltime", spec[9..]);
    if (!spec.StartsWith("select=", StringComparison.Ordinal)) throw new ArgumentException($"qsub: Unknown resource {spec}");
    var parts = spec[7..].Split(':');
    r = With(r, "Nodes", parts[0]);
    foreach (var p in parts.Skip(1))
    {
        var (k, v) = (p.Split('=')[0], p.Split('=')[1]);
        r = k switch
        {
            "ncpus" => With(r, "CpusPerTask", v),
            "ngpus" => With(r, "GpusPerNode", v),
            "mem" => With(r, "Memory", v),
            _ => r,
        };
    }
    return r;
}

// "12.pbsdouble" -> "12"; "12[].pbsdouble" -> "12" (the array); "12[3].pbsdouble" -> "12_3"
static string? LocalId(string pbsId)
{
    var seq = pbsId.Split('.', 2)[0];
    if (seq.EndsWith("[]", StringComparison.Ordinal)) seq = seq[..^2];
    else if (seq.Contains('[')) seq = seq.Replace("[", "_").TrimEnd(']');
    return seq.Length > 0 && seq.All(c => char.IsAsciiDigit(c) || c == '_') ? seq : null;
}

async Task<int> Qstat(string[] a)
{
    if (a.Contains("--version")) { Console.WriteLine("pbs_version = 23.06.06"); return 0; }
    var history = a.Contains("-x");
    var ids = a.Where(x => !x.StartsWith('-') && x != "json").ToList();
    var jobs = new JsonObject();
    var rc = 0;
    foreach (var id in ids)
    {
        var local = LocalId(id);
        var report = local is null ? StatusReport.Empty : await scheduler.GetStatusAsync([local]);
        var found = report.Jobs.Where(j => history || !j.IsFinished).ToList();
        if (found.Count == 0) { Console.Error.WriteLine($"qstat: Unknown Job Id {id}"); rc = 153; continue; }
        var isArray = id.Contains("[]", StringComparison.Ordinal);
        if (isArray)
        {
            // the parent: B while any subjob is queued or running, F when all are done
            var parent = Attributes(found[0], parentOf: found);
            jobs[$"{local}[].{Server}"] = parent;
            foreach (var task in found) jobs[$"{local}[{task.ArrayTaskId}].{Server}"] = Attributes(task, parentOf: null);
        }
        else jobs[id.Contains('.') ? id : $"{id}.{Server}"] = Attributes(found[0], parentOf: null);
    }
    var doc = new JsonObject
    {
        ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["pbs_version"] = "23.06.06", ["pbs_server"] = Server, ["Jobs"] = jobs,
    };
    Console.Write(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine();
    return rc;
}

static JsonObject Attributes(JobInfo j, List<JobInfo>? parentOf)
{
    static string Ctime(DateTimeOffset t) => t.ToString("ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture);
    string state;
    if (parentOf is not null) state = parentOf.All(t => t.IsFinished) ? "F" : parentOf.Any(t => t.State == JobState.Running || t.IsFinished) ? "B" : "Q";
    else state = j.State switch
    {
        JobState.Pending => "Q", JobState.Held => "H", JobState.Running => "R",
        _ when j.IsFinished => j.ArrayTaskId is null ? "F" : "X",
        _ => "U",
    };
    var o = new JsonObject
    {
        ["Job_Name"] = j.Name, ["Job_Owner"] = $"{Environment.UserName}@{Server}", ["job_state"] = state, ["queue"] = "workq", ["server"] = Server,
        ["ctime"] = j.SubmitTime is { } s ? Ctime(s) : null,
        ["Output_Path"] = $"{Server}:{j.StdOutPath}", ["Error_Path"] = $"{Server}:{j.StdErrPath}", ["Join_Path"] = j.StdErrPath == j.StdOutPath ? "oe" : "n",
        ["Variable_List"] = new JsonObject { ["PBS_O_WORKDIR"] = j.WorkingDirectory, ["PBS_O_QUEUE"] = "workq", ["PBS_O_HOST"] = Server },
    };
    if (parentOf is not null) { o["array"] = "True"; o["array_indices_submitted"] = string.Join(',', parentOf.Select(t => t.ArrayTaskId)); return o; }
    if (j.ArrayTaskId is { } task) o["array_index"] = task;
    if (j.StartTime is { } st) o["stime"] = Ctime(st);
    if (j.IsFinished && j.EndTime is { } end) o["obittime"] = Ctime(end);
    if (j.Reason is { } reason) o["comment"] = reason;
    // PBS Pro's Exit_status: the exit code; 256 + signal for a signal death (a qdel is SIGTERM: 271); JOB_EXEC_KILL_WALLTIME -29
    if (j.IsFinished && j.StartTime is not null)
        o["Exit_status"] = j.State == JobState.TimedOut ? -29 : j.Signal is { } sig ? 256 + sig : j.ExitCode ?? 0;
    return o;
}

async Task<int> Qdel(string[] ids)
{
    var rc = 0;
    foreach (var id in ids)
    {
        var local = LocalId(id);
        var report = local is null ? StatusReport.Empty : await scheduler.GetStatusAsync([local]);
        if (report.Jobs.Count == 0) { Console.Error.WriteLine($"qdel: Unknown Job Id {id}"); rc = 153; continue; }
        if (report.Jobs.All(j => j.IsFinished)) { Console.Error.WriteLine("qdel: Job has finished"); rc = 35; continue; }
        await JobOperations.StopAsync(scheduler, [local!]);
    }
    return rc;
}
