using System.Buffers;
using System.Text.Unicode;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// The <c>json</c> parse format's check of the common case without <see cref="System.Text.Json.Utf8JsonReader"/>: a
/// scan by RFC 8259's grammar that says "one valid JSON value, here" only when it is sure, and otherwise hands the text
/// to the reader, which decides (and words the error). It is sure for text with no <c>\u</c> escape, containers nested
/// at most 32 deep and valid UTF-8 — what the reader (no comments, no trailing commas, depth 64) accepts as it is. A
/// message holding JSON is a few long strings and a handful of tokens, where the reader's per-token work cost more than
/// the rest of parsing it.
/// </summary>
internal static class JsonValueScan
{
    private const int MaxDepth = 32;

    // What ends a stretch of plain string content: the closing quote, an escape, a control byte (not allowed as it stands).
    private static readonly SearchValues<byte> StringStops = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f"u8);

    /// <summary>Name bytes of a <see cref="TryScan(ReadOnlySpan{byte}, out int, out int, out bool)"/> "simple" value.</summary>
    public static readonly SearchValues<byte> SimpleNameBytes =
        SearchValues.Create("-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>True when <paramref name="text"/> is surely one JSON value (with whitespace around it) at [start, end).</summary>
    public static bool TryScan(ReadOnlySpan<byte> text, out int start, out int end) => TryScan(text, out start, out end, out _);

    /// <summary>
    /// <see cref="TryScan(ReadOnlySpan{byte}, out int, out int)"/>, also saying whether the value is simple: no whitespace
    /// between its tokens, printable ASCII without escapes, and names of letters, digits, <c>_</c>, <c>-</c> and <c>.</c>
    /// only (<see cref="SimpleNameBytes"/>) — text the event writer writes as it stands, learnt here on the way.
    /// </summary>
    public static bool TryScan(ReadOnlySpan<byte> text, out int start, out int end, out bool simple)
    {
        start = end = 0;
        int odd = text.IndexOfAnyExceptInRange((byte)0, (byte)0x7e);
        simple = odd < 0;
        if (odd >= 0 && text[odd..].IndexOfAnyExceptInRange((byte)0, (byte)0x7f) >= 0 && !Utf8.IsValid(text)) return false;
        int i = Space(text, 0);
        if (i >= text.Length) return false;
        start = i;
        ulong objects = 0; // bit d: the container at depth d+1 is an object
        int depth = 0;
        while (true)
        {
            // A value starts at i.
            if (i >= text.Length) return false;
            switch (text[i])
            {
                case (byte)'{':
                case (byte)'[':
                    if (depth == MaxDepth) return false;
                    bool isObject = text[i] == '{';
                    objects = isObject ? objects | 1UL << depth : objects & ~(1UL << depth);
                    depth++;
                    i = Space(text, i + 1, ref simple);
                    if (i < text.Length && text[i] == (isObject ? (byte)'}' : (byte)']'))
                    {
                        depth--;
                        i++;
                        break;
                    }
                    if (isObject && (i = Member(text, i, ref simple)) < 0) return false;
                    continue;
                case (byte)'"':
                    if ((i = StringEnd(text, i, ref simple)) < 0) return false;
                    break;
                case (byte)'t':
                    if (!text[i..].StartsWith("true"u8)) return false;
                    i += 4;
                    break;
                case (byte)'f':
                    if (!text[i..].StartsWith("false"u8)) return false;
                    i += 5;
                    break;
                case (byte)'n':
                    if (!text[i..].StartsWith("null"u8)) return false;
                    i += 4;
                    break;
                default:
                    if ((i = NumberEnd(text, i)) < 0) return false;
                    break;
            }
            // After a value: the next member or element, or the end of containers, or the end of the text.
            while (true)
            {
                if (depth == 0)
                {
                    end = i;
                    return Space(text, i) == text.Length;
                }
                i = Space(text, i, ref simple);
                if (i >= text.Length) return false;
                bool inObject = (objects >> (depth - 1) & 1) != 0;
                byte c = text[i];
                if (c == ',')
                {
                    i = Space(text, i + 1, ref simple);
                    if (inObject && (i = Member(text, i, ref simple)) < 0) return false;
                    break;
                }
                if (c != (inObject ? (byte)'}' : (byte)']')) return false;
                depth--;
                i++;
            }
        }
    }

    // A member's name and colon from i; where its value starts (-1: not one).
    private static int Member(ReadOnlySpan<byte> text, int i, ref bool simple)
    {
        int open = i;
        if (i >= text.Length || text[i] != '"' || (i = StringEnd(text, i, ref simple)) < 0) return -1;
        if (simple && text[(open + 1)..(i - 1)].IndexOfAnyExcept(SimpleNameBytes) >= 0) simple = false;
        i = Space(text, i, ref simple);
        if (i >= text.Length || text[i] != ':') return -1;
        return Space(text, i + 1, ref simple);
    }

    // Just after the string whose opening quote is at i (-1: not one this scan is sure of). An escape makes the value not simple.
    private static int StringEnd(ReadOnlySpan<byte> text, int i, ref bool simple)
    {
        i++;
        while (true)
        {
            int stop = text[i..].IndexOfAny(StringStops);
            if (stop < 0) return -1;
            i += stop;
            byte c = text[i];
            if (c == '"') return i + 1;
            if (c != '\\' || i + 1 >= text.Length) return -1;
            simple = false;
            switch (text[i + 1])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    i += 2;
                    continue;
                default:
                    // \u (surrogates are the reader's to judge) and anything else.
                    return -1;
            }
        }
    }

    // Just after the number starting at i: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? (-1: not one).
    private static int NumberEnd(ReadOnlySpan<byte> text, int i)
    {
        if (i < text.Length && text[i] == '-') i++;
        if (i >= text.Length || !IsDigit(text[i])) return -1;
        if (text[i] == '0') i++;
        else i = Digits(text, i);
        if (i < text.Length && text[i] == '.')
        {
            int from = i + 1;
            i = Digits(text, from);
            if (i == from) return -1;
        }
        if (i < text.Length && (text[i] | 0x20) == 'e')
        {
            i++;
            if (i < text.Length && text[i] is (byte)'+' or (byte)'-') i++;
            int from = i;
            i = Digits(text, from);
            if (i == from) return -1;
        }
        return i;
    }

    private static int Digits(ReadOnlySpan<byte> text, int i)
    {
        while (i < text.Length && IsDigit(text[i])) i++;
        return i;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static int Space(ReadOnlySpan<byte> text, int i)
    {
        while (i < text.Length && text[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') i++;
        return i;
    }

    // Space inside the value makes it not simple.
    private static int Space(ReadOnlySpan<byte> text, int i, ref bool simple)
    {
        int after = Space(text, i);
        if (after != i) simple = false;
        return after;
    }
}
