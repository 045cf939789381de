using HpcJobs.Core.Processes;

namespace HpcJobs.Core.Tests.Support;

/// <summary>
/// A fact that needs root (to make a second Unix user, chown to it, mount a small tmpfs). Skipped on a developer's
/// machine without root, failed in CI (which runs as root), so the hostile-user cases can never pass silently.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!OtherUser.IsRoot && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "needs root (a second Unix user, chown, a tmpfs)";
    }
}

/// <summary>A second, unprivileged Unix user (created on first use): the "other user" of the hostile cases.</summary>
public static class OtherUser
{
    public const string Name = "hpcjobs-other";

    public static bool IsRoot => Environment.UserName == "root";

    private static readonly Lazy<uint> LazyUid = new(() =>
    {
        Run("id", "-u", Name, allowFailure: true);
        if (Run("id", "-u", Name, allowFailure: true) is not { Length: > 0 } existing)
            Run("useradd", "-M", "-s", "/usr/sbin/nologin", Name);
        return uint.Parse(Run("id", "-u", Name)!.Trim());
    });

    public static uint Uid => LazyUid.Value;

    /// <summary>Gives <paramref name="path"/> (not following a symlink) to the other user.</summary>
    public static void Own(string path) => Run("chown", "-h", $"{Uid}", path);

    public static string? Run(string program, params string[] args) => Run(program, args, allowFailure: false);

    private static string? Run(string program, string a, string b, bool allowFailure) =>
        Run(program, [a, b], allowFailure);

    private static string? Run(string program, string[] args, bool allowFailure)
    {
        var r = CliWrapProcessRunner.Instance.RunAsync(program, args).GetAwaiter().GetResult();
        if (r.Succeeded)
            return r.StandardOutput;
        if (allowFailure)
            return null;
        throw new InvalidOperationException($"{program} {string.Join(' ', args)}: {r.StandardError}");
    }
}
