using System.Buffers;
using System.Net.Http.Headers;
using Ingestd.Config;
using Ingestd.Parsing.Dialects.Otlp;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// <c>type = "otlp_http"</c>: <c>POST {url}/v1/logs</c>, a protobuf <c>ExportLogsServiceRequest</c> (gzip optional).
/// Events are grouped into one <c>ResourceLogs</c> per tenant and service (resource attributes <c>service.name</c>,
/// <c>tenant</c>; scope <c>ingestd</c>); each is a <c>LogRecord</c> with <c>time_unix_nano</c> = the event time,
/// <c>severity_text</c> = the stored level and <c>severity_number</c> from it, <c>body</c> = the event's JSON as a
/// string (kept byte for byte; a collector can parse it), attributes <c>ingestd.id</c> (the event id),
/// <c>ingestd.dialect</c>, <c>ingestd.kind</c> and <c>ingestd.stream</c> when set.
/// A 2xx answer acknowledges, unless its <c>partial_success</c> says some log records were rejected: OTLP does not say
/// which, so the request counts as refused and the runner halves it until the refused events stand alone and are
/// dead-lettered (with the receiver's <c>error_message</c>). The halves accepted on the way are stored again by the
/// receiver: duplicates, which <c>ingestd.id</c> identifies. 408, 429, 5xx, 401/403 and send errors are transient.
/// </summary>
internal sealed class OtlpHttpDestination : IDestination
{
    private static readonly MediaTypeHeaderValue ProtobufType = new("application/x-protobuf");

    private readonly HttpPoster _http;
    private readonly RecordFields _fields = new();
    private readonly BatchGroups _resources = new();
    private readonly ArrayBufferWriter<byte> _key = new(256);
    private readonly OtlpLogsWriter _logs = new();

    public OtlpHttpDestination(OutputConfig config)
    {
        _http = new HttpPoster(config, "/v1/logs", ProtobufType, config.Gzip);
    }

    public DeliveryResult Send(OutputBatch batch, IReadOnlyList<int> items, CancellationToken ct)
    {
        Encode(batch, items);
        if (!_http.TryPost(_logs.WrittenMemory, ct, out var answer, out var failure)) return failure;
        if (answer.Status is not (>= 200 and < 300)) return HttpPoster.Refused(answer, "OTLP export");
        // A body that is not an ExportLogsServiceResponse still came with a 2xx: the records were taken.
        if (!OtlpLogsWriter.TryReadResponse(answer.Body, out long rejected, out string? message) || rejected <= 0)
            return DeliveryResult.Acknowledged;
        return DeliveryResult.Permanent($"OTLP partial success: {rejected} of {items.Count} log records rejected: {message}");
    }

    /// <summary>The request for the items (tests decode it).</summary>
    internal ReadOnlySpan<byte> Encode(OutputBatch batch, IReadOnlyList<int> items)
    {
        _resources.Clear();
        for (int k = 0; k < items.Count; k++)
        {
            _fields.Read(batch.Line(items[k]));
            // The key: the tenant's length (4 bytes), the tenant, the service.
            _key.ResetWrittenCount();
            var tenant = _fields[RecordField.Tenant];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(_key.GetSpan(4), tenant.Length);
            _key.Advance(4);
            _key.Write(tenant);
            _key.Write(_fields[RecordField.Service]);
            _resources.Add(k, _key.WrittenSpan);
        }

        _logs.Reset();
        Span<byte> id = stackalloc byte[batch.MaxIdLength];
        for (int r = 0; r < _resources.Count; r++)
        {
            var key = _resources.Key(r);
            int split = 4 + System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(key);
            _logs.BeginResource();
            if (split < key.Length) _logs.ResourceAttribute("service.name"u8, key[split..]);
            _logs.ResourceAttribute("tenant"u8, key[4..split]);
            _logs.BeginScope("ingestd"u8, default);
            for (int k = _resources.First(r); k >= 0; k = _resources.Next(k))
            {
                int i = items[k];
                var line = batch.Line(i);
                _fields.Read(line);
                _logs.BeginLogRecord(batch.EventNsAt(i), _fields[RecordField.Level], _fields.Event(line));
                _logs.Attribute("ingestd.id"u8, id[..batch.WriteId(i, id)]);
                _logs.Attribute("ingestd.dialect"u8, _fields[RecordField.Dialect]);
                _logs.Attribute("ingestd.kind"u8, _fields[RecordField.Kind]);
                if (!_fields[RecordField.Stream].IsEmpty) _logs.Attribute("ingestd.stream"u8, _fields[RecordField.Stream]);
                _logs.EndLogRecord(0);
            }
            _logs.EndResource();
        }
        return _logs.WrittenSpan;
    }

    public void Dispose()
    {
        _http.Dispose();
        _logs.Dispose();
    }
}
