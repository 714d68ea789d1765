using System.Buffers.Text;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Records;

namespace Ingestd.Subscriptions;

/// <summary>
/// Delivers accepted Air messages and events to live SSE subscribers. The subscriber list is
/// copy-on-write, so ingest reads it without locks; with no subscribers, publishing costs one
/// read. Each matching entry becomes one frame built once and shared by every subscriber.
/// </summary>
internal sealed class SubscriptionHub
{
    private readonly object _gate = new();
    private Subscriber[] _subscribers = [];
    private long _nextId;

    public int Count => Volatile.Read(ref _subscribers).Length;

    public Subscriber Subscribe(SubscriptionFilter filter, int capacity)
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

    /// <summary>Offers every record of an acknowledged batch to the subscribers that want it.</summary>
    public void Publish(ReadOnlySpan<byte> tenant, RecordKind kind, ReadOnlySpan<byte> records)
    {
        var subscribers = Volatile.Read(ref _subscribers);
        if (subscribers.Length == 0) return;
        while (RecordView.TryRead(records, out var record, out int length))
        {
            records = records[length..];
            byte[]? frame = null;
            foreach (var s in subscribers)
            {
                if (s.Dropped || !s.Matches(record, tenant, kind)) continue;
                frame ??= Frame(record, kind);
                s.TryEnqueue(frame);
            }
        }
    }

    // id: N / event: message|event / data: <entry JSON>, one data line per JSON line (SSE forbids raw newlines in a field).
    private byte[] Frame(in RecordView record, RecordKind kind)
    {
        using var buffer = new PooledBuffer(record.Json.Length + 64);
        buffer.Write("id: "u8);
        var digits = buffer.GetSpan(20);
        Utf8Formatter.TryFormat(Interlocked.Increment(ref _nextId), digits, out int n);
        buffer.Advance(n);
        buffer.Write(kind == RecordKind.Message ? "\nevent: message\n"u8 : "\nevent: event\n"u8);
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
}
