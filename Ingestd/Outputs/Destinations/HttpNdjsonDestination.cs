using System.Buffers;
using System.IO.Compression;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using Ingestd.Config;

using Ingestd.Outputs;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// <c>type = "http_ndjson"</c>: POSTs each batch as NDJSON to <c>url</c>. 2xx acknowledges the batch; 408, 429, 5xx,
/// timeouts and connection errors are transient; any other status is a permanent refusal of the batch.
/// </summary>
internal sealed class HttpNdjsonDestination : IDestination
{
    private static readonly MediaTypeHeaderValue NdjsonType = new("application/x-ndjson");

    private readonly HttpClient _client;
    private readonly Uri _url;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _headers;
    private readonly bool _gzip;
    private readonly MemoryStream _compressed = new();

    public HttpNdjsonDestination(OutputConfig config)
    {
        _url = new Uri(config.Url!);
        _headers = config.Headers;
        _gzip = config.Gzip;
        _client = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            Timeout = config.Timeout,
        };
    }

    private readonly ArrayBufferWriter<byte> _ndjson = new(64 * 1024);

    public DeliveryResult Send(OutputBatch batch, IReadOnlyList<int> items, CancellationToken ct)
    {
        _ndjson.ResetWrittenCount();
        foreach (int i in items)
        {
            _ndjson.Write(batch.Line(i));
            _ndjson.Write("\n"u8);
        }
        using var request = new HttpRequestMessage(System.Net.Http.HttpMethod.Post, _url) { Content = Body(_ndjson.WrittenMemory) };
        foreach (var (name, value) in _headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content.Headers.TryAddWithoutValidation(name, value);
        }
        try
        {
            using var response = _client.Send(request, HttpCompletionOption.ResponseHeadersRead, ct);
            int status = (int)response.StatusCode;
            if (status is >= 200 and < 300) return DeliveryResult.Acknowledged;
            return HttpDelivery.Refused(status, $"HTTP {status} {response.ReasonPhrase}: {ReadSome(response, ct)}");
        }
        catch (Exception e) when (HttpDelivery.IsTransient(e, _client, ct, out var retry))
        {
            return retry;
        }
    }

    private HttpContent Body(ReadOnlyMemory<byte> ndjson)
    {
        HttpContent content;
        if (_gzip)
        {
            _compressed.SetLength(0);
            using (var gzip = new GZipStream(_compressed, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(ndjson.Span);
            content = new ByteArrayContent(_compressed.GetBuffer(), 0, (int)_compressed.Length);
            content.Headers.ContentEncoding.Add("gzip");
        }
        else
        {
            content = new ReadOnlyMemoryContent(ndjson);
        }
        content.Headers.ContentType = NdjsonType;
        return content;
    }

    // The start of an error body makes the reason useful in the log and the dead-letter file.
    private static string ReadSome(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var stream = response.Content.ReadAsStream(ct);
            var buffer = new byte[512];
            int n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return System.Text.Encoding.UTF8.GetString(buffer, 0, n).ReplaceLineEndings(" ").Trim();
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            return "(no body)";
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _compressed.Dispose();
    }
}
