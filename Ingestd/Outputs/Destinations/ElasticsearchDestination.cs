using System.Buffers;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingestd.Config;
using Ingestd.Outputs;
using Ingestd.Parsing.Records;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// <c>type = "elasticsearch"</c>: <c>POST {url}/_bulk</c> with one <c>create</c> per event, <c>_id</c> = the event id,
/// so a redelivery after a crash is refused as a version conflict (409) instead of stored twice: 409 counts as
/// delivered. The document is the line <c>ingestd read</c> prints plus <c>"id"</c> and <c>"@timestamp"</c> (the event
/// time). Per-item results are honoured: 429 and 5xx items are retried, other refused items dead-lettered.
/// <c>index</c> may hold <c>{tenant}</c> and <c>{dialect}</c>, filled per event and used as written (Elasticsearch
/// refuses upper case: such items are dead-lettered with its reason).
/// </summary>
internal sealed class ElasticsearchDestination : IDestination
{

    private readonly HttpClient _client;
    private readonly Uri _bulkUrl;
    private readonly string _index;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _headers;
    private readonly RequestBody _request;
    private readonly ArrayBufferWriter<byte> _body = new(64 * 1024);
    private readonly Utf8JsonWriter _json;

    public ElasticsearchDestination(OutputConfig config)
    {
        _bulkUrl = new Uri(config.Url!.TrimEnd('/') + "/_bulk");
        _index = config.Index;
        _headers = config.Headers;
        _request = new RequestBody(config.Gzip, new MediaTypeHeaderValue("application/x-ndjson"));
        _json = new Utf8JsonWriter(_body, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _client = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.GZip,
        })
        {
            Timeout = config.Timeout,
        };
    }

    public DeliveryResult Send(OutputBatch batch, IReadOnlyList<int> items, CancellationToken ct)
    {
        WriteBody(batch, items);
        using var request = new HttpRequestMessage(System.Net.Http.HttpMethod.Post, _bulkUrl) { Content = _request.For(_body.WrittenMemory) };
        foreach (var (name, value) in _headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content.Headers.TryAddWithoutValidation(name, value);
        }
        try
        {
            using var response = _client.Send(request, HttpCompletionOption.ResponseContentRead, ct);
            int status = (int)response.StatusCode;
            byte[] answer = response.Content.ReadAsByteArrayAsync(ct).GetAwaiter().GetResult();
            if (status is not (>= 200 and < 300))
            {
                return HttpDelivery.Refused(status, $"HTTP {status} {response.ReasonPhrase}: {Shorten(answer)}");
            }
            return ReadBulkAnswer(answer, items.Count);
        }
        catch (Exception e) when (HttpDelivery.IsTransient(e, _client, ct, out var retry))
        {
            return retry;
        }
    }

    private void WriteBody(OutputBatch batch, IReadOnlyList<int> items)
    {
        _body.ResetWrittenCount();
        Span<byte> id = stackalloc byte[batch.MaxIdLength];
        Span<byte> time = stackalloc byte[40];
        foreach (int i in items)
        {
            ReadOnlySpan<byte> line = batch.Line(i);
            var w = _json;
            w.WriteStartObject();
            w.WriteStartObject("create"u8);
            w.WriteString("_index"u8, IndexFor(line));
            w.WriteString("_id"u8, id[..batch.WriteId(i, id)]);
            w.WriteEndObject();
            w.WriteEndObject();
            w.Flush();
            w.Reset();
            // The stored line is an object: @timestamp goes in as its first member.
            _body.Write("\n{\"@timestamp\":\""u8);
            _body.Write(time[..RecordJsonWriter.FormatTime(batch.EventNsAt(i), time)]);
            _body.Write("\","u8);
            _body.Write(line[1..]);
            _body.Write("\n"u8);
        }
    }

    private ReadOnlySpan<byte> IndexFor(ReadOnlySpan<byte> line)
    {
        if (!_index.Contains('{')) return Encoding.UTF8.GetBytes(_index);
        var (tenant, dialect) = RecordJson.TenantAndDialect(line);
        return Encoding.UTF8.GetBytes(_index.Replace("{tenant}", tenant).Replace("{dialect}", dialect));
    }

    /// <summary>
    /// <c>{"errors":false,…}</c> acknowledges everything; with <c>"errors":true</c> each item's <c>status</c> decides:
    /// 2xx or 409 (already there: a redelivery) delivered, 429 and 5xx retried, anything else refused.
    /// </summary>
    internal static DeliveryResult ReadBulkAnswer(byte[] answer, int count)
    {
        try
        {
            using var doc = JsonDocument.Parse(answer);
            var root = doc.RootElement;
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.False) return DeliveryResult.Acknowledged;
            if (!root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array || items.GetArrayLength() != count)
                return DeliveryResult.Transient($"_bulk answer without one item per event: {Shorten(answer)}");
            var outcomes = new ItemOutcome[count];
            int i = 0;
            foreach (var item in items.EnumerateArray())
            {
                var result = item.EnumerateObject().First().Value;
                int status = result.TryGetProperty("status", out var s) && s.TryGetInt32(out int n) ? n : 0;
                string reason = result.TryGetProperty("error", out var error)
                    ? $"_bulk item {status}: " + (error.ValueKind == JsonValueKind.Object
                        ? $"{error.GetProperty("type").GetString()}: {(error.TryGetProperty("reason", out var r) ? r.GetString() : "")}"
                        : error.ToString())
                    : $"_bulk item {status}";
                outcomes[i++] = status switch
                {
                    >= 200 and < 300 or 409 => new ItemOutcome(DeliveryStatus.Acknowledged, ""),
                    429 or >= 500 or 0 => new ItemOutcome(DeliveryStatus.Transient, reason),
                    _ => new ItemOutcome(DeliveryStatus.Permanent, reason),
                };
            }
            return DeliveryResult.PerItem(outcomes);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return DeliveryResult.Transient($"unreadable _bulk answer ({e.Message}): {Shorten(answer)}");
        }
    }

    private static string Shorten(byte[] bytes)
        => Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 512)).ReplaceLineEndings(" ").Trim();

    public void Dispose()
    {
        _client.Dispose();
        _json.Dispose();
        _request.Dispose();
    }
}
