using HpcJobs.Core.Model;

namespace HpcJobs.Core.Remote;

/// <summary>Why ssh could not open a session, told from what ssh printed, each with what to try.</summary>
internal static class SshFailures
{
    public static SchedulerUnavailableException ConnectFailed(RemoteHost host, string sshSaid)
    {
        var said = sshSaid.Length > 0 ? sshSaid.Replace('\n', ' ').Replace('\r', ' ') : "nothing";
        bool Says(string s) => sshSaid.Contains(s, StringComparison.OrdinalIgnoreCase);
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
        Scheduling.Settings.Switch("HPCJOBS_SSH_BATCHMODE") != true
        && !Console.IsInputRedirected
        && Environment.UserInteractive;
}
