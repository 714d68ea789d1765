using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Ingestd.Bench.Load;

/// <summary>
/// One keep-alive connection: a single async loop that sends the pre-built request bytes, reads
/// the response just far enough to know its status and where it ends, and repeats. It reconnects
/// when the server closes the connection or a request fails. Its counters and histogram are its
/// own (no sharing while running); the generator merges them afterwards. The loop reuses its
/// buffers, so a request allocates nothing.
/// </summary>
internal sealed class LoadConnection
{
    private const int InitialBufferBytes = 16 * 1024;
    private const int MaxHeadBytes = 1024 * 1024;
    private const int ConnectRetryMs = 100;

    private readonly EndPoint _endPoint;
    private readonly ReadOnlyMemory<byte> _request;
    private readonly LoadWindow _window;
    private readonly double _phaseTicks;
    private readonly TimeSpan _timeout;
    private readonly SslClientAuthenticationOptions? _tlsOptions;
    private Socket? _socket;
    private SslStream? _tls;
    private byte[] _buffer = new byte[InitialBufferBytes];
    private int _start;
    private int _end;
    private bool _closeAfterResponse;

    public LoadConnection(EndPoint endPoint, ReadOnlyMemory<byte> request, LoadWindow window, int index, TimeSpan timeout,
        SslClientAuthenticationOptions? tls = null)
    {
        _tlsOptions = tls;
        _endPoint = endPoint;
        _request = request;
        _window = window;
        _phaseTicks = index * window.PhaseTicks;
        _timeout = timeout;
        if (window.SliceTicks > 0)
        {
            Slices = new LoadTally[window.SliceCount];
            for (int i = 0; i < Slices.Length; i++) Slices[i] = new LoadTally();
        }
    }

    public LoadTally Total { get; } = new();

    /// <summary>The same counts per slice of the window (<see cref="LoadWindow.SliceTicks"/>); empty without slices.</summary>
    public LoadTally[] Slices { get; } = [];

