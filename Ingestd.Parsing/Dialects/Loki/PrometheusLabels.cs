using System.Text;
using System.Text.Unicode;

namespace Ingestd.Parsing.Dialects.Loki;

/// <summary>
/// The label string of a protobuf push (<c>StreamAdapter.labels</c>), in the Prometheus/LogQL
/// stream-selector syntax Loki writes and parses: <c>{job="varlogs", filename="/var/log/x"}</c>.
/// Names are <c>[a-zA-Z_][a-zA-Z0-9_]*</c>; values are Go string literals, double-quoted with Go's
/// escapes (what Go's <c>strconv.Quote</c> produces) or back-quoted raw strings. Only <c>=</c> is
/// allowed, and at least one pair is required, as in Loki.
/// </summary>
internal static class PrometheusLabels
{
    /// <summary>
    /// Writes the labels into <paramref name="builder"/> as its current stream (between
    /// <see cref="LokiRecordBuilder.BeginStream"/> and <see cref="LokiRecordBuilder.EndStream"/>, both
    /// called here). Returns null on success, else what is wrong (a constant: no allocation).
    /// </summary>
    public static string? TryWrite(ReadOnlySpan<byte> text, ref LokiRecordBuilder builder)
    {
        builder.BeginStream();
        int at = SkipSpace(text, 0);
        if (at >= text.Length || text[at] != '{') return "must start with '{'";
        at = SkipSpace(text, at + 1);
        if (at < text.Length && text[at] == '}')
            return "at least one label pair is required";
        while (true)
        {
            int nameStart = at;
            if (at >= text.Length || !IsNameStart(text[at])) return "expected a label name";
            at++;
            while (at < text.Length && IsNameChar(text[at])) at++;
            var name = text[nameStart..at];

            at = SkipSpace(text, at);
            if (at >= text.Length || text[at] != '=') return "expected '=' after a label name";
            if (at + 1 < text.Length && (text[at + 1] == '~' || text[at + 1] == '=')) return "only '=' is allowed in a stream's labels";
            at = SkipSpace(text, at + 1);

            var value = builder.Temp(text.Length);
            string? problem = ReadString(text, ref at, value, out int length);
            if (problem != null) return problem;
            var decoded = value[..length];
            // \x and octal escapes produce raw bytes; the record is JSON, so they must still form UTF-8.
            if (!Utf8.IsValid(decoded)) return "label value is not valid UTF-8";

            builder.AddLabel(name, decoded);
            if (!builder.Capture(LokiRecordBuilder.ServiceSlot, LokiRecordBuilder.ServiceRank(name), decoded)
                || !builder.Capture(LokiRecordBuilder.StreamLevelSlot, LokiRecordBuilder.LevelRank(name), decoded))
                return "service or level label longer than 1024 bytes";

            at = SkipSpace(text, at);
            if (at >= text.Length) return "missing '}'";
            if (text[at] == '}') break;
            if (text[at] != ',') return "expected ',' or '}' after a label value";
            at = SkipSpace(text, at + 1);
        }
        if (SkipSpace(text, at + 1) != text.Length) return "unexpected text after '}'";
        builder.EndStream();
        return null;
    }

    /// <summary>Reads a Go string literal at <paramref name="at"/>, unescaped into <paramref name="dest"/> (never longer than the literal).</summary>
    private static string? ReadString(ReadOnlySpan<byte> text, ref int at, Span<byte> dest, out int length)
    {
        length = 0;
        if (at >= text.Length || (text[at] != '"' && text[at] != '`')) return "expected a quoted label value";
        if (text[at] == '`')
        {
            // Raw string: no escapes, ends at the next back quote.
            int close = text[(at + 1)..].IndexOf((byte)'`');
            if (close < 0) return "unterminated label value";
            text.Slice(at + 1, close).CopyTo(dest);
            length = close;
            at += close + 2;
            return null;
        }
        at++;
        while (true)
        {
            if (at >= text.Length) return "unterminated label value";
            byte b = text[at++];
            if (b == '"') return null;
            if (b == '\n') return "newline in a label value";
            if (b != '\\')
            {
                dest[length++] = b;
                continue;
            }
            if (at >= text.Length) return "unterminated label value";
            byte e = text[at++];
            switch (e)
            {
                case (byte)'"': dest[length++] = (byte)'"'; break;
                case (byte)'\\': dest[length++] = (byte)'\\'; break;
                case (byte)'n': dest[length++] = (byte)'\n'; break;
                case (byte)'t': dest[length++] = (byte)'\t'; break;
                case (byte)'r': dest[length++] = (byte)'\r'; break;
                case (byte)'a': dest[length++] = 0x07; break;
                case (byte)'b': dest[length++] = 0x08; break;
                case (byte)'f': dest[length++] = 0x0C; break;
                case (byte)'v': dest[length++] = 0x0B; break;
                case (byte)'x':
                    if (!TryHex(text, ref at, 2, out uint x)) return "invalid \\x escape";
                    dest[length++] = (byte)x;
                    break;
                case (byte)'u':
                case (byte)'U':
                    if (!TryHex(text, ref at, e == 'u' ? 4 : 8, out uint cp) || !Rune.IsValid(cp)) return "invalid \\u escape";
                    length += new Rune(cp).EncodeToUtf8(dest[length..]);
                    break;
                case >= (byte)'0' and <= (byte)'7':
                    // Go's octal escape: exactly three digits, at most \377.
                    if (at + 2 > text.Length) return "invalid octal escape";
                    uint o = (uint)(e - '0');
                    for (int k = 0; k < 2; k++)
                    {
                        uint d = (uint)(text[at++] - '0');
                        if (d > 7) return "invalid octal escape";
                        o = o * 8 + d;
                    }
                    if (o > 255) return "invalid octal escape";
                    dest[length++] = (byte)o;
                    break;
                default:
                    return "invalid escape in a label value";
            }
        }
    }

    private static bool TryHex(ReadOnlySpan<byte> text, ref int at, int digits, out uint value)
    {
        value = 0;
        if (text.Length - at < digits) return false;
        for (int k = 0; k < digits; k++)
        {
            int d = HexValue(text[at++]);
            if (d < 0) return false;
            value = value * 16 + (uint)d;
        }
        return true;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static bool IsNameStart(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a' || b == '_';

    private static bool IsNameChar(byte b) => IsNameStart(b) || (uint)(b - '0') <= 9;

    private static int SkipSpace(ReadOnlySpan<byte> text, int at)
    {
        while (at < text.Length && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r')) at++;
        return at;
    }
}
