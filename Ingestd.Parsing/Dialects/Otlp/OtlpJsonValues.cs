using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Ingestd.Parsing.Errors;

namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>
/// What every level of an OTLP JSON body reads alike: AnyValue and KeyValue (attributes), scalar members in the
/// proto3 JSON mapping, hex ids, strings, and the extents of nested values read again in a second pass.
/// Shared by <see cref="OtlpJsonParser"/> (resource, scope) and the per-signal types.
/// </summary>
internal static class OtlpJsonValues
{
    internal static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Disallow };

    // ---- AnyValue and KeyValue ----

    /// <summary>A KeyValue list as one plain JSON object member (key → value); nothing when absent or empty.</summary>
    internal static void WritePlainAttributes(Utf8JsonWriter w, ReadOnlySpan<byte> member, ReadOnlySpan<byte> doc, Extent list)
    {
        if (!list.IsSet) return;
        var sub = list.Of(doc);
        var r = Open(sub);
        bool started = false;
        while (Next(ref r) != JsonTokenType.EndArray)
        {
            if (!started) { w.WriteStartObject(member); started = true; }
            WritePlainKeyValue(ref r, sub, w, out _, out _);
        }
        if (started) w.WriteEndObject();
    }

    /// <summary>KeyValue <c>{"key":…,"value":AnyValue}</c> as a member <c>key: value</c>; the reader is on its StartObject.</summary>
    internal static void WritePlainKeyValue(ref Utf8JsonReader r, ReadOnlySpan<byte> doc, Utf8JsonWriter w, out Extent key, out Extent value)
    {
        if (r.TokenType != JsonTokenType.StartObject) OtlpRecordWriter.FailRecord("attributes must be key/value objects");
        key = default;
        value = default;
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("key"u8))
            {
                Next(ref r);
                key = CaptureString(ref r, "attribute key");
            }
            else if (r.ValueTextEquals("value"u8))
            {
                if (Next(ref r) == JsonTokenType.Null) continue;
                if (r.TokenType != JsonTokenType.StartObject) OtlpRecordWriter.FailRecord("attribute value must be an AnyValue object");
                value = Capture(ref r);
            }
            else
            {
                Next(ref r);
                r.Skip();
            }
        }
        if (key.IsSet)
        {
            var k = Open(key.Of(doc));
            WritePropertyName(ref k, w);
        }
        else w.WritePropertyName(""u8);
        if (value.IsSet)
        {
            var sub = value.Of(doc);
            var v = Open(sub);
            WritePlainAny(ref v, sub, w);
        }
        else w.WriteNullValue();
    }

    /// <summary>
    /// An AnyValue (<c>{"stringValue":…}</c>, <c>{"intValue":…}</c>, <c>{"arrayValue":{"values":[…]}}</c>, …) as plain JSON:
    /// string, bool, number, array, object (kvlist), base64 string (bytes), null (empty). The reader is on its first token.
    /// </summary>
    internal static void WritePlainAny(ref Utf8JsonReader r, ReadOnlySpan<byte> doc, Utf8JsonWriter w)
    {
        if (r.TokenType == JsonTokenType.Null) { w.WriteNullValue(); return; }
        if (r.TokenType != JsonTokenType.StartObject) OtlpRecordWriter.FailRecord("an AnyValue must be an object");
        bool written = false;
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            int kind = AnyKind(ref r);
            Next(ref r);
            if (kind == 0 || r.TokenType == JsonTokenType.Null)
            {
                r.Skip();
                continue;
            }
            if (written) OtlpRecordWriter.FailRecord("an AnyValue holds more than one value");
            written = true;
            switch (kind)
            {
                case 1 or 7: // stringValue, bytesValue (base64 text, kept as sent)
                    if (r.TokenType != JsonTokenType.String) OtlpRecordWriter.FailRecord(kind == 1 ? "stringValue must be a string" : "bytesValue must be a base64 string");
                    WriteStringValue(ref r, w);
                    break;
                case 2:
                    if (r.TokenType is not (JsonTokenType.True or JsonTokenType.False)) OtlpRecordWriter.FailRecord("boolValue must be true or false");
                    w.WriteBooleanValue(r.TokenType == JsonTokenType.True);
                    break;
                case 3:
                    if (!TryInt64(ref r, out long i)) OtlpRecordWriter.FailRecord("intValue must be a 64-bit integer");
                    w.WriteNumberValue(i);
                    break;
                case 4:
                    if (!TryDouble(ref r, out double d)) OtlpRecordWriter.FailRecord("doubleValue must be a number");
                    OtlpRecordWriter.WriteDoubleValue(w, d);
                    break;
                case 5 or 6: // arrayValue {"values":[AnyValue…]}, kvlistValue {"values":[KeyValue…]}
                    if (r.TokenType != JsonTokenType.StartObject) OtlpRecordWriter.FailRecord(kind == 5 ? "arrayValue must be an object" : "kvlistValue must be an object");
                    if (kind == 5) w.WriteStartArray();
                    else w.WriteStartObject();
                    while (Next(ref r) == JsonTokenType.PropertyName)
                    {
                        bool isValues = r.ValueTextEquals("values"u8);
                        Next(ref r);
                        if (!isValues || r.TokenType == JsonTokenType.Null) { r.Skip(); continue; }
                        if (r.TokenType != JsonTokenType.StartArray) OtlpRecordWriter.FailRecord("values must be an array");
                        while (Next(ref r) != JsonTokenType.EndArray)
                        {
                            if (kind == 5) WritePlainAny(ref r, doc, w);
                            else WritePlainKeyValue(ref r, doc, w, out _, out _);
                        }
                    }
                    if (kind == 5) w.WriteEndArray();
                    else w.WriteEndObject();
                    break;
            }
        }
        if (!written) w.WriteNullValue(); // an empty AnyValue
    }

    internal static int AnyKind(ref Utf8JsonReader r)
    {
        if (r.ValueTextEquals("stringValue"u8)) return 1;
        if (r.ValueTextEquals("boolValue"u8)) return 2;
        if (r.ValueTextEquals("intValue"u8)) return 3;
        if (r.ValueTextEquals("doubleValue"u8)) return 4;
        if (r.ValueTextEquals("arrayValue"u8)) return 5;
        if (r.ValueTextEquals("kvlistValue"u8)) return 6;
        if (r.ValueTextEquals("bytesValue"u8)) return 7;
        return 0;
    }

    // ---- scalar members (first pass: a wrong type notes the item's error and skips the value) ----

    internal static ulong UInt64Member(ref Utf8JsonReader r, string name, ref string? error)
    {
        if (TryUInt64(ref r, out ulong value)) return value;
        r.Skip();
        error ??= $"{name} must be an unsigned 64-bit integer";
        return 0;
    }

    internal static ulong UInt32Member(ref Utf8JsonReader r, string name, ref string? error)
    {
        if (TryUInt64(ref r, out ulong value) && value <= uint.MaxValue) return value;
        r.Skip();
        error ??= $"{name} must be an unsigned 32-bit integer";
        return 0;
    }

    internal static long Int32Member(ref Utf8JsonReader r, string name, ref string? error)
    {
        if (TryInt64(ref r, out long value) && value is >= int.MinValue and <= int.MaxValue) return value;
        r.Skip();
        error ??= $"{name} must be an integer";
        return 0;
    }

    /// <summary>A string member's extent (default when null); another type notes an error.</summary>
    internal static Extent StringMember(ref Utf8JsonReader r, string name, ref string? error)
    {
        if (r.TokenType == JsonTokenType.String) return Capture(ref r);
        if (r.TokenType != JsonTokenType.Null) error ??= $"{name} must be a string";
        r.Skip();
        return default;
    }

    internal static Extent ObjectMember(ref Utf8JsonReader r, string name, ref string? error)
    {
        if (r.TokenType == JsonTokenType.StartObject) return Capture(ref r);
        if (r.TokenType != JsonTokenType.Null) error ??= $"{name} must be an object";
        r.Skip();
        return default;
    }

    internal static Extent ArrayMember(ref Utf8JsonReader r, string name, ref string? error)
    {
        if (r.TokenType == JsonTokenType.StartArray) return Capture(ref r);
        if (r.TokenType != JsonTokenType.Null) error ??= $"{name} must be an array";
        r.Skip();
        return default;
    }

    internal static Extent CaptureString(ref Utf8JsonReader r, string name)
    {
        string? error = null;
        var extent = StringMember(ref r, name, ref error);
        if (error != null) OtlpRecordWriter.FailRecord(error);
        return extent;
    }

    internal static Extent CaptureArray(ref Utf8JsonReader r, string name)
    {
        string? error = null;
        var extent = ArrayMember(ref r, name, ref error);
        if (error != null) OtlpRecordWriter.FailRecord(error);
        return extent;
    }

    /// <summary>A 64-bit unsigned integer: a JSON number or a decimal string (proto3 JSON mapping); null is 0.</summary>
    internal static bool TryUInt64(ref Utf8JsonReader r, out ulong value)
    {
        value = 0;
        return r.TokenType switch
        {
            JsonTokenType.Number => r.TryGetUInt64(out value),
            JsonTokenType.String => !r.ValueIsEscaped && Utf8Parser.TryParse(r.ValueSpan, out value, out int used) && used == r.ValueSpan.Length,
            JsonTokenType.Null => true,
            _ => false,
        };
    }

    internal static bool TryInt64(ref Utf8JsonReader r, out long value)
    {
        value = 0;
        return r.TokenType switch
        {
            JsonTokenType.Number => r.TryGetInt64(out value),
            JsonTokenType.String => !r.ValueIsEscaped && Utf8Parser.TryParse(r.ValueSpan, out value, out int used) && used == r.ValueSpan.Length,
            JsonTokenType.Null => true,
            _ => false,
        };
    }

    /// <summary>A double: a JSON number, or "NaN", "Infinity", "-Infinity" or a numeric string (proto3 JSON mapping).</summary>
    internal static bool TryDouble(ref Utf8JsonReader r, out double value)
    {
        value = 0;
        if (r.TokenType == JsonTokenType.Number) return r.TryGetDouble(out value);
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) return false;
        var text = r.ValueSpan;
        if (text.SequenceEqual("NaN"u8)) value = double.NaN;
        else if (text.SequenceEqual("Infinity"u8)) value = double.PositiveInfinity;
        else if (text.SequenceEqual("-Infinity"u8)) value = double.NegativeInfinity;
        else return Utf8Parser.TryParse(text, out value, out int used) && used == text.Length && double.IsFinite(value);
        return true;
    }

    // ---- ids and strings ----

    /// <summary>Decodes a hex id into <paramref name="dest"/>; returns its length (0 when absent or ""). Wrong length or non-hex rejects the item.</summary>
    internal static int DecodeId(ReadOnlySpan<byte> doc, Extent extent, Span<byte> dest, string name)
    {
        if (!extent.IsSet) return 0;
        var r = Open(extent.Of(doc));
        var raw = r.ValueSpan;
        if (raw.IsEmpty) return 0;
        if (r.ValueIsEscaped)
        {
            if (raw.Length > 6 * 2 * dest.Length) OtlpRecordWriter.FailId(name, dest.Length);
            Span<byte> text = stackalloc byte[6 * 2 * 16];
            int n = r.CopyString(text);
            if (!OtlpRecordWriter.TryDecodeHex(text[..n], dest)) OtlpRecordWriter.FailId(name, dest.Length);
        }
        else if (!OtlpRecordWriter.TryDecodeHex(raw, dest)) OtlpRecordWriter.FailId(name, dest.Length);
        return dest.Length;
    }

    internal static bool IsEmptyString(Extent extent) => !extent.IsSet || extent.Length == 2;

    /// <summary>Writes a string member from its extent; nothing when absent or empty.</summary>
    internal static void WriteString(Utf8JsonWriter w, ReadOnlySpan<byte> name, ReadOnlySpan<byte> doc, Extent extent)
    {
        if (IsEmptyString(extent)) return;
        var r = Open(extent.Of(doc));
        w.WritePropertyName(name);
        WriteStringValue(ref r, w);
    }

    internal static void WriteStringValue(ref Utf8JsonReader r, Utf8JsonWriter w)
    {
        if (!r.ValueIsEscaped)
        {
            w.WriteStringValue(r.ValueSpan);
            return;
        }
        var text = Unescape(ref r, out byte[]? rented);
        w.WriteStringValue(text);
        if (rented != null) ArrayPool<byte>.Shared.Return(rented);
    }

    internal static void WritePropertyName(ref Utf8JsonReader r, Utf8JsonWriter w)
    {
        if (!r.ValueIsEscaped)
        {
            w.WritePropertyName(r.ValueSpan);
            return;
        }
        var text = Unescape(ref r, out byte[]? rented);
        w.WritePropertyName(text);
        if (rented != null) ArrayPool<byte>.Shared.Return(rented);
    }

    /// <summary>The current string or property name, unescaped; escaped values go to a pooled array the caller returns.</summary>
    internal static ReadOnlySpan<byte> Unescape(ref Utf8JsonReader r, out byte[]? rented)
    {
        rented = null;
        if (!r.ValueIsEscaped) return r.ValueSpan;
        // Unescaping never lengthens a JSON string.
        rented = ArrayPool<byte>.Shared.Rent(r.ValueSpan.Length);
        int n = r.CopyString(rented);
        return rented.AsSpan(0, n);
    }

    // ---- extents ----

    /// <summary>Where one complete JSON value lies in the document its reader runs over.</summary>
    internal readonly struct Extent(int start, int length)
    {
        public readonly int Start = start;
        public readonly int Length = length;
        public bool IsSet => Length > 0;
        public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> doc) => doc.Slice(Start, Length);
    }

    /// <summary>Notes the extent of the value at the reader and moves past it (validating its syntax).</summary>
    internal static Extent Capture(ref Utf8JsonReader r)
    {
        int start = (int)r.TokenStartIndex;
        switch (r.TokenType)
        {
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                r.Skip();
                return new Extent(start, (int)r.TokenStartIndex + 1 - start);
            case JsonTokenType.String:
                return new Extent(start, r.ValueSpan.Length + 2); // the raw text between quotes, escapes included
            default:
                return new Extent(start, r.ValueSpan.Length);
        }
    }

    /// <summary>A reader over a value noted by <see cref="Capture"/>, on its first token. The bytes were validated when noted.</summary>
    internal static Utf8JsonReader Open(ReadOnlySpan<byte> value)
    {
        var r = new Utf8JsonReader(value, Options);
        r.Read();
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        // With the whole body as the final block, Read only returns false after a complete root value.
        if (!reader.Read()) FailBody("unexpected end of the body");
        return reader.TokenType;
    }

    // ---- cold path ----

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void FailBody(string detail) => throw new RequestRejectedException(RejectReason.InvalidJson, detail);
}
