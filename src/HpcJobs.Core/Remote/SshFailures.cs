using HpcJobs.Core.Model;

namespace HpcJobs.Core.Remote;

/// <summary>Why ssh could not open a session, told from what ssh printed, each with what to try.</summary>
internal static class SshFailures
{
    /// <summary>Lines ssh prints at LogLevel=VERBOSE that are no error: kept out of what ssh "said".</summary>
    private static bool IsChatter(string line) =>
        line.StartsWith("Authenticated to ", StringComparison.Ordinal)
        || line.StartsWith("Transferred: ", StringComparison.Ordinal)
        || line.StartsWith("Bytes per second: ", StringComparison.Ordinal);

    /// <summary>What ssh printed, without its VERBOSE chatter.</summary>
    public static string Said(string sshStderr) =>
        string.Join(' ', sshStderr.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !IsChatter(l)));

    /// <param name="host">The cluster.</param>
    /// <param name="sshStderr">All ssh wrote on stderr.</param>
    /// <param name="ended">ssh ended before the session started, with this exit code; null when the wait timed out.</param>
    /// <param name="waited">How long the session was waited for.</param>
    /// <param name="client">The ssh client run, when $HPCJOBS_SSH chose it.</param>
    public static SchedulerUnavailableException ConnectFailed(
        RemoteHost host,
        string sshStderr,
        int? ended,
        TimeSpan waited,
        string? client
    )
    {
        var sshSaid = Said(sshStderr);
        var said = sshSaid.Length > 0 ? sshSaid : "nothing";
        bool Says(string s) => sshSaid.Contains(s, StringComparison.OrdinalIgnoreCase);
        var loggedIn = sshStderr.Contains("Authenticated to ", StringComparison.Ordinal);
        var check = $"'ssh {host.HostName} /bin/sh -c true' shows it";
        if (loggedIn && ended is { } code)
            return new SchedulerUnavailableException(
                $"{host} accepted the login, but it ended (exit {code}) before the session started (ssh: {said}). A "
                    + "startup file of the login shell (~/.bashrc, ~/.cshrc, ~/.profile) may exit, or the account's "
                    + $"shell may not run commands; {check}.",
                null,
                HpcErrors.RemoteUnreachable
            );
        if (loggedIn)
            return new SchedulerUnavailableException(
                $"{host} accepted the login, but the session did not start within {waited.TotalSeconds:0} s (ssh: "
                    + $"{said}). A startup file of the login shell (~/.bashrc, ~/.cshrc, ~/.profile) may wait for "
                    + $"input or be slow; {check}.",
                null,
                HpcErrors.RemoteUnreachable
            );
        if (client is not null && ended is { } exit && sshSaid.Length == 0)
            return new SchedulerUnavailableException(
                $"The ssh client ${SshSessionRunner.SshVariable} names ('{client}') ended at once (exit {exit}) "
                    + $"without a word, before any login to {host}. Is it an ssh client? Unset ${SshSessionRunner.SshVariable} "
                    + "to use 'ssh' from PATH.",
                null,
                HpcErrors.RemoteUnreachable
            );
        if (Says("Host key verification failed") || Says("HOST IDENTIFICATION HAS CHANGED"))
            return new SchedulerUnavailableException(
                $"{host}'s host key is not one you have accepted (ssh: {said}). HpcJobs never accepts an unknown or changed "
                    + $"host key: check it, then add it to known_hosts by running 'ssh {host.HostName}' once yourself.",
                null,
                HpcErrors.RemoteHostKeyUnknown
            );
        if (Says("Permission denied") || Says("Too many authentication failures"))
            return new SchedulerUnavailableException(
                $"{host} refused the login (ssh: {said}). Load your key into ssh-agent, give -KeyFilePath, or set "
                    + "IdentityFile in ~/.ssh/config; where nobody can type (a script, CI), passwords, passphrases and "
                    + "2FA codes cannot be asked for (BatchMode).",
                null,
                HpcErrors.RemoteAuthenticationFailed
            );
        return new SchedulerUnavailableException(
            $"{host} could not be reached over SSH within {host.ConnectTimeout.TotalSeconds:0} s (ssh: {said}). Check the "
                + "name (or its Host alias in ~/.ssh/config), the port, and that you can 'ssh' to it yourself.",
            null,
            HpcErrors.RemoteUnreachable
        );
    }
}

/// <summary>Whether ssh may ask the user for a passphrase or 2FA code: only where someone can type.</summary>
internal static class SshPrompts
{
    /// <summary>$HPCJOBS_SSH_BATCHMODE=1 forces BatchMode; otherwise only a session with a console keyboard may prompt.</summary>
    public static bool CanPrompt =>
        EnvironmentSettings.Switch("HPCJOBS_SSH_BATCHMODE") != true
        && !Console.IsInputRedirected
        && Environment.UserInteractive;
}