    public async Task RunAsync(CancellationToken ct)
    {
        using var delay = new ReusableDelay(ct);
        var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        long sequence = 0;
        try
        {
            long lastDone = 0;
            while (!ct.IsCancellationRequested)
            {
                long intended = 0;
                if (_window.Paced)
                {
                    intended = _window.StartTicks + (long)(_phaseTicks + sequence++ * _window.IntervalTicks);
                    if (intended >= _window.EndTicks) break;
                    // Round up, and wait again if the timer fired early, so no request leaves before its time.
                    long wait;
                    while ((wait = intended - Stopwatch.GetTimestamp()) > 0 && !ct.IsCancellationRequested)
                        await delay.WaitAsync((wait * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency);
                    if (ct.IsCancellationRequested) break;
                }
                else if (Stopwatch.GetTimestamp() >= _window.EndTicks) break;

                bool connecting = _socket is null;
                long sent = Stopwatch.GetTimestamp(); // a reconnect, when needed, is part of the wait
                // Open model: when the previous response came after this request's intended send time,
                // the server held this connection up, so latency runs from the intended time and a stall
                // is charged to every request that should have gone out during it (coordinated
                // omission). When the connection was free by then, any gap between intended and actual
                // send is the generator's own timer slop (about a millisecond), not the server's: count
                // from the send. Closed loop: from the send.
                long start = _window.Paced && lastDone > intended ? intended : sent;
                // Paced: counted by its place in the schedule, so a warm-up request the timer let out late (a busy
                // machine) is not counted, and the measured window holds exactly rate × duration requests.
                bool counted = (_window.Paced ? intended : start) >= _window.MeasureStartTicks;
                try
                {
                    timeoutCts.CancelAfter(_timeout);
                    var token = timeoutCts.Token;
                    if (connecting) await ConnectAsync(token);
                    connecting = false;
                    await SendRequestAsync(token);
                    int status = await ReadResponseAsync(token);
                    long done = Stopwatch.GetTimestamp();
                    lastDone = done;
                    if (counted)
                    {
                        Total.Count(status, done - start);
                        if (Slices.Length > 0) Slices[_window.SliceOf(done)].Count(status, done - start);
                    }
                    if (_closeAfterResponse) CloseSocket();
                }
                catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
                {
                    CloseSocket();
                    if (ct.IsCancellationRequested) break;
                    if (counted)
                    {
                        Total.Errors++;
                        if (Slices.Length > 0) Slices[_window.SliceOf(Stopwatch.GetTimestamp())].Errors++;
                    }
                    // A refused connect would otherwise spin: wait a little before the next attempt.
                    if (connecting) await delay.WaitAsync(ConnectRetryMs);
                }
                finally
                {
                    if (!timeoutCts.TryReset())
                    {
                        timeoutCts.Dispose();
                        timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    }
                }
            }
        }
        finally
        {
            CloseSocket();
            timeoutCts.Dispose();
        }
    }

    private async ValueTask ConnectAsync(CancellationToken ct)
    {
        var socket = new Socket(_endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_endPoint, ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _socket = socket;
        if (_tlsOptions is not null)
        {
            // A new session per connect: the handshake is part of a reconnect's cost, as it is for a real client.
            _tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
            await _tls.AuthenticateAsClientAsync(_tlsOptions, ct);
        }
        _start = _end = 0;
        _closeAfterResponse = false;
    }

    private void CloseSocket()
    {
        _tls?.Dispose();
        _tls = null;
        _socket?.Dispose();
        _socket = null;
        _start = _end = 0;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendRequestAsync(CancellationToken ct)
    {
        // Socket.SendAsync on a stream socket completes when everything is sent; loop in case it does not.
        var rest = _request;
        while (!rest.IsEmpty)
        {
            if (_tls is not null)
            {
                await _tls.WriteAsync(rest, ct);
                return;
            }
            int n = await _socket!.SendAsync(rest, SocketFlags.None, ct);
            rest = rest[n..];
        }
    }

    /// <summary>Reads one response; returns its status. Interim 1xx responses are skipped.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadResponseAsync(CancellationToken ct)
    {
        while (true)
        {
            int headLength;
            while ((headLength = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0) await FillAsync(ct);
            var head = ParseHead(_buffer.AsSpan(_start, headLength));
            _start += headLength + 4;
            // 1xx is interim and has no body; the final response follows (RFC 9110 §15.2).
            if (head.Status < 200) continue;
            _closeAfterResponse = head.Close;
            // Message length rules, RFC 9112 §6.3: 204/304 have no body; chunked wins over Content-Length;
            // with neither, the body runs to the end of the connection.
            if (head.Status is 204 or 304) return head.Status;
            if (head.Chunked) await SkipChunkedBodyAsync(ct);
            else if (head.ContentLength >= 0) await SkipAsync(head.ContentLength, ct);
            else
            {
                await SkipToCloseAsync(ct);
                _closeAfterResponse = true;
            }
            return head.Status;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SkipChunkedBodyAsync(CancellationToken ct)
    {
        while (true)
        {
            int lineLength;
            while ((lineLength = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0) await FillAsync(ct);
            long size = ParseChunkSize(_buffer.AsSpan(_start, lineLength));
            _start += lineLength + 2;
            if (size == 0) break;
            await SkipAsync(size + 2, ct); // chunk data and its CRLF
        }
        // Trailer fields, then the empty line that ends the message (RFC 9112 §7.1).
        while (true)
        {
            int lineLength;
            while ((lineLength = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0) await FillAsync(ct);
            _start += lineLength + 2;
            if (lineLength == 0) return;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SkipAsync(long count, CancellationToken ct)
    {
        int buffered = _end - _start;
        if (buffered >= count)
        {
            _start += (int)count;
            return;
        }
        count -= buffered;
        _start = _end = 0;
        while (count > 0)
        {
            int n = await ReceiveAsync(_buffer.AsMemory(), ct);
            if (n == 0) throw new IOException("the server closed the connection inside a response body");
            if (n > count)
            {
                // Bytes past this body belong to the next response.
                _start = (int)count;
                _end = n;
                return;
            }
            count -= n;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SkipToCloseAsync(CancellationToken ct)
    {
        _start = _end = 0;
        while (await ReceiveAsync(_buffer.AsMemory(), ct) > 0) { }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FillAsync(CancellationToken ct)
    {
        if (_start == _end) _start = _end = 0;
        else if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                if (_buffer.Length >= MaxHeadBytes) throw new IOException("response head or chunk line over " + MaxHeadBytes + " bytes");
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }
        int n = await ReceiveAsync(_buffer.AsMemory(_end), ct);
        if (n == 0) throw new IOException("the server closed the connection before a complete response");
        _end += n;
    }

    private ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken ct)
        => _tls is not null ? _tls.ReadAsync(buffer, ct) : _socket!.ReceiveAsync(buffer, SocketFlags.None, ct);

    /// <summary>What the response head says; ContentLength is -1 when absent.</summary>
    internal readonly record struct ResponseHead(int Status, long ContentLength, bool Chunked, bool Close);

    /// <summary>The status line (RFC 9112 §4) and the three fields that decide framing and keep-alive.</summary>
    internal static ResponseHead ParseHead(ReadOnlySpan<byte> head)
    {
        int lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != (byte)' '
            || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out int used) || used != 3 || status < 100)
            throw BadResponse(statusLine);
        // HTTP/1.0 closes after the response unless it says keep-alive (RFC 9112 §9.3).
        bool http10 = statusLine[7] == (byte)'0';
        bool close = http10;
        long contentLength = -1;
        bool chunked = false;
        var rest = lineEnd < 0 ? default : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            int end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 2)..];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0) continue;
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long length, out int parsed) || parsed != value.Length || length < 0) throw BadResponse(line);
                contentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8)) chunked = HasToken(value, "chunked"u8);
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                if (HasToken(value, "close"u8)) close = true;
                else if (http10 && HasToken(value, "keep-alive"u8)) close = false;
            }
        }
        return new ResponseHead(status, contentLength, chunked, close);
    }

    private static bool HasToken(ReadOnlySpan<byte> list, ReadOnlySpan<byte> token)
    {
        while (!list.IsEmpty)
        {
            int comma = list.IndexOf((byte)',');
            var item = (comma < 0 ? list : list[..comma]).Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(item, token)) return true;
            list = comma < 0 ? default : list[(comma + 1)..];
        }
        return false;
    }

    /// <summary>Hex digits up to an optional chunk extension (RFC 9112 §7.1.1).</summary>
    private static long ParseChunkSize(ReadOnlySpan<byte> line)
    {
        int semicolon = line.IndexOf((byte)';');
        var digits = (semicolon < 0 ? line : line[..semicolon]).Trim(" \t"u8);
        if (digits.IsEmpty || digits.Length > 15
            || !Utf8Parser.TryParse(digits, out long size, out int used, 'X') || used != digits.Length)
            throw BadResponse(line);
        return size;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IOException BadResponse(ReadOnlySpan<byte> text)
        => new("malformed response: " + Encoding.ASCII.GetString(text[..Math.Min(text.Length, 200)]));
}
