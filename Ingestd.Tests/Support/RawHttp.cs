using System.Net.Sockets;
using System.Text;

namespace Ingestd.Tests.Support;

/// <summary>
/// A deliberately dumb HTTP/1.1 client on a raw socket, for sending exactly the bytes a test
/// wants (malformed requests, odd splits, pipelining) and reading responses one by one.
/// </summary>
public sealed class RawHttp : IDisposable
{
    private readonly Socket _socket;
    private readonly List<byte> _pending = new();

    public RawHttp(int port)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket.Connect("127.0.0.1", port);
        _socket.ReceiveTimeout = 30_000;
    }

    public sealed record Reply(int Status, Dictionary<string, string> Headers, string Body)
    {
        public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
    }

    public void Send(string text) => Send(Encoding.UTF8.GetBytes(text));

    /// <summary>Builds a request with Host and Content-Length, sends it and reads the reply.</summary>
    public Reply Exchange(string method, string path, byte[]? body, params (string Name, string Value)[] headers)
    {
        var head = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        foreach (var (n, v) in headers) head.Append($"{n}: {v}\r\n");
        if (body is not null) head.Append($"Content-Length: {body.Length}\r\n");
        head.Append("\r\n");
        Send([.. Encoding.UTF8.GetBytes(head.ToString()), .. body ?? []]);
        return Receive(headRequest: method == "HEAD") ?? throw new IOException("connection closed without a response");
    }

    public Reply Exchange(string method, string path, string? body, params (string Name, string Value)[] headers)
        => Exchange(method, path, body is null ? null : Encoding.UTF8.GetBytes(body), headers);

    /// <summary>One request on a fresh connection.</summary>
    public static Reply Once(int port, string method, string path, string? body, params (string Name, string Value)[] headers)
    {
        using var http = new RawHttp(port);
        return http.Exchange(method, path, body, headers);
    }

    public void Send(byte[] bytes)
    {
        int sent = 0;
        while (sent < bytes.Length) sent += _socket.Send(bytes, sent, bytes.Length - sent, SocketFlags.None);
    }

    /// <summary>Sends the bytes in pieces of the given sizes (cycled), pausing briefly so each arrives on its own.</summary>
    public void SendInPieces(byte[] bytes, int[] sizes, int pauseMs = 0)
    {
        int at = 0, i = 0;
        while (at < bytes.Length)
        {
            int n = Math.Min(sizes[i++ % sizes.Length], bytes.Length - at);
            _socket.Send(bytes, at, n, SocketFlags.None);
            at += n;
            if (pauseMs > 0) Thread.Sleep(pauseMs);
        }
    }

    /// <summary>Reads one response (status line, headers, Content-Length body). Null when the server closed first.</summary>
    public Reply? Receive(bool headRequest = false)
    {
        while (true)
        {
            int headEnd = IndexOf(_pending, "\r\n\r\n"u8.ToArray());
            if (headEnd >= 0)
            {
                var head = Encoding.ASCII.GetString(_pending.GetRange(0, headEnd).ToArray());
                var lines = head.Split("\r\n");
                int status = int.Parse(lines[0].Split(' ')[1]);
                var headers = new Dictionary<string, string>();
                foreach (var l in lines.Skip(1))
                {
                    int c = l.IndexOf(':');
                    headers[l[..c].Trim().ToLowerInvariant()] = l[(c + 1)..].Trim();
                }
                int length = headers.TryGetValue("content-length", out var cl) ? int.Parse(cl) : 0;
                if (status == 100 || headRequest) length = 0;
                while (_pending.Count < headEnd + 4 + length)
                    if (!Fill()) return null;
                var body = Encoding.UTF8.GetString(_pending.GetRange(headEnd + 4, length).ToArray());
                _pending.RemoveRange(0, headEnd + 4 + length);
                return new Reply(status, headers, body);
            }
            if (!Fill()) return null;
        }
    }

    /// <summary>True when the server has closed the connection (reads 0 bytes) within the timeout.</summary>
    public bool ServerClosed(int timeoutMs = 5000)
    {
        _socket.ReceiveTimeout = timeoutMs;
        try
        {
            var buf = new byte[4096];
            while (true)
            {
                int n = _socket.Receive(buf);
                if (n == 0) return true;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { return true; }
        catch (SocketException) { return false; }
    }

    private bool Fill()
    {
        var buf = new byte[65536];
        int n;
        try { n = _socket.Receive(buf); }
        catch (SocketException) { return false; }
        if (n == 0) return false;
        _pending.AddRange(buf.AsSpan(0, n).ToArray());
        return true;
    }

    private static int IndexOf(List<byte> hay, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= hay.Count; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    public void Dispose() => _socket.Dispose();
}
