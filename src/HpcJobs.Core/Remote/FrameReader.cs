using System.Text;

namespace HpcJobs.Core.Remote;

/// <summary>The bytes ssh prints, taken as they come and read back as lines and exact byte counts.</summary>
internal sealed class FrameReader
{
    private readonly object _gate = new();
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _ended;
    private TaskCompletionSource _arrived = NewSignal();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Copies <paramref name="source"/> into the buffer until it ends (ssh exited).</summary>
    public async Task PumpAsync(Stream source, CancellationToken ct)
    {
        var chunk = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await source.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
                Append(chunk.AsSpan(0, n));
        }
        finally
        {
            lock (_gate)
            {
                _ended = true;
                _arrived.TrySetResult();
            }
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            if (_buffer.Length - _end < bytes.Length)
            {
                var live = _end - _start;
                var bigger = new byte[Math.Max(_buffer.Length, (live + bytes.Length) * 2)];
                Array.Copy(_buffer, _start, bigger, 0, live);
                _buffer = bigger;
                _start = 0;
                _end = live;
            }
            bytes.CopyTo(_buffer.AsSpan(_end));
            _end += bytes.Length;
            _arrived.TrySetResult();
        }
    }

    /// <summary>The next line without its newline; null when the stream ended first.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    var line = Encoding.UTF8.GetString(_buffer, _start, newline - _start);
                    _start = newline + 1;
                    return line;
                }
                if (_ended)
                    return null;
                wait = Rearm();
            }
            await wait.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Exactly <paramref name="count"/> bytes; an <see cref="IOException"/> when the stream ends first.</summary>
    public async Task<byte[]> ReadExactAsync(int count, CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_end - _start >= count)
                {
                    var bytes = _buffer.AsSpan(_start, count).ToArray();
                    _start += count;
                    return bytes;
                }
                if (_ended)
                    throw new IOException($"the connection ended {_end - _start} bytes into an answer of {count}");
                wait = Rearm();
            }
            await wait.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    private Task Rearm()
    {
        if (_arrived.Task.IsCompleted)
            _arrived = NewSignal();
        return _arrived.Task;
    }
}
