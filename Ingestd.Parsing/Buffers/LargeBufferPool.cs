
namespace Ingestd.Parsing.Buffers;

/// <summary>
/// Request-sized arrays (bodies, record batches) shared by all connections. A connection holds
/// one only while a request is in progress, so memory follows the requests being worked on,
/// not the connections open. Unlike <c>ArrayPool.Shared</c>, arrays keep the size they grew to
/// and enough of them are retained for every request in progress, so buffers above the
/// large-object threshold are reused instead of re-allocated. Lock-free: a fixed array of slots.
/// </summary>
internal sealed class LargeBufferPool
{
    public static readonly LargeBufferPool Shared = new(slots: 64, maxArrayBytes: 16 * 1024 * 1024);

    private readonly byte[]?[] _slots;
    private readonly int _maxArrayBytes;

    public LargeBufferPool(int slots, int maxArrayBytes)
    {
        _slots = new byte[]?[slots];
        _maxArrayBytes = maxArrayBytes;
    }

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes: a retained one if one is big enough, else a new one.</summary>
    public byte[] Rent(int minimumLength)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            var candidate = Volatile.Read(ref _slots[i]);
            if (candidate is null || candidate.Length < minimumLength) continue;
            if (Interlocked.CompareExchange(ref _slots[i], null, candidate) == candidate) return candidate;
        }
        // Round up so a buffer that keeps growing settles after a few sizes.
        long size = Math.Max(minimumLength, 64 * 1024);
        size = (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)size);
        return GC.AllocateUninitializedArray<byte>((int)Math.Min(size, Array.MaxLength));
    }

    /// <summary>Keeps the array for the next request unless it is oversized or every slot is taken.</summary>
    public void Return(byte[] array)
    {
        if (array.Length == 0 || array.Length > _maxArrayBytes) return;
        for (int i = 0; i < _slots.Length; i++)
        {
            if (Volatile.Read(ref _slots[i]) is null && Interlocked.CompareExchange(ref _slots[i], array, null) is null) return;
        }
    }
}
