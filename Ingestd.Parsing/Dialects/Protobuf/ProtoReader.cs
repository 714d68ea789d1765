using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Ingestd.Parsing.Errors;

namespace Ingestd.Parsing.Dialects.Protobuf;

/// <summary>
/// The one reader of the protobuf wire format (Loki push, OTLP) over one message's bytes: tags, varints, fixed32/64 and
/// length-delimited fields, with unknown fields skipped. Every read is bounds-checked; malformed input
/// throws <see cref="RequestRejectedException"/> with <see cref="RejectReason.InvalidEncodedBody"/>,
/// naming the byte offset in the whole body.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _base; // offset of _data in the request body, for error messages
    private int _pos;

    public ProtoReader(ReadOnlySpan<byte> data, int baseOffset = 0)
    {
        _data = data;
        _base = baseOffset;
        _pos = 0;
    }

    /// <summary>True while unread bytes remain (used for packed repeated fields).</summary>
    public readonly bool HasMore => _pos < _data.Length;

    /// <summary>Offset of the next unread byte in the request body.</summary>
    public readonly int Position => _base + _pos;

    /// <summary>Reads the next field's tag; false at the end of the message.</summary>
    public bool Next(out int field, out ProtoWireType wire)
    {
        if (_pos >= _data.Length)
        {
            field = 0;
            wire = default;
            return false;
        }
        int at = Position;
        ulong tag = ReadVarint();
        ulong number = tag >> 3;
        // Field numbers are 1 .. 2^29-1 (protobuf language guide, "Assigning Field Numbers").
        if (number == 0 || number > 0x1FFF_FFFF) Fail(at, "invalid field number");
        uint type = (uint)(tag & 7);
        if (type is not (0 or 1 or 2 or 5)) Fail(at, $"unsupported wire type {type}");
        field = (int)number;
        wire = (ProtoWireType)type;
        return true;
    }

    /// <summary>A base-128 varint of at most 10 bytes (protobuf encoding guide, "Base 128 Varints").</summary>
    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0, i = 0; i < 10; i++, shift += 7)
        {
            if (_pos >= _data.Length) Fail(Position, "truncated varint");
            byte b = _data[_pos++];
            if (i == 9 && b > 1) Fail(Position - 1, "varint longer than 64 bits");
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        Fail(Position, "varint longer than 10 bytes");
        return 0;
    }

    public ulong ReadFixed64()
    {
        if (_data.Length - _pos < 8) Fail(Position, "truncated fixed64");
        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(_data[_pos..]);
        _pos += 8;
        return v;
    }

    public uint ReadFixed32()
    {
        if (_data.Length - _pos < 4) Fail(Position, "truncated fixed32");
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(_data[_pos..]);
        _pos += 4;
        return v;
    }

    public double ReadDouble() => BitConverter.Int64BitsToDouble((long)ReadFixed64());

    /// <summary>The payload of a length-delimited field.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        int at = Position;
        ulong length = ReadVarint();
        if (length > (ulong)(_data.Length - _pos)) Fail(at, "length-delimited field runs past the end of its message");
        var span = _data.Slice(_pos, (int)length);
        _pos += (int)length;
        return span;
    }

    /// <summary>A reader over an embedded message (a length-delimited field).</summary>
    public ProtoReader ReadMessage()
    {
        var bytes = ReadBytes();
        return new ProtoReader(bytes, Position - bytes.Length);
    }

    public void Skip(ProtoWireType wire)
    {
        switch (wire)
        {
            case ProtoWireType.Varint: ReadVarint(); break;
            case ProtoWireType.Fixed64: ReadFixed64(); break;
            case ProtoWireType.Fixed32: ReadFixed32(); break;
            default: ReadBytes(); break;
        }
    }

    /// <summary>Checks that a known field arrived with the wire type its .proto declares.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void Expect(ProtoWireType wire, ProtoWireType expected, int field)
    {
        if (wire != expected) FailWire(field, wire, expected);
    }

    /// <summary>Decodes a zigzag-encoded sint32/sint64 value.</summary>
    public static long ZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void FailWire(int field, ProtoWireType wire, ProtoWireType expected)
        => Fail(Position, $"field {field} has wire type {(int)wire}, expected {(int)expected}");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void Fail(int at, string problem)
        => throw new RequestRejectedException(RejectReason.InvalidEncodedBody, $"invalid protobuf at byte {at}: {problem}");
}
