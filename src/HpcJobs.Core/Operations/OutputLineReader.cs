using System.Text;

namespace HpcJobs.Core.Operations;

/// <summary>Splits bytes into lines on '\n' (a '\r' before it is dropped), keeping one decoder for the whole file.</summary>
internal sealed class OutputLineReader
{
    /// <summary>
    /// The longest line kept whole: a file that is one run of NULs, or a binary dump, has one "line" of gigabytes;
    /// the rest of such a line is counted, not held.
    /// </summary>
    internal const int MaxLineChars = 1024 * 1024;

    private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
    private readonly StringBuilder _partial = new();
    private long _dropped;
    private char[] _chars = new char[JobOutput.BlockSize + 4];

    private void Append(ReadOnlySpan<char> part)
    {
        var room = MaxLineChars - _partial.Length;
        if (part.Length <= room)
        {
            _partial.Append(part);
            return;
        }
        _partial.Append(part[..Math.Max(0, room)]);
        _dropped += part.Length - Math.Max(0, room);
    }

    public List<string> Feed(ReadOnlySpan<byte> bytes)
    {
        var needed = _decoder.GetCharCount(bytes, flush: false);
        if (_chars.Length < needed)
            _chars = new char[needed];
        var n = _decoder.GetChars(bytes, _chars, flush: false);
        var lines = new List<string>();
        var span = _chars.AsSpan(0, n);
        int newline;
        while ((newline = span.IndexOf('\n')) >= 0)
        {
            Append(span[..newline]);
            lines.Add(Take());
            span = span[(newline + 1)..];
        }
        Append(span);
        return lines;
    }

    /// <summary>The last line when the file does not end with a newline.</summary>
    public string? Finish()
    {
        var n = _decoder.GetChars([], _chars, flush: true);
        Append(_chars.AsSpan(0, n));
        return _partial.Length > 0 ? Take() : null;
    }

    private string Take()
    {
        if (_partial.Length > 0 && _partial[^1] == '\r' && _dropped == 0)
            _partial.Length--;
        var line =
            _dropped == 0 ? _partial.ToString() : $"{_partial} ... [{_dropped} more characters of this line not shown]";
        _partial.Clear();
        _dropped = 0;
        return line;
    }
}
