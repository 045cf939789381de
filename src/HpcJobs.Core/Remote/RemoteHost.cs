using System.Globalization;
using System.Text.RegularExpressions;
using HpcJobs.Core.Model;

namespace HpcJobs.Core.Remote;

/// <summary>
/// A cluster reached over SSH, named as in PowerShell's own SSH remoting (<c>New-PSSession -HostName -UserName -Port</c>):
/// a host or a ~/.ssh/config alias, with the user and port when not ssh's defaults. Two RemoteHosts are the same
/// cluster when these three are the same; the key file only says how to log in.
/// </summary>
public sealed partial record RemoteHost
{
    /// <summary>How a job names the host it lives on (<see cref="JobInfo.Location"/>): <c>ssh://[user@]host[:port]</c>.</summary>
    public const string LocationPrefix = "ssh://";

    public RemoteHost(string hostName, string? userName = null, int? port = null)
    {
        if (string.IsNullOrWhiteSpace(hostName) || !HostPattern().IsMatch(hostName))
            throw new InvalidJobRequestException(
                $"-HostName '{hostName}' is not a host name, address or ~/.ssh/config alias (letters, digits, '.', '-', "
                    + "'_'; an IPv6 address as ::1 or [::1]; not starting with '-').",
                HpcErrors.InvalidRemoteHost
            );
        // an IPv6 address, bracketed ([::1], as in a URL) or not: ssh takes it bare, with the port in -p
        var bare = hostName.StartsWith('[') && hostName.EndsWith(']') ? hostName[1..^1] : hostName;
        if (bare.Contains(':') || bare != hostName || bare.Contains('%'))
        {
            if (
                !System.Net.IPAddress.TryParse(bare, out var address)
                || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6
                || bare.Contains('[')
            )
                throw new InvalidJobRequestException(
                    $"-HostName '{hostName}' is not an IPv6 address (for example ::1 or [fe80::1%eth0]); a host name or "
                        + "alias has no ':' or brackets. Give the port with -Port.",
                    HpcErrors.InvalidRemoteHost
                );
            hostName = bare;
        }
        if (userName is { Length: 0 })
            userName = null;
        if (userName is not null && !UserPattern().IsMatch(userName))
            throw new InvalidJobRequestException(
                $"-UserName '{userName}' is not a login name (letters, digits, '.', '_', '-'; not starting with '-').",
                HpcErrors.InvalidRemoteHost
            );
        if (port is < 1 or > 65535)
            throw new InvalidJobRequestException(
                $"-Port {port} is not a TCP port (1-65535).",
                HpcErrors.InvalidRemoteHost
            );
        HostName = hostName;
        UserName = userName;
        Port = port;
    }

    public string HostName { get; }
    public string? UserName { get; }
    public int? Port { get; }

    /// <summary>How long ssh may take to connect (ConnectTimeout), so an unreachable host fails instead of hanging.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public string Location => LocationPrefix + this;

    /// <summary>user@host:port, an IPv6 address in brackets so that its colons are not read as the port's.</summary>
    public override string ToString() =>
        (UserName is null ? "" : UserName + "@")
        + (HostName.Contains(':') ? $"[{HostName}]" : HostName)
        + (Port is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : "");

    /// <summary>
    /// The host a job's <see cref="JobInfo.Location"/> names, or null when it names none (this machine). A location that
    /// names a host this cannot read is an error, never this machine: the job would act here instead of there.
    /// </summary>
    public static RemoteHost? FromLocation(string? location)
    {
        if (location is null || !location.StartsWith(LocationPrefix, StringComparison.Ordinal))
            return null;
        var m = LocationPattern().Match(location[LocationPrefix.Length..]);
        return m.Success
            ? new RemoteHost(
                m.Groups["host"].Value,
                m.Groups["user"].Success ? m.Groups["user"].Value : null,
                m.Groups["port"].Success ? int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture) : null
            )
            : throw new InvalidJobRequestException(
                $"The job's location '{location}' names no host this version can read (ssh://[user@]host[:port], an "
                    + "IPv6 address in brackets).",
                HpcErrors.InvalidRemoteHost
            );
    }

    /// <summary>
    /// ssh's options: no terminal, bounded connect, keep-alives that notice a dead link, and, where no one can type a
    /// passphrase or code, BatchMode (fail rather than wait for input). Host keys are checked as the user configured;
    /// an unknown one is never accepted.
    /// </summary>
    public List<string> SshArguments(bool interactive, string? keyFilePath)
    {
        var args = new List<string>
        {
            "-T",
            "-o",
            $"ConnectTimeout={(int)ConnectTimeout.TotalSeconds}",
            "-o",
            "ServerAliveInterval=15",
            "-o",
            "ServerAliveCountMax=3",
            // "Authenticated to ..." on stderr: a session that never starts is then told apart from a login that
            // worked and a startup file (~/.bashrc) that exits, waits for input or sleeps
            "-o",
            "LogLevel=VERBOSE",
        };
        if (!interactive)
            args.AddRange(["-o", "BatchMode=yes"]);
        if (Port is { } port)
            args.AddRange(["-p", port.ToString(CultureInfo.InvariantCulture)]);
        if (UserName is not null)
            args.AddRange(["-l", UserName]);
        if (keyFilePath is not null)
            args.AddRange(["-i", keyFilePath]);
        args.AddRange(["--", HostName]);
        return args;
    }

    [GeneratedRegex(@"^(?!-)[A-Za-z0-9._\-\[\]:%]+\z")]
    private static partial Regex HostPattern();

    [GeneratedRegex(@"^(?!-)[A-Za-z0-9._\-]+\$?\z")]
    private static partial Regex UserPattern();

    [GeneratedRegex(@"^(?:(?<user>[^@]+)@)?(?<host>\[[^\]]+\]|[^:\[\]]+)(?::(?<port>\d+))?\z")]
    private static partial Regex LocationPattern();
}
