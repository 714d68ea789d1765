using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ingestd.Tests.Support;

/// <summary>
/// A small HTTP/1.1 server on 127.0.0.1 (ephemeral port) that keeps the NDJSON lines of every request it answers 2xx,
/// and can be told to fail: 503 while <see cref="Down"/> or for the next <see cref="Fail503Next"/> requests, 400 for
/// a body containing <see cref="RefuseMarker"/>, or no answer at all while <see cref="Hang"/>; or <see cref="Answer"/>
/// decides (a receiver of another protocol, e.g. one that answers an OTLP partial success).
/// </summary>
public sealed class CaptureServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<string> _lines = [];
    private readonly CancellationTokenSource _stop = new();
    private int _fail503Next;
    private int _requests;

    public CaptureServer()
    {
        _listener.Start();
        _ = AcceptLoop();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string Url => $"http://127.0.0.1:{Port}/ingest";
    public volatile bool Down;
    public volatile bool Hang;
    public volatile string? RefuseMarker;

    /// <summary>When set, answers each (decompressed) body with the status and body it returns; no lines are kept.</summary>
    public volatile Func<byte[], (int Status, byte[] Body)>? Answer;
    public int Fail503Next { set => Volatile.Write(ref _fail503Next, value); }

    /// <summary>Requests received, answered or not.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public List<string> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    /// <summary>Waits (bounded) until at least <paramref name="count"/> lines were accepted; returns them.</summary>
    public List<string> WaitForLines(int count, int seconds = 90)
    {
        for (int i = 0; i < seconds * 20; i++)
        {
            var lines = Lines;
            if (lines.Count >= count) return lines;
            Thread.Sleep(50);
        }
        return Lines;
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Serve(client);
        }
    }

    private async Task Serve(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                // Head
                int headEnd;
                while ((headEnd = IndexOfHeadEnd(buffer)) < 0)
                {
                    int n = await stream.ReadAsync(chunk, _stop.Token);
                    if (n == 0) return;
                    buffer.Write(chunk, 0, n);
                }
                string head = Encoding.ASCII.GetString(buffer.GetBuffer(), 0, headEnd);
                int length = 0;
                bool gzip = false;
                foreach (var line in head.Split("\r\n"))
                {
                    if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(line[15..].Trim());
                    if (line.StartsWith("Content-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("gzip")) gzip = true;
                }
                int bodyStart = headEnd + 4;
                while (buffer.Length < bodyStart + length)
                {
                    int n = await stream.ReadAsync(chunk, _stop.Token);
                    if (n == 0) return;
                    buffer.Write(chunk, 0, n);
                }
                byte[] body = buffer.GetBuffer().AsSpan(bodyStart, length).ToArray();
                var rest = buffer.GetBuffer().AsSpan(bodyStart + length, (int)buffer.Length - bodyStart - length).ToArray();
                buffer.SetLength(0);
                buffer.Write(rest);
                if (gzip)
                {
                    using var z = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
                    var plain = new MemoryStream();
                    z.CopyTo(plain);
                    body = plain.ToArray();
                }
                Interlocked.Increment(ref _requests);
                string text = Encoding.UTF8.GetString(body);
                if (Hang)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }
                if (Answer is { } answerFor)
                {
                    var (custom, customBody) = answerFor(body);
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(
                        $"HTTP/1.1 {custom} Answer\r\nContent-Length: {customBody.Length}\r\nContent-Type: application/x-protobuf\r\n\r\n"), _stop.Token);
                    await stream.WriteAsync(customBody, _stop.Token);
                    continue;
                }
                int status = 200;
                if (Down || Interlocked.Decrement(ref _fail503Next) >= 0) status = 503;
                else if (RefuseMarker is string marker && text.Contains(marker)) status = 400;
                if (status == 200)
                {
                    lock (_lines) _lines.AddRange(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                }
                string reason = status switch { 200 => "OK", 400 => "Bad Request", _ => "Service Unavailable" };
                string answer = status == 400 ? "{\"error\":\"refused marker\"}" : "";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 {status} {reason}\r\nContent-Length: {answer.Length}\r\nContent-Type: application/json\r\n\r\n{answer}"), _stop.Token);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }
    }

    private static int IndexOfHeadEnd(MemoryStream buffer)
        => buffer.GetBuffer().AsSpan(0, (int)buffer.Length).IndexOf("\r\n\r\n"u8);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
