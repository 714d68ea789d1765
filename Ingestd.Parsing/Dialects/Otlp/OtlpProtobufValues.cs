using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;
using Ingestd.Parsing.Dialects.Protobuf;
using W = Ingestd.Parsing.Dialects.Protobuf.ProtoWireType;

namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>
/// What every level of an OTLP protobuf body reads alike: AnyValue and KeyValue (attributes, as plain JSON or in
/// OTLP JSON form) and checked string and bytes fields. Shared by <see cref="OtlpProtobufParser"/> (resource, scope)
/// and the per-signal types.
/// </summary>
internal static class OtlpProtobufValues
{
    /// <summary>Nesting limit for AnyValue arrays and key-value lists (the JSON reader's default depth).</summary>
    public const int MaxDepth = 64;

    internal static void WriteDouble(Utf8JsonWriter w, ReadOnlySpan<byte> name, double value)
    {
        w.WritePropertyName(name);
        OtlpRecordWriter.WriteDoubleValue(w, value);
    }

    // ---- AnyValue and KeyValue ----

    /// <summary>The KeyValues in <paramref name="wanted"/> as one plain JSON object member (key → value); nothing when there are none.</summary>
    internal static void WritePlainAttributes(ProtoReader message, int wanted, ReadOnlySpan<byte> member, Utf8JsonWriter w)
    {
        bool started = false;
        while (message.Next(out int field, out var wire))
        {
            if (field != wanted) { message.Skip(wire); continue; }
            message.Expect(wire, W.Len, field);
            if (!started) { w.WriteStartObject(member); started = true; }
            WritePlainKeyValue(message.ReadMessage(), w, 0, out _, out _);
        }
        if (started) w.WriteEndObject();
    }

    // KeyValue { string key = 1; AnyValue value = 2; }
    internal static void WritePlainKeyValue(ProtoReader kv, Utf8JsonWriter w, int depth, out ReadOnlySpan<byte> key, out ProtoReader value)
    {
        key = default;
        value = default;
        bool hasValue = false;
        while (kv.Next(out int field, out var wire))
        {
            if (field == 1) key = ReadString(ref kv, wire, field);
            else if (field == 2) { kv.Expect(wire, W.Len, field); value = kv.ReadMessage(); hasValue = true; }
            else kv.Skip(wire);
        }
        w.WritePropertyName(key);
        if (hasValue) WritePlainAny(value, w, depth);
        else w.WriteNullValue();
    }

    // AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    //   ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
    // ArrayValue { repeated AnyValue values = 1; }  KeyValueList { repeated KeyValue values = 1; }
    /// <summary>An AnyValue as plain JSON: string, bool, number, array, object (kvlist), base64 string (bytes), null (empty).</summary>
    internal static void WritePlainAny(ProtoReader any, Utf8JsonWriter w, int depth)
    {
        if (depth >= MaxDepth) ProtoReader.Fail(any.Position, $"AnyValue nested deeper than {MaxDepth}");
        int kind = ReadAny(ref any, out ulong scalar, out ReadOnlySpan<byte> bytes, out ProtoReader nested);
        switch (kind)
        {
            case 1: w.WriteStringValue(bytes); break;
            case 2: w.WriteBooleanValue(scalar != 0); break;
            case 3: w.WriteNumberValue((long)scalar); break;
            case 4: OtlpRecordWriter.WriteDoubleValue(w, BitConverter.Int64BitsToDouble((long)scalar)); break;
            case 5:
                w.WriteStartArray();
                while (nested.Next(out int field, out var wire))
                {
                    if (field != 1) { nested.Skip(wire); continue; }
                    nested.Expect(wire, W.Len, field);
                    WritePlainAny(nested.ReadMessage(), w, depth + 1);
                }
                w.WriteEndArray();
                break;
            case 6:
                w.WriteStartObject();
                while (nested.Next(out int field, out var wire))
                {
                    if (field != 1) { nested.Skip(wire); continue; }
                    nested.Expect(wire, W.Len, field);
                    WritePlainKeyValue(nested.ReadMessage(), w, depth + 1, out _, out _);
                }
                w.WriteEndObject();
                break;
            case 7: w.WriteBase64StringValue(bytes); break;
            default: w.WriteNullValue(); break;
        }
    }

    /// <summary>KeyValues as an OTLP JSON list member: <c>[{"key":…,"value":{"stringValue":…}}]</c>; nothing when there are none.</summary>
    internal static void WriteOtlpAttributes(ProtoReader message, int wanted, ReadOnlySpan<byte> member, Utf8JsonWriter w)
    {
        bool started = false;
        while (message.Next(out int field, out var wire))
        {
            if (field != wanted) { message.Skip(wire); continue; }
            message.Expect(wire, W.Len, field);
            if (!started) { w.WriteStartArray(member); started = true; }
            WriteOtlpKeyValue(message.ReadMessage(), w, 0);
        }
        if (started) w.WriteEndArray();
    }

