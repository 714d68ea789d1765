using System.Buffers;
using System.Collections.Concurrent;

namespace Ingestd.Transport;

/// <summary>
/// The memory of the connections' input pipes: fixed 16 KiB blocks kept for the next connection when a pipe gives
/// them back. With the pipes' default (<see cref="ArrayPool{T}.Shared"/>, one partition of 32 arrays per size on a
/// single core) the blocks of 64 connections did not fit: a client that reconnected left ~8 KB of garbage per
/// connection (an allocation trace, the benchmarks' README). Each block is its own <see cref="IMemoryOwner{T}"/>, so
/// renting and returning allocate nothing. At most <see cref="MaxKept"/> blocks are kept; more are left to the GC.
/// </summary>
internal sealed class PipeBlockPool : MemoryPool<byte>
{
    public const int BlockSize = 16 * 1024;

    /// <summary>Blocks kept while unused (16 MiB): what ~256 connections with a request in flight hold between them.</summary>
    public const int MaxKept = 1024;

    public static readonly PipeBlockPool Instance = new();

    private readonly ConcurrentQueue<Block> _free = new();
    private int _kept;

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks kept for reuse now.</summary>
    public int Kept => Volatile.Read(ref _kept);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        // A pipe asks for at most MaxBufferSize (larger requests it serves from its own arrays).
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _kept);
            block.Rented = true;
            return block;
        }
        return new Block(this) { Rented = true };
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _kept) > MaxKept)
        {
            Interlocked.Decrement(ref _kept);
            return;
        }
        _free.Enqueue(block);
    }

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Block(PipeBlockPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize);

        public bool Rented { get; set; }

        public Memory<byte> Memory => _array;

        public void Dispose()
        {
            // Once per rental: a second Dispose must not put the block in the queue twice.
            if (!Rented) return;
            Rented = false;
            pool.Return(this);
        }
    }
}
