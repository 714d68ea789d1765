using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// A forward tokenizer over JSON that was already validated, for the processing pipeline's rewrite passes: it gives the
/// tokens, positions and values <see cref="Utf8JsonReader"/> (comments skipped) gives for the same valid text, without
/// checking again what the dialect parser (or <c>ingestd pipeline test</c>, which validates each line first) checked:
/// string contents (escapes, control characters, UTF-8) and number syntax. Structure is still followed exactly (member
/// names, colons, commas, brackets of the right kind, literals, the depth limit), and text that breaks it — the end of
/// the input inside a value, a byte where no token can start — throws <see cref="JsonException"/> as the reader would,
/// so a broken event is still left as it came. It never reads outside the text and every call moves forward.
/// </summary>
internal ref struct TrustedJsonReader
{
    private readonly ReadOnlySpan<byte> _json;
    private readonly int _maxDepth;
    private int _consumed;
    private int _tokenStart;
    private int _valueStart;
    private int _valueLength;
    private int _depth;
    private JsonTokenType _type;
    private bool _escaped;
    private bool _rareEscape;
    // Bit d-1 set: the container at depth d is an object.
    private Containers _objects;

    [InlineArray(4)]
    private struct Containers
    {
        private ulong _bits;
    }

    /// <param name="maxDepth">At most 256 (the containers are tracked in 256 bits).</param>
    public TrustedJsonReader(ReadOnlySpan<byte> json, int maxDepth = 256)
    {
        if (maxDepth is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(maxDepth));
        _json = json;
        _maxDepth = maxDepth;
    }

    public readonly JsonTokenType TokenType => _type;

    /// <summary>The token's text: a string's or name's content between its quotes (as written), a number or literal, or the bracket.</summary>
    public readonly ReadOnlySpan<byte> ValueSpan => _json.Slice(_valueStart, _valueLength);

    /// <summary>Whether the string or name holds a backslash.</summary>
    public readonly bool ValueIsEscaped => _escaped;

    /// <summary>
    /// Whether the string or name holds a <c>\u</c> or <c>\/</c> escape: the ones the event writer never writes (noted
    /// while finding the string's end, so nothing needs to search for them later).
    /// </summary>
    public readonly bool ValueHasRareEscape => _rareEscape;

    /// <summary>Where the token starts (a string's or name's opening quote).</summary>
    public readonly int TokenStartIndex => _tokenStart;

    /// <summary>Bytes read so far: just after the token (after the colon for a name).</summary>
    public readonly int BytesConsumed => _consumed;

    /// <summary>As the framework reader counts it: a container's start and end tokens are at the depth of the container's parent's members.</summary>
    public readonly int CurrentDepth => _type is JsonTokenType.StartObject or JsonTokenType.StartArray ? _depth - 1 : _depth;

    public bool Read()
    {
        var json = _json;
        int i = SkipSpace(json, _consumed);
        if (i >= json.Length)
        {
            if (_depth > 0 || _type == JsonTokenType.None) throw Broken("the text ends inside a value");
            return false;
        }
        byte c = json[i];
        switch (_type)
        {
            case JsonTokenType.None:
                return ReadValue(json, i, c);
            case JsonTokenType.StartObject:
                if (c == '}') return Close(i, JsonTokenType.EndObject);
                return ReadName(json, i, c);
            case JsonTokenType.StartArray:
                if (c == ']') return Close(i, JsonTokenType.EndArray);
                return ReadValue(json, i, c);
            case JsonTokenType.PropertyName:
                return ReadValue(json, i, c);
            default:
                // After a value: a comma and the next member or element, or the container's end.
                if (_depth == 0) throw Broken("text after the JSON value");
                bool inObject = InObject;
                if (c == '}' && inObject) return Close(i, JsonTokenType.EndObject);
                if (c == ']' && !inObject) return Close(i, JsonTokenType.EndArray);
                if (c != ',') throw Broken("expected a comma or the end of the container");
                i = SkipSpace(json, i + 1);
                if (i >= json.Length) throw Broken("the text ends inside a value");
                c = json[i];
                return inObject ? ReadName(json, i, c) : ReadValue(json, i, c);
        }
    }

    /// <summary>
    /// <see cref="Read"/> on a member name whose value is wanted unescaped (a parse step's field): a string value is
    /// unescaped into <paramref name="into"/> (emptied first) in the same pass that finds its end, and the result is
    /// true. False when it was not (not a string, an escape this pass leaves to <see cref="CopyString"/> such as
    /// <c>\u</c>, or longer than <paramref name="limit"/>): the reader has then simply read the value.
    /// </summary>
    public bool ReadUnescaping(ArrayBufferWriter<byte> into, int limit)
    {
        into.ResetWrittenCount();
        var json = _json;
        if (_type == JsonTokenType.PropertyName)
        {
            int i = SkipSpace(json, _consumed);
            if (i < json.Length && json[i] == '"')
            {
                int room = Math.Min(json.Length - i, limit);
                var dest = into.GetSpan(room)[..room];
                int end = i + 1, written = 0;
                bool escaped = false, rareEscape = false;
                // Done when the run stopped at the closing quote (not at a \u, the end of the text or of the room).
                if (JsonUnescaper.UnescapeRun(json, ref end, dest, ref written, ref escaped, ref rareEscape) && end < json.Length && json[end] == '"')
                {
                    SetToken(JsonTokenType.String, i, i + 1, end - i - 1, end + 1);
                    _escaped = escaped;
                    _rareEscape = rareEscape;
                    into.Advance(written);
                    return true;
                }
            }
        }
        Read();
        return false;
    }

    /// <summary>
    /// On a name: moves to the end of its value. On the start of an object or array: moves to its end (scanning for the
    /// brackets, not token by token). Otherwise stays.
    /// </summary>
    public void Skip()
    {
        if (_type == JsonTokenType.PropertyName) Read();
        if (_type is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) return;
        var json = _json;
        int target = _depth - 1;
        int i = _consumed;
        while (true)
        {
            // Between strings the next bracket or quote is a few bytes on (a colon, a number, a comma): a plain loop.
            while (i < json.Length && !IsStructural(json[i])) i++;
            if (i >= json.Length) throw Broken("the text ends inside a value");
            switch (json[i])
            {
                case (byte)'"':
                    i = StringEnd(json, i, out _, out _) + 1;
                    continue;
                case (byte)'/':
                    i = CommentEnd(json, i);
                    continue;
                case (byte)'{':
                case (byte)'[':
                    Push(json[i] == '{');
                    i++;
                    continue;
                default:
                    bool closesObject = json[i] == '}';
                    if (closesObject != InObject) throw Broken("a container closed by the other kind of bracket");
                    if (_depth - 1 == target)
                    {
                        Close(i, closesObject ? JsonTokenType.EndObject : JsonTokenType.EndArray);
                        return;
                    }
                    _depth--;
                    i++;
                    continue;
            }
        }
    }

    /// <summary>Unescapes the current string or name into <paramref name="dest"/> (at least <see cref="ValueSpan"/>'s length); bytes written.</summary>
    public readonly int CopyString(Span<byte> dest)
    {
        var content = ValueSpan;
        if (!_escaped)
        {
            content.CopyTo(dest);
            return content.Length;
        }
        if (JsonUnescaper.TryUnescape(content, dest, out int n)) return n;
        // Surrogate pairs (and anything the plain unescape does not take) go through the framework's reader, which
        // also rejects what is not valid as it would have.
        var reader = new Utf8JsonReader(_json.Slice(_tokenStart, _valueLength + 2));
        reader.Read();
        return reader.CopyString(dest);
    }

    private static bool IsStructural(byte b) => b is (byte)'"' or (byte)'{' or (byte)'}' or (byte)'[' or (byte)']' or (byte)'/';

    private readonly bool InObject => (_objects[(_depth - 1) >> 6] & (1UL << ((_depth - 1) & 63))) != 0;

    private void Push(bool isObject)
    {
        if (_depth >= _maxDepth) throw Broken("the JSON is nested too deeply");
        int d = _depth++;
        ref ulong word = ref _objects[d >> 6];
        ulong bit = 1UL << (d & 63);
        word = isObject ? word | bit : word & ~bit;
    }

    private bool Close(int i, JsonTokenType type)
    {
        _depth--;
        SetToken(type, i, i, 1, i + 1);
        _escaped = false;
        return true;
    }

    private bool ReadName(ReadOnlySpan<byte> json, int i, byte c)
    {
        if (c != '"') throw Broken("expected a member name");
        int end = StringEnd(json, i, out bool escaped, out _rareEscape);
        int colon = SkipSpace(json, end + 1);
        if (colon >= json.Length || json[colon] != ':') throw Broken("expected a colon after the member name");
        SetToken(JsonTokenType.PropertyName, i, i + 1, end - i - 1, colon + 1);
        _escaped = escaped;
        return true;
    }

    private bool ReadValue(ReadOnlySpan<byte> json, int i, byte c)
    {
        _escaped = false;
        switch (c)
        {
            case (byte)'"':
                int end = StringEnd(json, i, out _escaped, out _rareEscape);
                SetToken(JsonTokenType.String, i, i + 1, end - i - 1, end + 1);
                return true;
            case (byte)'{':
            case (byte)'[':
                Push(c == '{');
                SetToken(c == '{' ? JsonTokenType.StartObject : JsonTokenType.StartArray, i, i, 1, i + 1);
                return true;
            case (byte)'t':
                return Literal(json, i, "true"u8, JsonTokenType.True);
            case (byte)'f':
                return Literal(json, i, "false"u8, JsonTokenType.False);
            case (byte)'n':
                return Literal(json, i, "null"u8, JsonTokenType.Null);
            default:
                if (c != '-' && (uint)(c - '0') > 9) throw Broken("expected a value");
                int after = i + 1;
                while (after < json.Length && IsNumberByte(json[after])) after++;
                SetToken(JsonTokenType.Number, i, i, after - i, after);
                return true;
        }
    }

    private static bool IsNumberByte(byte b) => (uint)(b - '0') <= 9 || b is (byte)'.' or (byte)'e' or (byte)'E' or (byte)'-' or (byte)'+';

    private bool Literal(ReadOnlySpan<byte> json, int i, ReadOnlySpan<byte> literal, JsonTokenType type)
    {
        if (!json[i..].StartsWith(literal)) throw Broken("expected a value");
        SetToken(type, i, i, literal.Length, i + literal.Length);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetToken(JsonTokenType type, int start, int valueStart, int valueLength, int consumed)
    {
        _type = type;
        _tokenStart = start;
        _valueStart = valueStart;
        _valueLength = valueLength;
        _consumed = consumed;
    }

    // The index of the quote closing the string whose opening quote is at `start`.
    private static int StringEnd(ReadOnlySpan<byte> json, int start, out bool escaped, out bool rareEscape)
    {
        escaped = rareEscape = false;
        int i = start + 1;
        while (true)
        {
            i = QuoteOrBackslash(json, i);
            if (i >= json.Length) throw Broken("the text ends inside a string");
            if (json[i] == '"') return i;
            escaped = true;
            if (i + 1 < json.Length && json[i + 1] is (byte)'u' or (byte)'/') rareEscape = true;
            i += 2;
        }
    }

    private const ulong Ones = 0x0101010101010101UL;
    private const ulong Highs = 0x8080808080808080UL;

    // The first quote or backslash at or after `i` (json.Length when none). Eight bytes at a time: the strings are mostly
    // short, and the stretches between escapes shorter, so a vector search would be started for a few bytes each time.
    private static int QuoteOrBackslash(ReadOnlySpan<byte> json, int i)
    {
        while (i + 8 <= json.Length)
        {
            ulong x = BinaryPrimitives.ReadUInt64LittleEndian(json[i..]);
            ulong q = x ^ (Ones * '"');
            ulong b = x ^ (Ones * '\\');
            // A byte's high bit is set where q or b has a zero byte (the lowest such byte is exact; borrows only reach above it).
            ulong found = ((q - Ones) & ~q | (b - Ones) & ~b) & Highs;
            if (found != 0) return i + (BitOperations.TrailingZeroCount(found) >> 3);
            i += 8;
        }
        while (i < json.Length && json[i] != '"' && json[i] != '\\') i++;
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipSpace(ReadOnlySpan<byte> json, int i)
    {
        // Compact JSON (what the dialects write) has no space between tokens.
        if ((uint)i < (uint)json.Length && json[i] > ' ' && json[i] != '/') return i;
        return SkipSpaceSlowly(json, i);
    }

    private static int SkipSpaceSlowly(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length)
        {
            byte c = json[i];
            if (c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t') i++;
            else if (c == '/') i = CommentEnd(json, i);
            else break;
        }
        return i;
    }

    // Just after the comment starting at `i` (// to the end of the line, or /* … */).
    private static int CommentEnd(ReadOnlySpan<byte> json, int i)
    {
        if (i + 1 >= json.Length) throw Broken("the text ends inside a comment");
        if (json[i + 1] == '/')
        {
            int k = json[(i + 2)..].IndexOfAny((byte)'\n', (byte)'\r');
            return k < 0 ? json.Length : i + 2 + k + 1;
        }
        if (json[i + 1] != '*') throw Broken("expected a comment");
        int close = json[(i + 2)..].IndexOf("*/"u8);
        if (close < 0) throw Broken("the text ends inside a comment");
        return i + 2 + close + 2;
    }

    private static JsonException Broken(string what) => new(what);
}
