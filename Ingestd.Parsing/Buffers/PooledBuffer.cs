using System.Buffers;

namespace Ingestd.Parsing.Buffers;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}"/> with a hard cap.
/// One instance lives per connection and is reset between requests, so a request
/// costs no allocation once the buffer has grown to the working size.
/// </summary>
internal sealed class PooledBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _array;
    private int _written;
    private readonly LargeBufferPool? _pool;

    public PooledBuffer(int initialCapacity = 4096)
    {
        _array = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));
    }

    /// <summary>A buffer that takes its array from <paramref name="pool"/> on first write and gives it back on <see cref="Release"/>.</summary>
    public PooledBuffer(LargeBufferPool pool)
    {
        _pool = pool;
        _array = Array.Empty<byte>();
    }

    /// <summary>Empties the buffer and, for a pool-backed one, hands its array back to the pool.</summary>
    public void Release()
    {
        _written = 0;
        if (_pool is null || _array.Length == 0) return;
        _pool.Return(_array);
        _array = Array.Empty<byte>();
    }

    /// <summary>Bytes beyond this make <see cref="GetSpan"/> or <see cref="Advance"/> throw <see cref="BufferLimitExceededException"/>.</summary>
    public long Cap { get; set; } = int.MaxValue;

    public int Length => _written;
    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _written);
    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _written);

    /// <summary>The array the written bytes start (valid until the buffer next grows, is released or swapped).</summary>
    public byte[] WrittenArray => _array;
    public int Capacity => _array.Length;

    public void Reset() => _written = 0;

    /// <summary>Drops bytes written after <paramref name="length"/> (used to roll back a partly written record).</summary>
    public void Truncate(int length)
    {
        if ((uint)length > (uint)_written) throw new ArgumentOutOfRangeException(nameof(length));
        _written = length;
    }

    public void Advance(int count)
    {
        if (count < 0 || _written + count > _array.Length) throw new ArgumentOutOfRangeException(nameof(count));
        if (_written + (long)count > Cap) throw new BufferLimitExceededException(Cap, _written + (long)count);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_written);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _written += bytes.Length;
    }

    /// <summary>Exchanges arrays and written lengths with <paramref name="other"/>, which must take its arrays from the same pool.</summary>
    public void SwapWith(PooledBuffer other)
    {
        if (!ReferenceEquals(_pool, other._pool)) throw new InvalidOperationException("buffers of different pools cannot swap arrays");
        (_array, other._array) = (other._array, _array);
        (_written, other._written) = (other._written, _written);
    }

    /// <summary>Shrinks back to a modest array after an unusually large request so idle connections hold little memory.</summary>
    public void TrimTo(int maxRetained)
    {
        if (_pool is not null || _array.Length <= maxRetained || _written > 0) return;
        ArrayPool<byte>.Shared.Return(_array);
        _array = ArrayPool<byte>.Shared.Rent(Math.Min(maxRetained, 4096));
    }

    // Near the cap the span handed out may be shorter than sizeHint: callers write what fits.
    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1) sizeHint = 1;
        if (_array.Length - _written >= sizeHint) return;
        Grow(sizeHint);
    }

    private void Grow(int sizeHint)
    {
        long needed = (long)_written + sizeHint;
        if (needed > Cap)
        {
            // Still allow filling right up to the cap; only refuse bytes beyond it.
            if (_written >= Cap) throw new BufferLimitExceededException(Cap, needed);
            needed = Cap;
        }
        long newSize = Math.Max(needed, Math.Min((long)_array.Length * 2, Math.Max(Cap, needed)));
        if (newSize > Array.MaxLength) newSize = Array.MaxLength;
        var next = _pool is not null ? _pool.Rent((int)newSize) : ArrayPool<byte>.Shared.Rent((int)newSize);
        _array.AsSpan(0, _written).CopyTo(next);
        ReturnArray(_array);
        _array = next;
    }

    private void ReturnArray(byte[] array)
    {
        if (array.Length == 0) return;
        if (_pool is not null) _pool.Return(array);
        else ArrayPool<byte>.Shared.Return(array);
    }

    public void Dispose()
    {
        var a = _array;
        _array = Array.Empty<byte>();
        _written = 0;
        ReturnArray(a);
    }
}
