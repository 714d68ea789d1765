using System.Buffers.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Conditions;
using Ingestd.Parsing.Records;

namespace Ingestd.Subscriptions;

/// <summary>
/// Delivers the records of every acknowledged request, whatever its dialect, to live SSE subscribers: Air's
/// <c>/v1/subscribe</c> and <c>/v1/tail</c>. The subscriber list is copy-on-write, so ingest reads it without locks;
/// with no subscribers, the publish path pays one volatile read (<see cref="HasSubscribers"/>). Each wanted record
/// becomes one frame per shape, built once and shared by every subscriber that wants it.
/// </summary>
internal sealed class SubscriptionHub
{
    private readonly object _gate = new();
    private Subscriber[] _subscribers = [];
    private long _nextId;

    // Offer runs on many connections at once: each thread keeps its own scratch.
    [ThreadStatic] private static FieldLocator? t_locator;
    [ThreadStatic] private static RecordJsonWriter? t_recordWriter;

    public int Count => Volatile.Read(ref _subscribers).Length;

    /// <summary>The one read the publish path pays when nobody listens.</summary>
    public bool HasSubscribers => Volatile.Read(ref _subscribers).Length != 0;

    public Subscriber Subscribe(ISubscription filter, int capacity)
    {
        var s = new Subscriber(this, filter, capacity);
        lock (_gate) _subscribers = [.. _subscribers, s];
        return s;
    }

    internal void Remove(Subscriber s)
    {
        lock (_gate)
        {
            int i = Array.IndexOf(_subscribers, s);
            if (i < 0) return;
            var next = new Subscriber[_subscribers.Length - 1];
            Array.Copy(_subscribers, 0, next, 0, i);
            Array.Copy(_subscribers, i + 1, next, i, next.Length - i);
            _subscribers = next;
        }
    }

    /// <summary>Offers every record of an acknowledged batch to the subscribers that want it. Never waits.</summary>
    public void Offer(ReadOnlySpan<byte> records)
    {
        var subscribers = Volatile.Read(ref _subscribers);
        if (subscribers.Length == 0) return;
        var locator = t_locator ??= new FieldLocator();
        while (RecordView.TryRead(records, out var record, out int length))
        {
            records = records[length..];
            byte[]? entryFrame = null, recordFrame = null;
            foreach (var s in subscribers)
            {
                if (s.Dropped || !s.Filter.Wants(record, locator)) continue;
                var frame = s.Filter.Shape == FrameShape.AirEntry
                    ? entryFrame ??= EntryFrame(record)
                    : recordFrame ??= RecordFrame(record);
                s.TryEnqueue(frame);
            }
        }
    }

    // id: N / event: message|event / data: <entry JSON>, one data line per JSON line (SSE forbids raw newlines in a field).
    private byte[] EntryFrame(in RecordView record)
    {
        using var buffer = new PooledBuffer(record.Json.Length + 64);
        WriteId(buffer);
        buffer.Write(record.Kind == RecordKind.Message ? "\nevent: message\n"u8 : "\nevent: event\n"u8);
        var json = record.Json;
        while (true)
        {
            int nl = json.IndexOf((byte)'\n');
            var line = nl < 0 ? json : json[..nl];
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
            buffer.Write("data: "u8);
            buffer.Write(line);
            buffer.Write("\n"u8);
            if (nl < 0) break;
            json = json[(nl + 1)..];
        }
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static readonly JsonWriterOptions RecordJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    // id: N / event: record / data: <the record on one line, as ingestd read prints it, without seq>.
    private byte[] RecordFrame(in RecordView record)
    {
        using var buffer = new PooledBuffer(record.Length + 256);
        WriteId(buffer);
        buffer.Write("\nevent: record\ndata: "u8);
        using (var w = new Utf8JsonWriter(buffer, RecordJson))
        {
            w.WriteStartObject();
            (t_recordWriter ??= new RecordJsonWriter()).WriteMembers(w, -1, record);
            w.WriteEndObject();
        }
        buffer.Write("\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private void WriteId(PooledBuffer buffer)
    {
        buffer.Write("id: "u8);
        var digits = buffer.GetSpan(20);
        Utf8Formatter.TryFormat(Interlocked.Increment(ref _nextId), digits, out int n);
        buffer.Advance(n);
    }
}
