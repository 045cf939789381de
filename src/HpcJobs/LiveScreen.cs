using System.Management.Automation.Host;
using System.Text;

namespace HpcJobs;

/// <summary>
/// A full-screen view drawn in place, as top and watch do: the terminal's alternate screen, the cursor hidden, each frame
/// written over the last in one write (no clearing, so no flicker), and the shell's screen given back as it was on
/// Dispose. Only where the host is a live console: pwsh's own host, neither output nor input redirected.
/// </summary>
internal sealed class LiveScreen : IDisposable
{
    private const string Escape = "\u001b[";
    private bool _open;

    private LiveScreen()
    {
        Console.Out.Write($"{Escape}?1049h{Escape}?25l");
        Console.Out.Flush();
        _open = true;
    }

    /// <summary>A live screen where the host has a console to draw on; null where lines should be printed instead.</summary>
    public static LiveScreen? TryOpen(PSHost host)
    {
        if (host.Name != "ConsoleHost" || Console.IsOutputRedirected || Console.IsInputRedirected)
            return null;
        if (Environment.GetEnvironmentVariable("TERM") is null or "" or "dumb")
            return null;
        return new LiveScreen();
    }

    /// <summary>The terminal's columns and rows now (it may have been resized since the last frame).</summary>
    public static (int Width, int Height) Size
    {
        get
        {
            try
            {
                return (Console.WindowWidth, Console.WindowHeight);
            }
            catch (IOException)
            {
                return (80, 24);
            }
        }
    }

    /// <summary>Draws <paramref name="lines"/> from the top left, each ending in erase-to-end-of-line, then erases what is below.</summary>
    public static void Draw(IReadOnlyList<string> lines)
    {
        var frame = new StringBuilder($"{Escape}H");
        for (var i = 0; i < lines.Count; i++)
        {
            frame.Append(lines[i]).Append($"{Escape}K");
            if (i < lines.Count - 1)
                frame.Append("\r\n");
        }
        frame.Append($"{Escape}J");
        Console.Out.Write(frame.ToString());
        Console.Out.Flush();
    }

    /// <summary>q, Q or Esc was pressed since the last look (other keys are read and dropped).</summary>
    public static bool QuitPressed()
    {
        try
        {
            while (Console.KeyAvailable)
            {
                var key = Console.ReadKey(intercept: true);
                if (key.Key is ConsoleKey.Q or ConsoleKey.Escape)
                    return true;
            }
        }
        catch (InvalidOperationException) { }
        return false;
    }

    public void Dispose()
    {
        if (!_open)
            return;
        _open = false;
        Console.Out.Write($"{Escape}?25h{Escape}?1049l");
        Console.Out.Flush();
    }
}
