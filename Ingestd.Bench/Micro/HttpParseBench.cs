using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Ingestd.Parsing.Http;

namespace Ingestd.Bench.Micro;

/// <summary>Parsing one request head as curl or an SDK sends it.</summary>
[MemoryDiagnoser]
public class HttpParseBench
{
    private readonly HttpRequestHead _head = new();
    private readonly HttpLimits _limits = new();
    private ReadOnlySequence<byte> _request;

    [GlobalSetup]
    public void Setup()
    {
        _request = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(
            "POST /v1/drain HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n" +
            "Authorization: tok-bench\r\nContent-Type: application/json\r\nContent-Length: 183105\r\n\r\n"));
    }

    [Benchmark]
    public bool ParseHead()
    {
        _head.Reset();
        return HttpRequestParser.TryParseHead(_request, _head, _limits, out _, out _);
    }
}
