// The Local back end's shepherd: `HpcJobs.LocalAgent run STATE_DIR JOB_ID`. Started detached by the Local scheduler.
using HpcJobs.Core.Local;

if (args.Length == 3 && args[0] == "run")
    return await LocalShepherd.RunAsync(args[1], args[2]);
Console.Error.WriteLine(
    "usage: HpcJobs.LocalAgent run STATE_DIR JOB_ID  (started by the HpcJobs Local scheduler, not by hand)"
);
return 2;
