using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Dialects.Levels;
using Ingestd.Parsing.Records;

namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>
/// Builds the records of one OTLP request, whichever the encoding. Each record's JSON is
/// <c>{"resource":{…},"scope":{…},"&lt;member&gt;":{…}}</c>: the resource and scope are rendered once per
/// <c>Resource*</c>/<c>Scope*</c> message and spliced into every record below them. One instance per request;
/// its buffers and <see cref="Utf8JsonWriter"/> are reused for every record.
/// </summary>
internal sealed class OtlpRecordWriter : IDisposable
{
    // Relaxed escaping keeps non-ASCII text readable; the output is never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly RecordBatch _batch;
    private readonly long _receivedNs;
    private readonly byte[] _tenant;
    private readonly int _tenantLength;
    private readonly PooledBuffer _record = new(16 * 1024);
    private readonly PooledBuffer _resource = new(1024);
    private readonly PooledBuffer _scope = new(1024);
    private readonly Utf8JsonWriter _writer;
    private byte[] _service = ArrayPool<byte>.Shared.Rent(256);
    private int _serviceLength;
    private byte[] _level = ArrayPool<byte>.Shared.Rent(64);
    private int _accepted;
    private int _rejected;
    private int _items;
    private string? _firstError;

    public OtlpRecordWriter(RecordBatch batch, long receivedNs, ReadOnlySpan<byte> tenant)
    {
        _batch = batch;
        _receivedNs = receivedNs;
        _tenant = ArrayPool<byte>.Shared.Rent(Math.Max(tenant.Length, 1));
        tenant.CopyTo(_tenant);
        _tenantLength = tenant.Length;
        _writer = new Utf8JsonWriter(_record, WriterOptions);
    }

    public long ReceivedNs => _receivedNs;

    public OtlpResult Result => new(_accepted, _rejected, _firstError);

    // ---- resource and scope ----

    /// <summary>Starts rendering a resource's attributes; the caller writes one JSON object, then calls <see cref="EndResource"/>.</summary>
    public Utf8JsonWriter BeginResource()
    {
        _resource.Reset();
        _serviceLength = 0;
        _writer.Reset(_resource);
        return _writer;
    }

    public void EndResource() => _writer.Flush();

    /// <summary>No resource in this <c>Resource*</c> message: records carry no resource member and no service.</summary>
    public void ClearResource()
    {
        _resource.Reset();
        _serviceLength = 0;
    }

    /// <summary>Remembers the resource's <c>service.name</c> (the envelope service of every record below it).</summary>
    public void SetService(ReadOnlySpan<byte> service)
    {
        if (service.Length > _service.Length)
        {
            ArrayPool<byte>.Shared.Return(_service);
            _service = ArrayPool<byte>.Shared.Rent(service.Length);
        }
        service.CopyTo(_service);
        _serviceLength = service.Length;
    }

    /// <summary>Starts rendering an instrumentation scope; the caller writes one JSON object, then calls <see cref="EndScope"/>.</summary>
    public Utf8JsonWriter BeginScope()
    {
        _scope.Reset();
        _writer.Reset(_scope);
        return _writer;
    }

    public void EndScope() => _writer.Flush();

    public void ClearScope() => _scope.Reset();

    // ---- records ----

    /// <summary>Starts one record's JSON; the caller writes the value of <paramref name="member"/> (one object), then calls <see cref="Commit"/>.</summary>
    public Utf8JsonWriter BeginRecord(ReadOnlySpan<byte> member)
    {
        _record.Reset();
        _writer.Reset(_record);
        _writer.WriteStartObject();
        // An empty resource or scope renders as "{}": omitted like every other empty member.
        if (_resource.Length > 2)
        {
            _writer.WritePropertyName("resource"u8);
            _writer.WriteRawValue(_resource.WrittenSpan, skipInputValidation: true);
        }
        if (_scope.Length > 2)
        {
            _writer.WritePropertyName("scope"u8);
            _writer.WriteRawValue(_scope.WrittenSpan, skipInputValidation: true);
        }
        _writer.WritePropertyName(member);
        return _writer;
    }

    /// <summary>Closes the record begun by <see cref="BeginRecord"/> and appends it to the batch.</summary>
    /// <param name="eventUnixNano">The item's event time (0 = none: the receive time is used).</param>
    /// <param name="timestampUnixNano">The item's own timestamp, kept as decimal text (0 = none: empty text).</param>
    public void Commit(RecordKind kind, ulong eventUnixNano, ulong timestampUnixNano, ReadOnlySpan<byte> level)
    {
        _writer.WriteEndObject();
        _writer.Flush();
        if (eventUnixNano > long.MaxValue) throw new OtlpRecordException("time beyond the year 2262");
        if (_serviceLength > RecordLayout.MaxFieldLength) throw new OtlpRecordException($"service.name longer than {RecordLayout.MaxFieldLength} bytes");

        Span<byte> text = stackalloc byte[20];
        int textLength = 0;
        if (timestampUnixNano != 0) Utf8Formatter.TryFormat(timestampUnixNano, text, out textLength);
        long eventNs = eventUnixNano != 0 ? (long)eventUnixNano : _receivedNs;

        _batch.Append(_receivedNs, eventNs, Dialect.Otlp, kind, _tenant.AsSpan(0, _tenantLength), level,
            _service.AsSpan(0, _serviceLength), text[..textLength], _record.WrittenSpan);
        _accepted++;
        _items++;
    }