    internal static void WriteOtlpKeyValue(ProtoReader kv, Utf8JsonWriter w, int depth)
    {
        ReadOnlySpan<byte> key = default;
        ProtoReader value = default;
        bool hasValue = false;
        while (kv.Next(out int field, out var wire))
        {
            if (field == 1) key = ReadString(ref kv, wire, field);
            else if (field == 2) { kv.Expect(wire, W.Len, field); value = kv.ReadMessage(); hasValue = true; }
            else kv.Skip(wire);
        }
        w.WriteStartObject();
        w.WriteString("key"u8, key);
        if (hasValue)
        {
            w.WritePropertyName("value"u8);
            WriteOtlpAny(value, w, depth);
        }
        w.WriteEndObject();
    }

    /// <summary>An AnyValue in OTLP JSON form: <c>{"stringValue":…}</c>, <c>{"intValue":"…"}</c>, <c>{"arrayValue":{"values":[…]}}</c>, ….</summary>
    internal static void WriteOtlpAny(ProtoReader any, Utf8JsonWriter w, int depth)
    {
        if (depth >= MaxDepth) ProtoReader.Fail(any.Position, $"AnyValue nested deeper than {MaxDepth}");
        int kind = ReadAny(ref any, out ulong scalar, out ReadOnlySpan<byte> bytes, out ProtoReader nested);
        w.WriteStartObject();
        switch (kind)
        {
            case 1: w.WriteString("stringValue"u8, bytes); break;
            case 2: w.WriteBoolean("boolValue"u8, scalar != 0); break;
            case 3: OtlpRecordWriter.WriteInt64String(w, "intValue"u8, (long)scalar); break;
            case 4: WriteDouble(w, "doubleValue"u8, BitConverter.Int64BitsToDouble((long)scalar)); break;
            case 5 or 6:
                w.WriteStartObject(kind == 5 ? "arrayValue"u8 : "kvlistValue"u8);
                bool started = false;
                while (nested.Next(out int field, out var wire))
                {
                    if (field != 1) { nested.Skip(wire); continue; }
                    nested.Expect(wire, W.Len, field);
                    if (!started) { w.WriteStartArray("values"u8); started = true; }
                    if (kind == 5) WriteOtlpAny(nested.ReadMessage(), w, depth + 1);
                    else WriteOtlpKeyValue(nested.ReadMessage(), w, depth + 1);
                }
                if (started) w.WriteEndArray();
                w.WriteEndObject();
                break;
            case 7: w.WriteBase64String("bytesValue"u8, bytes); break;
        }
        w.WriteEndObject();
    }

    /// <summary>Reads an AnyValue's oneof (the last member on the wire wins); returns its field number, 0 when empty.</summary>
    internal static int ReadAny(scoped ref ProtoReader any, out ulong scalar, out ReadOnlySpan<byte> bytes, out ProtoReader nested)
    {
        int kind = 0;
        scalar = 0;
        bytes = default;
        nested = default;
        while (any.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: bytes = ReadString(ref any, wire, field); kind = 1; break;
                case 2 or 3: any.Expect(wire, W.Varint, field); scalar = any.ReadVarint(); kind = field; break;
                case 4: any.Expect(wire, W.Fixed64, field); scalar = any.ReadFixed64(); kind = 4; break;
                case 5 or 6: any.Expect(wire, W.Len, field); nested = any.ReadMessage(); kind = field; break;
                case 7: bytes = ReadBytes(ref any, wire, field); kind = 7; break;
                default: any.Skip(wire); break;
            }
        }
        return kind;
    }

    internal static bool TryGetString(ProtoReader any, out ReadOnlySpan<byte> value)
    {
        int kind = ReadAny(ref any, out _, out value, out _);
        return kind == 1;
    }

    // ---- field helpers ----

    internal static ReadOnlySpan<byte> ReadBytes(scoped ref ProtoReader reader, ProtoWireType wire, int field)
    {
        reader.Expect(wire, W.Len, field);
        return reader.ReadBytes();
    }

    /// <summary>A proto3 string field: must be valid UTF-8 (protobuf language guide, "Scalar Value Types").</summary>
    internal static ReadOnlySpan<byte> ReadString(scoped ref ProtoReader reader, ProtoWireType wire, int field)
    {
        reader.Expect(wire, W.Len, field);
        int at = reader.Position;
        var value = reader.ReadBytes();
        if (!Utf8.IsValid(value)) FailUtf8(at, field);
        return value;
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void FailUtf8(int at, int field) => ProtoReader.Fail(at, $"string field {field} is not valid UTF-8");
}
