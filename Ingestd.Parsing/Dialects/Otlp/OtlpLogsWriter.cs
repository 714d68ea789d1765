using Ingestd.Parsing.Dialects.Protobuf;
using Ingestd.Parsing.Errors;

namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>
/// Encodes an OTLP/HTTP <c>ExportLogsServiceRequest</c> (the messages <see cref="OtlpProtobufParser"/> reads; field
/// numbers from opentelemetry-proto <c>logs/v1/logs.proto</c>, <c>common/v1/common.proto</c>):
/// <c>BeginResource()</c>, <c>ResourceAttribute(…)</c>*, <c>BeginScope(…)</c>, then per record <c>BeginLogRecord(…)</c>,
/// <c>Attribute(…)</c>*, <c>EndLogRecord()</c>, and <c>EndResource()</c>. String values only: what the outputs send.
/// Reused from request to request: a warm encode allocates nothing.
/// </summary>
internal sealed class OtlpLogsWriter : IDisposable
{
    private readonly ProtoWriter _proto = new();
    private int _resourceLogs = -1, _resource = -1, _scopeLogs = -1, _logRecord = -1;

    public ReadOnlySpan<byte> WrittenSpan => _proto.WrittenSpan;
    public ReadOnlyMemory<byte> WrittenMemory => _proto.WrittenMemory;

    public void Reset() => _proto.Reset();

    // ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
    // ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; }
    // Resource { repeated KeyValue attributes = 1; }
    public void BeginResource()
    {
        _resourceLogs = _proto.Begin(1);
        _resource = _proto.Begin(1);
    }

    public void ResourceAttribute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => KeyValue(1, key, value);

    // ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; }
    // InstrumentationScope { string name = 1; string version = 2; }
    /// <summary>Ends the resource and opens its one scope.</summary>
    public void BeginScope(ReadOnlySpan<byte> name, ReadOnlySpan<byte> version)
    {
        _proto.End(_resource);
        _scopeLogs = _proto.Begin(2);
        int scope = _proto.Begin(1);
        if (!name.IsEmpty) _proto.Bytes(1, name);
        if (!version.IsEmpty) _proto.Bytes(2, version);
        _proto.End(scope);
    }

    // LogRecord { fixed64 time_unix_nano = 1; SeverityNumber severity_number = 2; string severity_text = 3;
    //   AnyValue body = 5; repeated KeyValue attributes = 6; fixed64 observed_time_unix_nano = 11; }
    /// <summary>Opens a log record whose body is the string <paramref name="body"/>; attributes follow, then <see cref="EndLogRecord"/>.</summary>
    public void BeginLogRecord(long timeUnixNs, ReadOnlySpan<byte> severityText, ReadOnlySpan<byte> body)
    {
        _logRecord = _proto.Begin(2);
        if (timeUnixNs > 0) _proto.Fixed64(1, (ulong)timeUnixNs);
        int severity = SeverityNumber(severityText);
        if (severity != 0) _proto.Varint(2, (ulong)severity);
        if (!severityText.IsEmpty) _proto.Bytes(3, severityText);
        int any = _proto.Begin(5);
        _proto.Bytes(1, body); // AnyValue.string_value
        _proto.End(any);
    }

    public void Attribute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => KeyValue(6, key, value);

    public void EndLogRecord(long observedUnixNs)
    {
        if (observedUnixNs > 0) _proto.Fixed64(11, (ulong)observedUnixNs);
        _proto.End(_logRecord);
    }

    public void EndResource()
    {
        _proto.End(_scopeLogs);
        _proto.End(_resourceLogs);
    }

    // KeyValue { string key = 1; AnyValue value = 2; }  AnyValue { string string_value = 1; … }
    private void KeyValue(int field, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        int kv = _proto.Begin(field);
        _proto.Bytes(1, key);
        int any = _proto.Begin(2);
        _proto.Bytes(1, value);
        _proto.End(any);
        _proto.End(kv);
    }

    /// <summary>
    /// The first number of the OpenTelemetry severity range a stored level names (TRACE 1, DEBUG 5, INFO 9, WARN 13,
    /// ERROR 17, FATAL 21; the syslog names map onto them), or 0 (unspecified) for a level it does not know.
    /// </summary>
    public static int SeverityNumber(ReadOnlySpan<byte> level)
    {
        Span<byte> lower = stackalloc byte[16];
        if (level.IsEmpty || level.Length > lower.Length) return 0;
        System.Text.Ascii.ToLower(level, lower, out int n);
        return lower[..n] switch
        {
            var l when l.SequenceEqual("trace"u8) => 1,
            var l when l.SequenceEqual("debug"u8) => 5,
            var l when l.SequenceEqual("info"u8) || l.SequenceEqual("information"u8) || l.SequenceEqual("notice"u8) => 9,
            var l when l.SequenceEqual("warn"u8) || l.SequenceEqual("warning"u8) => 13,
            var l when l.SequenceEqual("error"u8) || l.SequenceEqual("err"u8) => 17,
            var l when l.SequenceEqual("fatal"u8) || l.SequenceEqual("critical"u8) || l.SequenceEqual("crit"u8)
                || l.SequenceEqual("alert"u8) || l.SequenceEqual("emerg"u8) || l.SequenceEqual("emergency"u8)
                || l.SequenceEqual("panic"u8) => 21,
            _ => 0,
        };
    }

    /// <summary>
    /// Reads an <c>ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }</c>
    /// (<c>{ int64 rejected_log_records = 1; string error_message = 2; }</c>): false when the bytes are not protobuf.
    /// </summary>
    public static bool TryReadResponse(ReadOnlySpan<byte> response, out long rejected, out string? errorMessage)
    {
        rejected = 0;
        errorMessage = null;
        try
        {
            var reader = new ProtoReader(response);
            while (reader.Next(out int field, out var wire))
            {
                if (field != 1 || wire != ProtoWireType.Len)
                {
                    reader.Skip(wire);
                    continue;
                }
                var partial = reader.ReadMessage();
                while (partial.Next(out int f, out var w))
                {
                    if (f == 1 && w == ProtoWireType.Varint) rejected = (long)partial.ReadVarint();
                    else if (f == 2 && w == ProtoWireType.Len) errorMessage = System.Text.Encoding.UTF8.GetString(partial.ReadBytes());
                    else partial.Skip(w);
                }
            }
            return true;
        }
        catch (RequestRejectedException)
        {
            return false;
        }
    }

    public void Dispose() => _proto.Dispose();
}
