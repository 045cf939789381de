namespace HpcJobs.Core.Tests.Support;

/// <summary>The Local daemon of a state folder, found by its command line (… daemon STATE).</summary>
public static class LocalDaemons
{
    public static int? Pid(string state)
    {
        foreach (
            var dir in Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(d => d!.All(char.IsAsciiDigit))
        )
        {
            try
            {
                if (
                    File.ReadAllText($"/proc/{dir}/cmdline")
                        .Contains("daemon\0" + state + "\0", StringComparison.Ordinal)
                )
                    return int.Parse(dir!);
            }
            catch (IOException) { }
        }
        return null;
    }
}
