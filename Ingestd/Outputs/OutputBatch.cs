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
    private readonly RecordJsonWriter _record = new();

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
        _record.WriteMembers(w, sequence, view);
        w.WriteEndObject();
        w.Flush();
        w.Reset();
        _buffer.Write("\n"u8);
        _items.Add((sequence, start, _buffer.WrittenCount - start, view.EventNs));
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
}
