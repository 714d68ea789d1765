using System.Buffers.Binary;

namespace Ingestd.Bench.Micro;

/// <summary>
/// A minimal protobuf encoder for building benchmark bodies (OTLP, Loki push): fields are written
/// in call order; nested messages are built in their own writer and added with <see cref="Message"/>.
/// Set-up only, so it favours brevity over speed.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _bytes = new();

    public ProtoWriter Varint(int field, ulong value) => Tag(field, 0).RawVarint(value);

    public ProtoWriter Fixed64(int field, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        Tag(field, 1)._bytes.Write(b);
        return this;
    }

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2).RawVarint((ulong)value.Length)._bytes.Write(value);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, System.Text.Encoding.UTF8.GetBytes(value));

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    public byte[] ToArray() => _bytes.ToArray();

    private ProtoWriter Tag(int field, int wireType) => RawVarint((ulong)field << 3 | (uint)wireType);

    private ProtoWriter RawVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _bytes.WriteByte((byte)value);
        return this;
    }
}
