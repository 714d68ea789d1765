using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ingestd.Ring;

/// <summary>
/// A fixed-size, lock-free, multi-producer / single-consumer ring of record batches.
/// Positions are monotonically increasing byte offsets (the ring's sequence numbers):
/// a producer claims a contiguous range for a whole request with one CAS on the claim
/// cursor, copies its records in, then publishes by stamping the entry's position in a
/// side table. The single consumer (the segment writer) walks entries in claim order,
/// trusting an entry only once its stamp equals its own position, so stale bytes from
/// an earlier lap can never pass as data. Entries are 64-byte aligned and never wrap:
/// a claim that would cross the end first claims a padding entry up to it.
/// </summary>
internal sealed class EventRing
{
    private const int Align = 64;
    // Set in the claim cursor by Close: no claim succeeds after it, and the consumer knows where the last one ends.
    private const long ClosedBit = 1L << 62;
    private const int AlignShift = 6;
    // Entry header: i32 entry length (negative = padding), i32 record count, i32 record bytes, i32 unused,
    // i64 min event ns, i64 max event ns.
    internal const int HeaderSize = 32;

    private readonly byte[] _buffer;
    private readonly long[] _stamps;
    private readonly long _mask;
    private readonly long _stampMask;
    private readonly ManualResetEventSlim _dataAvailable = new(false);

    // Cursors on separate cache lines: producers hammer _claim, the consumer writes _released.
    private PaddedLong _claim;
    private PaddedLong _released;
    private PaddedLong _consumerSleeping;
    private long _read; // consumer-only

    public EventRing(int capacityBytes)
    {
        if (capacityBytes < 4096 || (capacityBytes & (capacityBytes - 1)) != 0)
            throw new ArgumentException("ring capacity must be a power of two of at least 4096 bytes", nameof(capacityBytes));
        _buffer = GC.AllocateUninitializedArray<byte>(capacityBytes, pinned: true);
        _stamps = new long[capacityBytes >> AlignShift];
        Array.Fill(_stamps, -1L);
        _mask = capacityBytes - 1;
        _stampMask = _stamps.Length - 1;
    }

    public int Capacity => _buffer.Length;

    /// <summary>Bytes claimed but not yet released by the consumer (for metrics and tests).</summary>
    public long Fill => (Volatile.Read(ref _claim.Value) & ~ClosedBit) - Volatile.Read(ref _released.Value);

    /// <summary>True once <see cref="Close"/> ran: every publish fails from then on.</summary>
    public bool IsClosed => (Volatile.Read(ref _claim.Value) & ClosedBit) != 0;

    /// <summary>
    /// The consumer's release cursor: it moves whenever the writer hands space back, so a producer
    /// waiting for room can tell a busy writer from a stalled one.
    /// </summary>
    public long Released => Volatile.Read(ref _released.Value);

    /// <summary>The largest record payload a single batch may have.</summary>
    public int MaxBatchBytes => _buffer.Length / 2 - HeaderSize;

    /// <summary>
    /// Copies one request's records into the ring as one entry. Returns false without
    /// side effects when the ring has no room right now (the caller decides whether to
    /// wait or answer 429), or is closed (<see cref="IsClosed"/>). <paramref name="endPosition"/> is the ring position after the
    /// entry: the request is durable once the writer reports a durable position at or past it.
    /// </summary>
    public bool TryPublish(ReadOnlySpan<byte> records, int count, long minEventNs, long maxEventNs, out long endPosition)
    {
        int entry = AlignUp(HeaderSize + records.Length);
        if (entry > _buffer.Length / 2) throw new ArgumentException("batch larger than half the ring", nameof(records));

        long pos, start, next;
        int pad;
        while (true)
        {
            pos = Volatile.Read(ref _claim.Value);
            if ((pos & ClosedBit) != 0)
            {
                endPosition = 0;
                return false;
            }
            long index = pos & _mask;
            pad = index + entry > _buffer.Length ? (int)(_buffer.Length - index) : 0;
            start = pos + pad;
            next = start + entry;
            if (next - Volatile.Read(ref _released.Value) > _buffer.Length)
            {
                endPosition = 0;
                return false;
            }
            if (Interlocked.CompareExchange(ref _claim.Value, next, pos) == pos) break;
        }

        if (pad > 0)
        {
            WriteHeader(pos, -pad, 0, 0, 0, 0);
            Publish(pos);
        }
        WriteHeader(start, entry, count, records.Length, minEventNs, maxEventNs);
        records.CopyTo(_buffer.AsSpan((int)((start & _mask) + HeaderSize), records.Length));
        Publish(start);
        endPosition = next;

        // The stamp store above must be visible before the flag is read (x64 may reorder a store with a later load):
        // paired with the full fence in PrepareWait, either the consumer sees the entry or this sees it sleeping.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _consumerSleeping.Value) != 0 && Interlocked.Exchange(ref _consumerSleeping.Value, 0) != 0)
            _dataAvailable.Set();
        return true;
    }

