using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingestd.Parsing.Records;

namespace Ingestd.Outputs;

/// <summary>
/// The events of one delivery as NDJSON, one line each: the record as <c>ingestd read</c> prints it plus <c>"id"</c>
/// (<c>&lt;node_id&gt;-&lt;sequence&gt;</c>), the stable id destinations deduplicate on. Reused from batch to batch.
/// </summary>
internal sealed class OutputBatch : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Utf8JsonWriter _json;
    private readonly List<(long Sequence, int Start, int Length, long EventNs)> _items = [];
    private readonly byte[] _nodePrefix;
    private byte[] _oneLine = new byte[4096];

    public OutputBatch(string nodeId)
    {
        // Relaxed escaping as `ingestd read` does: the output is not embedded in HTML.
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _nodePrefix = System.Text.Encoding.UTF8.GetBytes(nodeId + "-");
    }

    public int Count => _items.Count;
    public int ByteCount => _buffer.WrittenCount;
    public ReadOnlySpan<byte> Bytes => _buffer.WrittenSpan;

    /// <summary>When the first event of the batch was added (Stopwatch ticks), for <c>max_wait</c>.</summary>
    public long FirstAddedTicks { get; private set; }

    /// <summary>The receive time of the first event, for the lag in seconds.</summary>
    public long FirstReceivedNs { get; private set; }

    public long SequenceAt(int index) => _items[index].Sequence;

    public long EventNsAt(int index) => _items[index].EventNs;

    /// <summary>One item's line without its '\n', as memory (valid until the batch is cleared).</summary>
    public ReadOnlyMemory<byte> LineMemory(int index)
    {
        var item = _items[index];
        return _buffer.WrittenMemory.Slice(item.Start, item.Length - 1);
    }

    /// <summary>Writes item <paramref name="index"/>'s id (<c>&lt;node_id&gt;-&lt;sequence&gt;</c>) into <paramref name="dest"/>; returns its length.</summary>
    public int WriteId(int index, Span<byte> dest)
    {
        _nodePrefix.CopyTo(dest);
        _items[index].Sequence.TryFormat(dest[_nodePrefix.Length..], out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
        return _nodePrefix.Length + digits;
    }

    public int MaxIdLength => _nodePrefix.Length + 20;

    /// <summary>One item's line without its '\n'.</summary>
    public ReadOnlySpan<byte> Line(int index)
    {
        var item = _items[index];
        return _buffer.WrittenSpan.Slice(item.Start, item.Length - 1);
    }

    public void Add(long sequence, in RecordView view)
    {
        if (_items.Count == 0)
        {
            FirstAddedTicks = System.Diagnostics.Stopwatch.GetTimestamp();
            FirstReceivedNs = view.ReceivedNs;
        }
        int start = _buffer.WrittenCount;
        Span<byte> scratch = stackalloc byte[64];
        var w = _json;
        w.WriteStartObject();
        _nodePrefix.CopyTo(scratch);
        sequence.TryFormat(scratch[_nodePrefix.Length..], out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
        w.WriteString("id"u8, scratch[..(_nodePrefix.Length + digits)]);
        w.WriteNumber("seq"u8, sequence);
        RecordJson.WriteTime(w, "received_at"u8, view.ReceivedNs);
        RecordJson.WriteTime(w, "time"u8, view.EventNs);
        w.WriteString("tenant"u8, view.Tenant);
        if (!view.Stream.IsEmpty) w.WriteString("stream"u8, view.Stream);
        w.WriteString("dialect"u8, RecordNames.Of(view.Dialect));
        w.WriteString("kind"u8, RecordNames.Of(view.Kind));
        w.WriteString("level"u8, view.Level);
        w.WriteString("service"u8, view.Service);
        w.WriteString("timestamp"u8, view.TimestampText);
        if (!view.Routes.IsEmpty)
        {
            // As `ingestd read` prints them: route tags are stored comma-separated, absent = the default route "store".
            var routes = view.Routes;
            w.WriteStartArray("routes"u8);
            foreach (var range in routes.Split((byte)',')) w.WriteStringValue(routes[range]);
            w.WriteEndArray();
        }
        w.WritePropertyName("event"u8);
        if (view.Json.IsEmpty) w.WriteNullValue();
        else if (view.Json.IndexOfAny((byte)'\n', (byte)'\r') < 0) w.WriteRawValue(view.Json, skipInputValidation: true);
        else w.WriteRawValue(OnOneLine(view.Json), skipInputValidation: true);
        w.WriteEndObject();
        w.Flush();
        w.Reset();
        _buffer.Write("\n"u8);
        _items.Add((sequence, start, _buffer.WrittenCount - start, view.EventNs));
    }

    // NDJSON needs one line per record; raw line breaks in JSON can only be whitespace between tokens.
    private ReadOnlySpan<byte> OnOneLine(ReadOnlySpan<byte> json)
    {
        if (_oneLine.Length < json.Length) _oneLine = new byte[Math.Max(json.Length, _oneLine.Length * 2)];
        var copy = _oneLine.AsSpan(0, json.Length);
        json.CopyTo(copy);
        copy.Replace((byte)'\n', (byte)' ');
        copy.Replace((byte)'\r', (byte)' ');
        return copy;
    }

    public void Clear()
    {
        _items.Clear();
        _buffer.ResetWrittenCount();
    }

    public void Dispose() => _json.Dispose();
}

/// <summary>The record JSON pieces shared by the destinations.</summary>
internal static class RecordJson
{
    /// <summary>Writes Unix nanoseconds as RFC 3339 UTC with nine fraction digits, as <c>ingestd read</c> does.</summary>
    public static void WriteTime(Utf8JsonWriter w, ReadOnlySpan<byte> name, long unixNs)
    {
        Span<byte> dest = stackalloc byte[40];
        w.WriteString(name, dest[..FormatTime(unixNs, dest)]);
    }

    /// <summary>The <c>tenant</c> and <c>dialect</c> of a line this batch wrote (for templates: index, subject).</summary>
    public static (string Tenant, string Dialect) TenantAndDialect(ReadOnlySpan<byte> line)
    {
        string tenant = "", dialect = "";
        var reader = new Utf8JsonReader(line);
        reader.Read(); // StartObject
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isTenant = reader.ValueTextEquals("tenant"u8), isDialect = reader.ValueTextEquals("dialect"u8);
            reader.Read();
            if (isTenant) tenant = reader.GetString() ?? "";
            else if (isDialect)
            {
                dialect = reader.GetString() ?? "";
                break; // dialect comes after tenant
            }
            else reader.TrySkip();
        }
        return (tenant, dialect);
    }

    /// <summary>Unix nanoseconds as RFC 3339 UTC with nine fraction digits (30 bytes); returns the length.</summary>
    public static int FormatTime(long unixNs, Span<byte> dest)
    {
        long seconds = Math.DivRem(unixNs, 1_000_000_000L, out long fraction);
        if (fraction < 0)
        {
            fraction += 1_000_000_000L;
            seconds--;
        }
        var t = new DateTime(DateTime.UnixEpoch.Ticks + seconds * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        t.TryFormat(dest, out int n, "yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        dest[n++] = (byte)'.';
        fraction.TryFormat(dest[n..], out int f, "D9", System.Globalization.CultureInfo.InvariantCulture);
        n += f;
        dest[n++] = (byte)'Z';
        return n;
    }
}
