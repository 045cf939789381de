// The Local scheduler's daemon: `HpcJobs.LocalAgent daemon STATE_DIR`. Started detached by the Local scheduler's clients.
using HpcJobs.Core.Local;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

if (args.Length == 2 && args[0] == "daemon")
    return LocalDaemon.Run(args[1]);
Console.Error.WriteLine(
    "usage: HpcJobs.LocalAgent daemon STATE_DIR  (started by the HpcJobs Local scheduler, not by hand)"
);
return 2;