    /// <summary>Counts a rejected item; <paramref name="count"/> is what OTLP counts for it (data points for a metric).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Reject(string what, string problem, int count = 1)
    {
        _rejected += count;
        _items++;
        _firstError ??= $"{what} #{_items}: {problem}"; // numbered from 1 in request order
    }

    /// <summary>The level of a log record: its severity text lower-cased (ASCII), else the severity number's range name.</summary>
    public ReadOnlySpan<byte> Level(scoped ReadOnlySpan<byte> severityText, long severityNumber)
    {
        if (severityText.IsEmpty) return SeverityLevel(severityNumber);
        if (severityText.Length > _level.Length)
        {
            if (severityText.Length > RecordLayout.MaxFieldLength) FailRecord($"severityText longer than {RecordLayout.MaxFieldLength} bytes");
            ArrayPool<byte>.Shared.Return(_level);
            _level = ArrayPool<byte>.Shared.Rent(severityText.Length);
        }
        var dest = _level.AsSpan(0, severityText.Length);
        for (int i = 0; i < severityText.Length; i++)
        {
            byte b = severityText[i];
            dest[i] = (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;
        }
        return dest;
    }

    /// <summary>Severity number ranges of the OpenTelemetry log data model (SeverityNumber, logs.proto).</summary>
    public static ReadOnlySpan<byte> SeverityLevel(long number) => LevelNumbers.Name(number, LevelScale.OtelSeverity);

    // ---- shared value writers ----

    /// <summary>A 64-bit integer member as a decimal string, as OTLP JSON encodes int64/uint64/fixed64.</summary>
    public static void WriteUInt64String(Utf8JsonWriter w, ReadOnlySpan<byte> name, ulong value)
    {
        Span<byte> text = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, text, out int n);
        w.WriteString(name, text[..n]);
    }

    public static void WriteInt64String(Utf8JsonWriter w, ReadOnlySpan<byte> name, long value)
    {
        Span<byte> text = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, text, out int n);
        w.WriteString(name, text[..n]);
    }

    public static void WriteInt64StringValue(Utf8JsonWriter w, ulong value)
    {
        Span<byte> text = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, text, out int n);
        w.WriteStringValue(text[..n]);
    }

    /// <summary>A double as a JSON number, or as the strings "NaN", "Infinity", "-Infinity" (proto3 JSON mapping).</summary>
    public static void WriteDoubleValue(Utf8JsonWriter w, double value)
    {
        if (double.IsFinite(value)) w.WriteNumberValue(value);
        else if (double.IsNaN(value)) w.WriteStringValue("NaN"u8);
        else w.WriteStringValue(value > 0 ? "Infinity"u8 : "-Infinity"u8);
    }

    /// <summary>A trace or span id as lower-case hex (OTLP JSON encodes ids in hex, not base64).</summary>
    public static void WriteHex(Utf8JsonWriter w, ReadOnlySpan<byte> name, ReadOnlySpan<byte> id)
    {
        Span<byte> text = stackalloc byte[2 * 16];
        for (int i = 0; i < id.Length; i++)
        {
            text[2 * i] = Hex[id[i] >> 4];
            text[2 * i + 1] = Hex[id[i] & 0xF];
        }
        w.WriteString(name, text[..(2 * id.Length)]);
    }

    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    /// <summary>Decodes case-insensitive hex into <paramref name="dest"/>; false when not hex or not exactly dest's length.</summary>
    public static bool TryDecodeHex(ReadOnlySpan<byte> text, Span<byte> dest)
    {
        if (text.Length != 2 * dest.Length) return false;
        for (int i = 0; i < dest.Length; i++)
        {
            int hi = HexValue(text[2 * i]), lo = HexValue(text[2 * i + 1]);
            if ((hi | lo) < 0) return false;
            dest[i] = (byte)(hi << 4 | lo);
        }
        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>Checks an id's length: <paramref name="required"/> ids must be present; all ids must be 0 or <paramref name="size"/> bytes.</summary>
    public static void CheckId(ReadOnlySpan<byte> id, int size, bool required, string name)
    {
        if (id.IsEmpty && !required) return;
        if (id.Length != size) FailId(name, size);
        if (required && id.IndexOfAnyExcept((byte)0) < 0) FailRecord($"{name} must not be all zeroes");
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void FailId(string name, int size) => throw new OtlpRecordException($"{name} must be {size} bytes ({2 * size} hex digits)");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void FailRecord(string problem) => throw new OtlpRecordException(problem);

    public void Dispose()
    {
        _writer.Dispose();
        _record.Dispose();
        _resource.Dispose();
        _scope.Dispose();
        ArrayPool<byte>.Shared.Return(_tenant);
        ArrayPool<byte>.Shared.Return(_service);
        ArrayPool<byte>.Shared.Return(_level);
    }
}
