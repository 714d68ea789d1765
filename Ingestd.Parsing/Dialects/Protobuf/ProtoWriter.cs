using System.Buffers;
using System.Buffers.Binary;

namespace Ingestd.Parsing.Dialects.Protobuf;

/// <summary>
/// The one writer of the protobuf wire format (the Loki push and OTLP logs encoders of the outputs): tags, varints,
/// fixed64 and length-delimited fields, and embedded messages whose length is filled in when they end (one byte is
/// reserved and the body moved only if its length needs more, so the encoding stays canonical). Reused from request to
/// request on a pooled array: a warm encode allocates nothing.
/// </summary>
internal sealed class ProtoWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public ProtoWriter(int initialCapacity = 64 * 1024) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);
    public int Length => _length;

    public void Reset() => _length = 0;

    public void Varint(int field, ulong value)
    {
        Tag(field, ProtoWireType.Varint);
        RawVarint(value);
    }

    public void Fixed64(int field, ulong value)
    {
        Tag(field, ProtoWireType.Fixed64);
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>A length-delimited field (string, bytes) holding <paramref name="value"/>.</summary>
    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, ProtoWireType.Len);
        RawVarint((ulong)value.Length);
        Raw(value);
    }

    /// <summary>Appends bytes as they are (a body inside <see cref="Begin"/> … <see cref="End"/>).</summary>
    public void Raw(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>Starts an embedded message (or any length-delimited field written piecewise); returns the mark for <see cref="End"/>.</summary>
    public int Begin(int field)
    {
        Tag(field, ProtoWireType.Len);
        Ensure(1);
        _buffer[_length++] = 0;
        return _length;
    }

    /// <summary>Ends what <see cref="Begin"/> started: writes its length before it.</summary>
    public void End(int mark)
    {
        int bodyLength = _length - mark;
        int size = VarintSize((ulong)bodyLength);
        if (size > 1)
        {
            Ensure(size - 1);
            _buffer.AsSpan(mark, bodyLength).CopyTo(_buffer.AsSpan(mark + size - 1));
            _length += size - 1;
        }
        WriteVarint(_buffer.AsSpan(mark - 1), (ulong)bodyLength);
    }

    private void Tag(int field, ProtoWireType wire) => RawVarint((ulong)field << 3 | (byte)wire);

    private void RawVarint(ulong value)
    {
        Ensure(10);
        _length += WriteVarint(_buffer.AsSpan(_length), value);
    }

    public static int VarintSize(ulong value)
    {
        int n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    /// <summary>Writes <paramref name="value"/> as a base-128 varint; returns its length.</summary>
    public static int WriteVarint(Span<byte> dest, ulong value)
    {
        int n = 0;
        while (value >= 0x80)
        {
            dest[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        dest[n++] = (byte)value;
        return n;
    }

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _length = 0;
    }
}
