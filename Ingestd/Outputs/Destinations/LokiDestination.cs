using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingestd.Config;
using Ingestd.Parsing.Dialects.Loki;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// <c>type = "loki"</c>: <c>POST {url}/loki/api/v1/push</c>, a snappy-compressed protobuf <c>PushRequest</c>. Events are
/// grouped into streams by their labels (the <c>labels</c> templates; a label that renders empty is left out, and a
/// stream left without any gets <c>job="ingestd"</c>); each entry is the event's JSON at the event time, with the event id
/// as structured metadata <c>ingestd_id</c>, or (<c>structured_metadata = false</c>, for Loki before 3 / schema v13)
/// as the line's first member <c>"ingestd_id"</c>. 2xx acknowledges the push; 408, 429, 5xx, 401/403 and send errors
/// are transient; any other status refuses the push (the runner halves it down to the events refused).
/// </summary>
internal sealed class LokiDestination : IDestination
{
    private static readonly MediaTypeHeaderValue ProtobufType = new("application/x-protobuf");

    private readonly HttpPoster _http;
    private readonly (byte[] Name, FieldTemplate Value)[] _labels;
    private readonly bool _metadata;
    private readonly RecordFields _fields = new();
    private readonly BatchGroups _streams = new();
    private readonly ArrayBufferWriter<byte> _key = new(1024);
    private readonly ArrayBufferWriter<byte> _value = new(256);
    private readonly ArrayBufferWriter<byte> _line = new(4096);
    private readonly LokiPushWriter _push = new();
    private readonly Utf8JsonWriter _json;
    private (int Start, int Length)[] _events = new (int, int)[256];

    public LokiDestination(OutputConfig config)
    {
        _http = new HttpPoster(config, "/loki/api/v1/push", ProtobufType, gzip: false);
        _labels = config.Labels.Select(l => (Encoding.UTF8.GetBytes(l.Key), new FieldTemplate(l.Value))).ToArray();
        _metadata = config.StructuredMetadata;
        _json = new Utf8JsonWriter(_line, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public DeliveryResult Send(OutputBatch batch, IReadOnlyList<int> items, CancellationToken ct)
    {
        Encode(batch, items);
        if (!_http.TryPost(_push.Compress(), ct, out var answer, out var failure)) return failure;
        return answer.Status is >= 200 and < 300 ? DeliveryResult.Acknowledged : HttpPoster.Refused(answer, "Loki push");
    }

    /// <summary>The PushRequest for the items, uncompressed in <see cref="LokiPushWriter.Encoded"/> (tests decode it).</summary>
    internal ReadOnlySpan<byte> Encode(OutputBatch batch, IReadOnlyList<int> items)
    {
        _streams.Clear();
        if (_events.Length < items.Count) Array.Resize(ref _events, Math.Max(items.Count, _events.Length * 2));
        for (int k = 0; k < items.Count; k++)
        {
            _fields.Read(batch.Line(items[k]));
            _events[k] = _fields.EventRange; // kept for the second pass, which goes stream by stream
            _streams.Add(k, RenderLabels());
        }

        _push.Reset();
        Span<byte> id = stackalloc byte[batch.MaxIdLength];
        for (int s = 0; s < _streams.Count; s++)
        {
            _push.BeginStream(_streams.Key(s));
            for (int k = _streams.First(s); k >= 0; k = _streams.Next(k))
            {
                int i = items[k];
                var eventJson = batch.Line(i).Slice(_events[k].Start, _events[k].Length);
                var idText = id[..batch.WriteId(i, id)];
                if (_metadata) _push.Entry(batch.EventNsAt(i), eventJson, "ingestd_id"u8, idText);
                else _push.Entry(batch.EventNsAt(i), LineWithId(eventJson, idText), default, default);
            }
            _push.EndStream();
        }
        return _push.Encoded;
    }

    /// <summary><c>{name="value",…}</c> for the event last read into <see cref="_fields"/>, in the configured order.</summary>
    private ReadOnlySpan<byte> RenderLabels()
    {
        _key.ResetWrittenCount();
        _key.Write("{"u8);
        bool first = true;
        foreach (var (name, template) in _labels)
        {
            _value.ResetWrittenCount();
            if (template.Render(_fields, _value) == 0) continue;
            LokiPushWriter.AppendLabel(_key, name, _value.WrittenSpan, first);
            first = false;
        }
        if (first) LokiPushWriter.AppendLabel(_key, "job"u8, "ingestd"u8, first: true);
        _key.Write("}"u8);
        return _key.WrittenSpan;
    }

    /// <summary>The line when the id cannot go in structured metadata: <c>{"ingestd_id":"…",…the event's members}</c>, or the event under <c>"event"</c> when it is not an object.</summary>
    private ReadOnlySpan<byte> LineWithId(ReadOnlySpan<byte> eventJson, ReadOnlySpan<byte> id)
    {
        _line.ResetWrittenCount();
        // The object is left open after the id (the writer is reset, not closed): the event's members follow as they are.
        _json.WriteStartObject();
        _json.WriteString("ingestd_id"u8, id);
        _json.Flush();
        _json.Reset();
        if (eventJson.Length >= 2 && eventJson[0] == '{')
        {
            var members = eventJson[1..].TrimStart(" \t\r\n"u8);
            if (members[0] != '}') _line.Write(","u8);
            _line.Write(members);
        }
        else
        {
            _line.Write(",\"event\":"u8);
            _line.Write(eventJson.IsEmpty ? "null"u8 : eventJson);
            _line.Write("}"u8);
        }
        return _line.WrittenSpan;
    }

    public void Dispose()
    {
        _http.Dispose();
        _push.Dispose();
        _json.Dispose();
    }
}
