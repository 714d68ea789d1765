using Ingestd.Parsing.Buffers;

namespace Ingestd.Parsing.Records;

/// <summary>
/// The records one request produces, laid end to end in a pooled buffer. Dialect parsers
/// append to it; the connection publishes it to the ring as one batch, or drops it whole
/// when the request is refused, so nothing of a refused request is stored.
/// </summary>
internal sealed class RecordBatch : IDisposable
{
    // Request-sized: taken from the shared pool while a request is parsed and published.
    private readonly PooledBuffer _buffer = new(LargeBufferPool.Shared);

    public int Count { get; private set; }
    public long MinEventNs { get; private set; } = long.MaxValue;
    public long MaxEventNs { get; private set; } = long.MinValue;
    public ReadOnlySpan<byte> Bytes => _buffer.WrittenSpan;

    /// <summary>The array <see cref="Bytes"/> starts, for a reader that keeps offsets into it while nothing is appended.</summary>
    public byte[] BytesArray => _buffer.WrittenArray;
    public int ByteLength => _buffer.Length;

    public void Reset()
    {
        _buffer.Release();
        Count = 0;
        MinEventNs = long.MaxValue;
        MaxEventNs = long.MinValue;
    }

    /// <summary>
    /// Gives the record bytes back to the pool once the ring holds its copy; <see cref="Count"/>
    /// and the time range stay for the response and metrics.
    /// </summary>
    public void ReleaseBytes() => _buffer.Release();

    /// <summary>
    /// Appends one record. Fields longer than <see cref="RecordLayout.MaxFieldLength"/> must be refused by the caller first.
    /// <paramref name="stream"/> is only given by the Streams dialect; the others store none.
    /// </summary>
    public void Append(long receivedNs, long eventNs, Dialect dialect, RecordKind kind,
        ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> level, ReadOnlySpan<byte> service,
        ReadOnlySpan<byte> timestampText, ReadOnlySpan<byte> json, ReadOnlySpan<byte> stream = default, ReadOnlySpan<byte> routes = default)
    {
        int size = RecordLayout.SizeOf(tenant.Length, level.Length, service.Length, timestampText.Length, json.Length, stream.Length, routes.Length);
        var dest = _buffer.GetSpan(size);
        RecordLayout.Write(dest, receivedNs, eventNs, dialect, kind, tenant, level, service, timestampText, json, stream, routes);
        _buffer.Advance(size);
        Counted(eventNs);
    }

    /// <summary>Appends whole records of the current layout as they are (<paramref name="count"/> of them), e.g. events a pipeline left alone.</summary>
    public void AppendRecords(ReadOnlySpan<byte> records, int count)
    {
        records.CopyTo(_buffer.GetSpan(records.Length));
        _buffer.Advance(records.Length);
        for (int at = 0, i = 0; i < count; i++)
        {
            Counted(RecordLayout.ReadEventNs(records[at..]));
            at += RecordLayout.ReadLength(records[at..]);
        }
    }

    /// <summary>Makes room for <paramref name="bytes"/> more bytes at once (one rent instead of growing step by step).</summary>
    public void Reserve(int bytes) => _buffer.GetSpan(bytes);

    /// <summary>Exchanges contents with <paramref name="other"/> (buffers, counts, time ranges): a processed batch takes the request batch's place without a copy.</summary>
    public void SwapWith(RecordBatch other)
    {
        _buffer.SwapWith(other._buffer);
        (Count, other.Count) = (other.Count, Count);
        (MinEventNs, other.MinEventNs) = (other.MinEventNs, MinEventNs);
        (MaxEventNs, other.MaxEventNs) = (other.MaxEventNs, MaxEventNs);
    }

    private void Counted(long eventNs)
    {
        Count++;
        if (eventNs < MinEventNs) MinEventNs = eventNs;
        if (eventNs > MaxEventNs) MaxEventNs = eventNs;
    }

    public void Dispose() => _buffer.Dispose();
}