    /// <summary>
    /// Consumer only: takes the next published entry, skipping padding. The span stays
    /// valid until <see cref="Release"/> is called.
    /// </summary>
    public bool TryRead(out ReadOnlySpan<byte> records, out int count, out long minEventNs, out long maxEventNs, out long endPosition)
    {
        while (true)
        {
            long pos = _read;
            if (Volatile.Read(ref _stamps[(pos >> AlignShift) & _stampMask]) != pos)
            {
                records = default;
                count = 0;
                minEventNs = maxEventNs = endPosition = 0;
                return false;
            }
            var header = _buffer.AsSpan((int)(pos & _mask), HeaderSize);
            int length = BinaryPrimitives.ReadInt32LittleEndian(header);
            if (length < 0)
            {
                _read = pos - length;
                continue;
            }
            count = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            int recordBytes = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
            minEventNs = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
            maxEventNs = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
            records = _buffer.AsSpan((int)(pos & _mask) + HeaderSize, recordBytes);
            _read = pos + length;
            endPosition = _read;
            return true;
        }
    }

    /// <summary>Consumer only: frees everything read so far for producers.</summary>
    public void Release() => Volatile.Write(ref _released.Value, _read);

    /// <summary>Consumer only: true when a published entry is waiting.</summary>
    public bool HasData => Volatile.Read(ref _stamps[(_read >> AlignShift) & _stampMask]) == _read;

    /// <summary>
    /// Consumer only, step 1 of sleeping: announce it. Then check every reason not to sleep (<see cref="HasData"/>,
    /// other work), then <see cref="Wait"/>, then <see cref="EndWait"/>. A publish or <see cref="Wake"/> after this
    /// call ends the wait, so nothing that arrives between the checks and the wait is missed.
    /// </summary>
    public void PrepareWait()
    {
        _dataAvailable.Reset();
        Interlocked.Exchange(ref _consumerSleeping.Value, 1); // a full fence: the checks that follow see fresh data
    }

    /// <summary>Consumer only: blocks until a producer publishes, <paramref name="timeout"/> passes or <see cref="Wake"/> is called.</summary>
    public void Wait(TimeSpan timeout) => _dataAvailable.Wait(timeout);

    /// <summary>Consumer only: the end of a <see cref="PrepareWait"/> .. <see cref="Wait"/> pair.</summary>
    public void EndWait() => Volatile.Write(ref _consumerSleeping.Value, 0);

    /// <summary>
    /// Refuses every later publish. Producers that already claimed space still publish into it; the consumer has
    /// taken everything once <see cref="IsClosedAndRead"/> holds.
    /// </summary>
    public void Close()
    {
        while (true)
        {
            long pos = Volatile.Read(ref _claim.Value);
            if ((pos & ClosedBit) != 0 || Interlocked.CompareExchange(ref _claim.Value, pos | ClosedBit, pos) == pos) break;
        }
        _dataAvailable.Set();
    }

    /// <summary>Consumer only: closed, and every claimed entry has been read.</summary>
    public bool IsClosedAndRead
    {
        get
        {
            long claim = Volatile.Read(ref _claim.Value);
            return (claim & ClosedBit) != 0 && _read >= (claim & ~ClosedBit);
        }
    }

    /// <summary>Wakes a sleeping consumer (used for shutdown and for new durability waiters).</summary>
    public void Wake() => _dataAvailable.Set();

    private void WriteHeader(long pos, int length, int count, int recordBytes, long min, long max)
    {
        var header = _buffer.AsSpan((int)(pos & _mask), HeaderSize);
        BinaryPrimitives.WriteInt32LittleEndian(header, length);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], count);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], recordBytes);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], min);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], max);
    }

    // Volatile.Write is a release store: the header and records written before it are visible first.
    private void Publish(long pos) => Volatile.Write(ref _stamps[(pos >> AlignShift) & _stampMask], pos);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AlignUp(int n) => (n + Align - 1) & ~(Align - 1);

    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct PaddedLong
    {
        [FieldOffset(64)] public long Value;
    }
}
