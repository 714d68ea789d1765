using System.Buffers;
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

    private readonly HttpClient _client;
    private readonly Uri _url;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _headers;
    private readonly RequestBody _body;

    public HttpNdjsonDestination(OutputConfig config)
    {
        _url = new Uri(config.Url!);
        _headers = config.Headers;
        _body = new RequestBody(config.Gzip, new MediaTypeHeaderValue("application/x-ndjson"));
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
        using var request = new HttpRequestMessage(System.Net.Http.HttpMethod.Post, _url) { Content = _body.For(_ndjson.WrittenMemory) };
        foreach (var (name, value) in _headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content.Headers.TryAddWithoutValidation(name, value);
        }
        try
        {
            using var response = _client.Send(request, HttpCompletionOption.ResponseHeadersRead, ct);
            int status = (int)response.StatusCode;
            if (status is >= 200 and < 300) return DeliveryResult.Acknowledged;
            return HttpDelivery.Refused(status, $"HTTP {status} {response.ReasonPhrase}: {HttpDelivery.ReadSome(response, ct)}");
        }
        catch (Exception e) when (HttpDelivery.IsTransient(e, _client, ct, out var retry))
        {
            return retry;
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _body.Dispose();
    }
}
