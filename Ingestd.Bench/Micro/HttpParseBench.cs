using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Http;

namespace Ingestd.Bench.Micro;

/// <summary>
/// The HTTP/1.1 stage, per request: a small request head; a 180 KB Content-Length request (head parse and
/// copying the body out of the pipe's segments into the connection's <see cref="PooledBuffer"/>); and a
/// 180 KB chunked body through <see cref="ChunkedBodyDecoder"/>. The input arrives as 16 KiB segments,
/// as a <c>Pipe</c> delivers it. MB/s = body bytes (179,995) / Mean.
/// </summary>
[MemoryDiagnoser]
public class HttpParseBench
{
    private const int SegmentSize = 16 * 1024;
    private const int ChunkSize = 8 * 1024;

    private readonly HttpRequestHead _head = new();
    private readonly HttpLimits _limits = new();
    private readonly ChunkedBodyDecoder _chunked = new();
    private readonly PooledBuffer _body = new(256 * 1024);
    private ReadOnlySequence<byte> _small;
    private ReadOnlySequence<byte> _contentLength;
    private ReadOnlySequence<byte> _chunkedBody;

    [GlobalSetup]
    public void Setup()
    {
        var body = BenchData.Drain500;
        _small = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(Head("Content-Length: 436")));
        _contentLength = BenchSegment.Split([.. Encoding.ASCII.GetBytes(Head($"Content-Length: {body.Length}")), .. body], SegmentSize);

        // RFC 9112 §7.1: chunk-size in hex, CRLF, data, CRLF; a zero-size last chunk and an empty trailer section.
        var chunked = new MemoryStream();
        for (int at = 0; at < body.Length; at += ChunkSize)
        {
            int n = Math.Min(ChunkSize, body.Length - at);
            chunked.Write(Encoding.ASCII.GetBytes($"{n:x}\r\n"));
            chunked.Write(body, at, n);
            chunked.Write("\r\n"u8);
        }
        chunked.Write("0\r\n\r\n"u8);
        _chunkedBody = BenchSegment.Split(chunked.ToArray(), SegmentSize);

        if (ContentLength180K() != body.Length || Chunked180K() != body.Length || !SmallHead())
            throw new InvalidOperationException("HTTP bench inputs do not parse");
    }

    // As curl sends it: 7 header fields.
    private static string Head(string length) =>
        "POST /v1/drain HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n" +
        $"Authorization: tok-bench\r\nContent-Type: application/json\r\n{length}\r\n\r\n";

    [GlobalCleanup]
    public void Cleanup() => _body.Dispose();

    [Benchmark]
    public bool SmallHead()
    {
        _head.Reset();
        return HttpRequestParser.TryParseHead(_small, _head, _limits, out _, out _);
    }

    /// <summary>Head, then the Content-Length body copied segment by segment into the pooled body buffer.</summary>
    [Benchmark]
    public int ContentLength180K()
    {
        _head.Reset();
        if (!HttpRequestParser.TryParseHead(_contentLength, _head, _limits, out var consumed, out _)) return -1;
        _body.Reset();
        foreach (var segment in _contentLength.Slice(consumed, _head.ContentLength)) _body.Write(segment.Span);
        return _body.Length;
    }

    /// <summary>The chunked body alone (8 KiB chunks), decoded into the pooled body buffer.</summary>
    [Benchmark]
    public int Chunked180K()
    {
        _chunked.Reset();
        _body.Reset();
        return _chunked.Decode(_chunkedBody, _body, _limits, out _, out _) ? _body.Length : -1;
    }
}
