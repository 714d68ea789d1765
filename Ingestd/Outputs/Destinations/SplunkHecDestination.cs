using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingestd.Config;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// <c>type = "splunk_hec"</c>: <c>POST {url}/services/collector/event</c> with <c>Authorization: Splunk &lt;token&gt;</c>,
/// one JSON object per event, back to back (gzip optional): <c>time</c> (the event time, epoch seconds with nine
/// fraction digits), <c>host</c>, <c>source</c>, <c>sourcetype</c>, <c>index</c> (templates; one not configured or
/// rendering empty is left out, and the token's defaults apply), <c>event</c> (the event's JSON) and the indexed
/// <c>fields</c> <c>ingestd_id</c> (the event id), <c>tenant</c>, <c>dialect</c>, <c>kind</c>, <c>level</c>,
/// <c>stream</c> (when set). HEC's answer <c>{"text","code"}</c> decides: code 0 acknowledges; "server is busy"
/// (code 9), 503 and other 5xx, 408, 429, a refused token (401/403: the configuration's fault, retried until fixed)
/// and send errors are transient; any other code refuses the request (the runner halves it down to the events refused).
/// </summary>
internal sealed class SplunkHecDestination : IDestination
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    private readonly HttpPoster _http;
    private readonly FieldTemplate? _host, _source, _sourceType, _index;
    private readonly RecordFields _fields = new();
    private readonly ArrayBufferWriter<byte> _body = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _value = new(256);
    private readonly Utf8JsonWriter _json;

    public SplunkHecDestination(OutputConfig config)
    {
        _http = new HttpPoster(config, "/services/collector/event", JsonType, config.Gzip, "Splunk " + config.Token);
        _host = new FieldTemplate(config.HecHost ?? Environment.MachineName);
        _source = config.HecSource is { } source ? new FieldTemplate(source) : null;
        _sourceType = config.HecSourceType is { } type ? new FieldTemplate(type) : null;
        _index = config.HecIndex is { } index ? new FieldTemplate(index) : null;
        _json = new Utf8JsonWriter(_body, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public DeliveryResult Send(OutputBatch batch, IReadOnlyList<int> items, CancellationToken ct)
    {
        Encode(batch, items);
        if (!_http.TryPost(_body.WrittenMemory, ct, out var answer, out var failure)) return failure;
        return ReadAnswer(answer);
    }

    /// <summary>The request body for the items (tests read it).</summary>
    internal ReadOnlySpan<byte> Encode(OutputBatch batch, IReadOnlyList<int> items)
    {
        _body.ResetWrittenCount();
        Span<byte> id = stackalloc byte[batch.MaxIdLength];
        Span<byte> time = stackalloc byte[32];
        var w = _json;
        foreach (int i in items)
        {
            var line = batch.Line(i);
            _fields.Read(line);
            w.WriteStartObject();
            w.WritePropertyName("time"u8);
            w.WriteRawValue(time[..FormatSeconds(batch.EventNsAt(i), time)], skipInputValidation: true);
            WriteTemplate(w, "host"u8, _host);
            WriteTemplate(w, "source"u8, _source);
            WriteTemplate(w, "sourcetype"u8, _sourceType);
            WriteTemplate(w, "index"u8, _index);
            w.WritePropertyName("event"u8);
            var eventJson = _fields.Event(line);
            if (eventJson.IsEmpty) w.WriteNullValue();
            else w.WriteRawValue(eventJson, skipInputValidation: true);
            w.WriteStartObject("fields"u8);
            w.WriteString("ingestd_id"u8, id[..batch.WriteId(i, id)]);
            WriteField(w, "tenant"u8, RecordField.Tenant);
            WriteField(w, "dialect"u8, RecordField.Dialect);
            WriteField(w, "kind"u8, RecordField.Kind);
            WriteField(w, "level"u8, RecordField.Level);
            WriteField(w, "stream"u8, RecordField.Stream);
            w.WriteEndObject();
            w.WriteEndObject();
            w.Flush();
            w.Reset();
            _body.Write("\n"u8);
        }
        return _body.WrittenSpan;
    }

    private void WriteTemplate(Utf8JsonWriter w, ReadOnlySpan<byte> name, FieldTemplate? template)
    {
        if (template is null) return;
        _value.ResetWrittenCount();
        if (template.Render(_fields, _value) > 0) w.WriteString(name, _value.WrittenSpan);
    }

    private void WriteField(Utf8JsonWriter w, ReadOnlySpan<byte> name, RecordField field)
    {
        var value = _fields[field];
        if (!value.IsEmpty) w.WriteString(name, value);
    }

    /// <summary>Unix nanoseconds as epoch seconds with nine fraction digits (<c>1717169430.123456789</c>).</summary>
    internal static int FormatSeconds(long unixNs, Span<byte> dest)
    {
        long seconds = Math.DivRem(Math.Max(unixNs, 0), 1_000_000_000L, out long nanos);
        seconds.TryFormat(dest, out int n, default, System.Globalization.CultureInfo.InvariantCulture);
        dest[n++] = (byte)'.';
        nanos.TryFormat(dest[n..], out int digits, "D9", System.Globalization.CultureInfo.InvariantCulture);
        return n + digits;
    }

    /// <summary>HEC's <c>{"text":…,"code":…,"invalid-event-number"?:…}</c> with its HTTP status, as a delivery result.</summary>
    internal static DeliveryResult ReadAnswer(HttpAnswer answer)
    {
        int code = -1;
        string text = answer.BodyText;
        int? invalidEvent = null;
        try
        {
            using var doc = JsonDocument.Parse(answer.Body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("code", out var c) && c.TryGetInt32(out int n)) code = n;
                if (root.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String) text = t.GetString()!;
                if (root.TryGetProperty("invalid-event-number", out var e) && e.TryGetInt32(out int k)) invalidEvent = k;
            }
        }
        catch (JsonException)
        {
            // Not HEC's body (a proxy's page): the HTTP status decides below.
        }
        bool ok = answer.Status is >= 200 and < 300;
        if (ok && code is 0 or -1) return DeliveryResult.Acknowledged;
        string reason = $"Splunk HEC: HTTP {answer.Status}, code {code}: {text}"
            + (invalidEvent is int number ? $" (invalid-event-number {number})" : "");
        if (code == 9 || answer.Status is 503 or 408 or 429 or >= 500) return DeliveryResult.Transient(reason);
        if (answer.Status is 401 or 403) return DeliveryResult.Transient(reason + " (check the output's token)");
        return DeliveryResult.Permanent(reason);
    }

    public void Dispose()
    {
        _http.Dispose();
        _json.Dispose();
    }
}
