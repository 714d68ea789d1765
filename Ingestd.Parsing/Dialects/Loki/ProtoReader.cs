using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Ingestd.Parsing.Dialects.Loki;

/// <summary>The protobuf wire types (protobuf.dev, "Encoding", message structure).</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    Len = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>
/// A forward-only reader of the protobuf wire format over one span. Every length is checked
/// against the bytes left in its own message, so a malformed body fails with
/// <see cref="RejectReason.InvalidEncodedBody"/> and never reads outside the span. Copying the
/// struct makes an independent cursor (used to read a message twice).
/// </summary>
internal ref struct ProtoReader
{
    // Field numbers are 29 bits (protobuf.dev, "Language Guide (proto 3)", assigning field numbers).
    private const ulong MaxFieldNumber = (1u << 29) - 1;

    private readonly ReadOnlySpan<byte> _buffer;
    private readonly int _origin; // offset of _buffer[0] in the whole message, for error messages
    private int _pos;

    public ProtoReader(ReadOnlySpan<byte> buffer) : this(buffer, 0) { }

    private ProtoReader(ReadOnlySpan<byte> buffer, int origin)
    {
        _buffer = buffer;
        _origin = origin;
        _pos = 0;
    }

    /// <summary>Offset of the next byte in the outermost message.</summary>
    public readonly int Position => _origin + _pos;

    /// <summary>Reads the next field's tag; false at the end of the message.</summary>
    public bool TryReadTag(out int field, out WireType wireType)
    {
        if (_pos >= _buffer.Length)
        {
            field = 0;
            wireType = default;
            return false;
        }
        int at = _pos;
        ulong tag = ReadVarint();
        ulong number = tag >> 3;
        if (number == 0 || number > MaxFieldNumber) throw Malformed(at, "invalid field number");
        field = (int)number;
        wireType = (WireType)(tag & 7);
        return true;
    }

    public ulong ReadVarint()
    {
        int start = _pos;
        ulong result = 0;
        // At most 10 bytes; the 10th may only carry the 64th bit.
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= _buffer.Length) throw Malformed(start, "truncated varint");
            byte b = _buffer[_pos++];
            if (shift == 63 && b > 1) break;
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw Malformed(start, "varint longer than 64 bits");
    }

    public ulong ReadFixed64()
    {
        if (_buffer.Length - _pos < 8) throw Malformed(_pos, "truncated fixed64");
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer[_pos..]);
        _pos += 8;
        return value;
    }

    public uint ReadFixed32()
    {
        if (_buffer.Length - _pos < 4) throw Malformed(_pos, "truncated fixed32");
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[_pos..]);
        _pos += 4;
        return value;
    }

    /// <summary>Reads a length-delimited field's payload (string, bytes or embedded message).</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        int at = _pos;
        ulong length = ReadVarint();
        if (length > (ulong)(_buffer.Length - _pos)) throw Malformed(at, "length-delimited field runs past the end of its message");
        var bytes = _buffer.Slice(_pos, (int)length);
        _pos += (int)length;
        return bytes;
    }

    /// <summary>Reads a length-delimited field as an embedded message.</summary>
    public ProtoReader ReadMessage()
    {
        int at = _pos;
        ulong length = ReadVarint();
        if (length > (ulong)(_buffer.Length - _pos)) throw Malformed(at, "length-delimited field runs past the end of its message");
        var message = new ProtoReader(_buffer.Slice(_pos, (int)length), _origin + _pos);
        _pos += (int)length;
        return message;
    }

    /// <summary>Skips the value of a field this reader does not know.</summary>
    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: ReadFixed64(); break;
            case WireType.Len: ReadBytes(); break;
            case WireType.Fixed32: ReadFixed32(); break;
            // Groups are proto2-only and deprecated; Loki's messages have none.
            default: throw Malformed(_pos, $"unsupported wire type {(int)wireType}");
        }
    }

    /// <summary>Refuses a known field sent with another wire type than its declared type's.</summary>
    public readonly void Expect(int field, WireType actual, WireType expected)
    {
        if (actual != expected) ThrowWrongWireType(Position, field, actual, expected);
    }

    // ---- cold path ----

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly RequestRejectedException Malformed(int at, string problem)
        => new(RejectReason.InvalidEncodedBody, $"invalid protobuf at byte {_origin + at}: {problem}");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowWrongWireType(int at, int field, WireType actual, WireType expected)
        => throw new RequestRejectedException(RejectReason.InvalidEncodedBody,
            $"invalid protobuf at byte {at}: field {field} has wire type {(int)actual}, expected {(int)expected}");
}
