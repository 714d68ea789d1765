using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// Finds secrets inside a string value (UTF-8, unescaped). The built-ins are hand-written scanners over the bytes;
/// user patterns are .NET regexes run over a pooled char buffer.
/// </summary>
internal abstract class MaskPattern
{
    public abstract string Name { get; }

    /// <summary>
    /// ASCII bytes every match contains (in the unescaped text), for skipping text without them; null when the pattern
    /// has no such needle. Must hold no quote, backslash, slash or control character (see <see cref="RewritePlan.PatternsCannotMatch"/>).
    /// </summary>
    public virtual byte[]? Needle => null;

    /// <summary>The next match at or after <paramref name="from"/>.</summary>
    protected abstract bool TryFind(ReadOnlySpan<byte> text, int from, out int start, out int length);

    /// <summary>Writes <paramref name="text"/> with every match masked to <paramref name="output"/>; false (nothing written) when nothing matched.</summary>
    public virtual bool Apply(ReadOnlySpan<byte> text, ArrayBufferWriter<byte> output, MaskAction action)
    {
        int from = 0;
        bool any = false;
        while (from < text.Length && TryFind(text, from, out int start, out int length))
        {
            if (!any)
            {
                output.ResetWrittenCount();
                any = true;
            }
            output.Write(text[from..start]);
            action.Write(text.Slice(start, length), output);
            from = start + length;
        }
        if (any) output.Write(text[from..]);
        return any;
    }

    /// <summary>Whether <see cref="TryApplyToJsonString"/> may be used (the pattern finds its matches with <see cref="TryFind"/>).</summary>
    public virtual bool FindsInBytes => true;

    /// <summary>
    /// As <see cref="Apply"/>, but writes the masked text as a JSON string (quotes included) by copying the string's
    /// escaped content between matches as it stands instead of escaping the text again. <paramref name="content"/> is the
    /// string as written (between its quotes), printable ASCII whose only escapes are ones that stand for a single byte
    /// (<c>\"</c>, <c>\\</c>, <c>\b</c>, <c>\f</c>, <c>\n</c>, <c>\r</c>, <c>\t</c>) — text a writer gives back as
    /// it is (<see cref="JsonRewriter.WrittenAsItStands"/>); <paramref name="text"/> its unescaped text. False (output
    /// undefined) when a mask wrote a byte a writer would escape: the caller then writes the masked text itself. <paramref name="any"/>: whether anything matched
    /// (nothing is written when not). <paramref name="plain"/>, when given and something matched, also gets the masked
    /// text unescaped (appended; partly written when false).
    /// </summary>
    public bool TryApplyToJsonString(ReadOnlySpan<byte> text, ReadOnlySpan<byte> content, ArrayBufferWriter<byte> output, MaskAction action, out bool any,
        ArrayBufferWriter<byte>? plain = null)
    {
        any = false;
        int from = 0;
        // The content offset of the text offset `at` (each escape is two content bytes for one text byte).
        int at = 0, rawAt = 0, copied = 0;
        while (from < text.Length && TryFind(text, from, out int start, out int length))
        {
            if (!any)
            {
                output.ResetWrittenCount();
                output.Write("\""u8);
                any = true;
            }
            plain?.Write(text[from..start]);
            Advance(text, ref at, ref rawAt, start);
            output.Write(content[copied..rawAt]);
            int before = output.WrittenCount;
            action.Write(text.Slice(start, length), output);
            var written = output.WrittenSpan[before..];
            if (written.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7e) >= 0 || written.IndexOfAny((byte)'"', (byte)'\\') >= 0) return false;
            plain?.Write(written);
            from = start + length;
            Advance(text, ref at, ref rawAt, from);
            copied = rawAt;
        }
        if (any)
        {
            output.Write(content[copied..]);
            output.Write("\""u8);
            plain?.Write(text[from..]);
        }
        return true;
    }

    /// <summary>
    /// Whether every match in valid JSON text searched whole lies inside one of its strings: each match holds a byte
    /// JSON has only inside strings and no quote or backslash. Masking such text whole then masks what masking each of
    /// its strings does (where the strings have no escapes), which lets a parsed copy of a masked string take its mask
    /// from the string's.
    /// </summary>
    public virtual bool MatchesStayInStrings => false;

    private static void Advance(ReadOnlySpan<byte> text, ref int at, ref int rawAt, int to)
    {
        // With only the one-byte escapes, each quote, backslash and control byte of the text is two bytes of content
        // and every other byte one: counted in a few vector passes rather than found escape by escape.
        var run = text[at..to];
        int escaped = run.Count((byte)'"') + run.Count((byte)'\\');
        if (run.IndexOfAnyInRange((byte)0, (byte)0x1f) >= 0)
            foreach (byte b in run)
                if (b < 0x20) escaped++;
        rawAt += run.Length + escaped;
        at = to;
    }

    public static MaskPattern? BuiltIn(string name) => name switch
    {
        "email" => new EmailPattern(),
        "credit_card" => new CreditCardPattern(),
        "ipv4" => new Ipv4Pattern(),
        "ipv6" => new Ipv6Pattern(),
        "jwt" => new JwtPattern(),
        "bearer" => new BearerPattern(),
        "aws_key" => new AwsKeyPattern(),
        _ => null,
    };

    public const string BuiltInNames = "email, credit_card, ipv4, ipv6, jwt, bearer, aws_key";

    protected static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
    protected static bool IsAlpha(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';
    protected static bool IsAlnum(byte b) => IsDigit(b) || IsAlpha(b);
    protected static bool IsHex(byte b) => IsDigit(b) || (uint)((b | 0x20) - 'a') <= 5;
    protected static bool IsBase64Url(byte b) => IsAlnum(b) || b is (byte)'-' or (byte)'_';
}

/// <summary>local@domain.tld: local part of letters, digits and <c>._%+-</c>; a domain with a dot and a 2+ letter top level.</summary>
internal sealed class EmailPattern : MaskPattern
{
    public override string Name => "email";

    private static readonly byte[] At = [(byte)'@'];

    public override byte[]? Needle => At;

    // '@' appears in JSON text only inside strings, and a match is letters, digits, '.', '_', '%', '+', '-' around it.
    public override bool MatchesStayInStrings => true;

    private static bool IsLocal(byte b) => IsAlnum(b) || b is (byte)'.' or (byte)'_' or (byte)'%' or (byte)'+' or (byte)'-';
    private static bool IsDomain(byte b) => IsAlnum(b) || b is (byte)'.' or (byte)'-';

    protected override bool TryFind(ReadOnlySpan<byte> text, int from, out int start, out int length)
    {
        start = length = 0;
        int search = from;
        while (search < text.Length)
        {
            int at = text[search..].IndexOf((byte)'@');
            if (at < 0) return false;
            at += search;
            search = at + 1;
            int s = at;
            while (s > from && IsLocal(text[s - 1])) s--;
            if (s == at) continue;
            int e = at + 1;
            while (e < text.Length && IsDomain(text[e])) e++;
            while (e > at + 1 && text[e - 1] is (byte)'.' or (byte)'-') e--;
            var domain = text[(at + 1)..e];
            int dot = domain.LastIndexOf((byte)'.');
            if (dot <= 0 || domain.Length - dot - 1 < 2) continue;
            bool tldLetters = true;
            foreach (byte b in domain[(dot + 1)..]) tldLetters &= IsAlpha(b);
            if (!tldLetters) continue;
            start = s;
            length = e - s;
            return true;
        }
        return false;
    }
}

/// <summary>13 to 19 digits, optionally grouped by single spaces or dashes, that pass the Luhn check.</summary>
internal sealed class CreditCardPattern : MaskPattern
{
    public override string Name => "credit_card";

    protected override bool TryFind(ReadOnlySpan<byte> text, int from, out int start, out int length)
    {
        start = length = 0;
        int i = from;
        Span<byte> found = stackalloc byte[19];
        while (i < text.Length)
        {
            if (!IsDigit(text[i]) || (i > 0 && IsAlnum(text[i - 1])))
            {
                i++;
                continue;
            }
            int s = i, digits = 0, end = i;
            while (i < text.Length)
            {
                if (IsDigit(text[i]))
                {
                    if (digits == 19) { digits = 20; break; }
                    found[digits++] = text[i];
                    end = ++i;
                }
                else if (text[i] is (byte)' ' or (byte)'-' && i + 1 < text.Length && IsDigit(text[i + 1]) && digits > 0) i++;
                else break;
            }
            i = end;
            bool bounded = end >= text.Length || !IsAlnum(text[end]);
            if (digits is >= 13 and <= 19 && bounded && Luhn(found[..digits]))
            {
                start = s;
                length = end - s;
                return true;
            }
            while (i < text.Length && IsDigit(text[i])) i++;
        }
        return false;
    }

    public static bool Luhn(ReadOnlySpan<byte> digits)
    {
        int sum = 0;
        bool twice = false;
        for (int i = digits.Length - 1; i >= 0; i--)
        {
            int d = digits[i] - '0';
            if (twice)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }
}

/// <summary>Four dot-separated numbers 0..255, not part of a longer dotted number.</summary>
internal sealed class Ipv4Pattern : MaskPattern
{
    public override string Name => "ipv4";

    protected override bool TryFind(ReadOnlySpan<byte> text, int from, out int start, out int length)
    {
        start = length = 0;
        for (int i = from; i < text.Length; i++)
        {
            if (!IsDigit(text[i]) || (i > 0 && (IsAlnum(text[i - 1]) || text[i - 1] == '.'))) continue;
            int at = i;
            int octets = 0;
            while (true)
            {
                int n = 0, d = 0;
                while (at < text.Length && IsDigit(text[at]) && d < 4)
                {
                    n = n * 10 + text[at] - '0';
                    at++;
                    d++;
                }
                if (d == 0 || d > 3 || n > 255) break;
                octets++;
                if (octets == 4) break;
                if (at + 1 < text.Length && text[at] == '.' && IsDigit(text[at + 1])) at++;
                else break;
            }
            bool bounded = at >= text.Length || (!IsAlnum(text[at]) && !(text[at] == '.' && at + 1 < text.Length && IsDigit(text[at + 1])));
            if (octets == 4 && bounded)
            {
                start = i;
                length = at - i;
                return true;
            }
            while (i + 1 < text.Length && (IsDigit(text[i + 1]) || text[i + 1] == '.')) i++;
        }
        return false;
    }
}

/// <summary>An IPv6 address: up to 8 groups of 1-4 hex digits with at most one <c>::</c>, optionally ending in a dotted IPv4.</summary>
internal sealed class Ipv6Pattern : MaskPattern
{
    public override string Name => "ipv6";

    private static bool IsPart(byte b) => IsHex(b) || b is (byte)':' or (byte)'.';

    protected override bool TryFind(ReadOnlySpan<byte> text, int from, out int start, out int length)
    {
        start = length = 0;
        int i = from;
        while (i < text.Length)
        {
            if (!IsPart(text[i]) || (i > 0 && (IsAlnum(text[i - 1]) || IsPart(text[i - 1]))))
            {
                i++;
                continue;
            }
            int e = i;
            while (e < text.Length && IsPart(text[e])) e++;
            int end = e;
            // Trailing dots or a lone colon are punctuation, not part of the address.
            while (end > i && text[end - 1] == '.') end--;
            if (end - i >= 2 && text[end - 1] == ':' && text[end - 2] != ':') end--;
            bool bounded = e >= text.Length || !IsAlnum(text[e]) || end < e;
            if (bounded && Valid(text[i..end]))
            {
                start = i;
                length = end - i;
                return true;
            }
            i = e;
        }
        return false;
    }

    private static bool Valid(ReadOnlySpan<byte> s)
    {
        if (s.IndexOf((byte)':') < 0 || s.Length < 2) return false;
        int groups = 0;
        bool compressed = false;
        int i = 0;
        if (s.StartsWith("::"u8))
        {
            compressed = true;
            i = 2;
            if (i == s.Length) return true;
        }
        else if (s[0] == ':') return false;
        while (i < s.Length)
        {
            int g = i;
            while (i < s.Length && IsHex(s[i]) && i - g < 5) i++;
            int len = i - g;
            if (i < s.Length && s[i] == '.')
            {
                // The last 32 bits written as IPv4.
                return groups <= 6 && Ipv4Tail(s[g..]) && (compressed || groups == 6);
            }
            if (len == 0 || len > 4) return false;
            groups++;
            if (i == s.Length) break;
            if (s[i] != ':') return false;
            i++;
            if (i < s.Length && s[i] == ':')
            {
                if (compressed) return false;
                compressed = true;
                i++;
                if (i == s.Length) break;
            }
            else if (i == s.Length) return false;
        }
        return compressed ? groups < 8 : groups == 8;
    }

    private static bool Ipv4Tail(ReadOnlySpan<byte> s)
    {
        int octets = 0, i = 0;
        while (i <= s.Length)
        {
            int n = 0, d = 0;
            while (i < s.Length && IsDigit(s[i]) && d < 4) { n = n * 10 + s[i] - '0'; i++; d++; }
            if (d == 0 || d > 3 || n > 255) return false;
            octets++;
            if (i == s.Length) return octets == 4;
            if (s[i] != '.') return false;
            i++;
        }
        return false;
    }
}

/// <summary>A JSON Web Token: three base64url parts separated by dots, the header starting <c>eyJ</c> (<c>{"</c> encoded).</summary>
internal sealed class JwtPattern : MaskPattern
{
    public override string Name => "jwt";

    private static readonly byte[] Header = "eyJ"u8.ToArray();

    public override byte[]? Needle => Header;

    protected override bool TryFind(ReadOnlySpan<byte> text, int from, out int start, out int length)
    {
        start = length = 0;
        int search = from;
        while (search < text.Length)
        {
            int at = text[search..].IndexOf("eyJ"u8);
            if (at < 0) return false;
            at += search;
            search = at + 3;
            if (at > 0 && IsBase64Url(text[at - 1])) continue;
            int i = at;
            int parts = 1, partLength = 0;
            while (i < text.Length)
            {
                if (IsBase64Url(text[i])) { i++; partLength++; }
                else if (text[i] == '.' && partLength > 0 && parts < 3) { parts++; partLength = 0; i++; }
                else break;
            }
            // An unsigned token ends in a dot; a signed one in its signature.
            if (parts == 3)
            {
                start = at;
                length = i - at;
                return true;
            }
        }
        return false;
    }
}

/// <summary>The credential after <c>Bearer </c> (any case): 8 or more token characters (RFC 6750 b64token).</summary>
internal sealed class BearerPattern : MaskPattern
{
    public override string Name => "bearer";

    private static bool IsToken(byte b) => IsAlnum(b) || b is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~' or (byte)'+' or (byte)'/';

    protected override bool TryFind(ReadOnlySpan<byte> text, int from, out int start, out int length)
    {
        start = length = 0;
        for (int i = from; i + 7 < text.Length; i++)
        {
            if ((text[i] | 0x20) != 'b' || (i > 0 && IsAlnum(text[i - 1]))) continue;
            if (!Ascii.EqualsIgnoreCase(text.Slice(i, 6), "bearer"u8) || text[i + 6] != ' ') continue;
            int s = i + 7;
            while (s < text.Length && text[s] == ' ') s++;
            int e = s;
            while (e < text.Length && IsToken(text[e])) e++;
            while (e < text.Length && text[e] == '=') e++;
            if (e - s >= 8)
            {
                start = s;
                length = e - s;
                return true;
            }
        }
        return false;
    }
}

/// <summary>An AWS access key id: a four-letter prefix (AKIA, ASIA, …) and 16 upper-case letters or digits.</summary>
internal sealed class AwsKeyPattern : MaskPattern
{
    public override string Name => "aws_key";

    private static readonly byte[][] Prefixes =
        ["AKIA"u8.ToArray(), "ASIA"u8.ToArray(), "ABIA"u8.ToArray(), "ACCA"u8.ToArray(), "AGPA"u8.ToArray(), "AIDA"u8.ToArray(),
         "AROA"u8.ToArray(), "AIPA"u8.ToArray(), "ANPA"u8.ToArray(), "ANVA"u8.ToArray(), "APKA"u8.ToArray()];

    private static bool IsKeyChar(byte b) => IsDigit(b) || (uint)(b - 'A') <= 'Z' - 'A';

    protected override bool TryFind(ReadOnlySpan<byte> text, int from, out int start, out int length)
    {
        start = length = 0;
        for (int i = from; i + 20 <= text.Length; i++)
        {
            if (text[i] != 'A' || (i > 0 && IsAlnum(text[i - 1]))) continue;
            bool prefix = false;
            foreach (var p in Prefixes) prefix |= text.Slice(i, 4).SequenceEqual(p);
            if (!prefix) continue;
            bool body = true;
            for (int k = i + 4; k < i + 20; k++) body &= IsKeyChar(text[k]);
            if (!body || (i + 20 < text.Length && IsAlnum(text[i + 20]))) continue;
            start = i;
            length = 20;
            return true;
        }
        return false;
    }
}

/// <summary>A user's regular expression (non-backtracking .NET regex), run over the value decoded into a pooled char buffer.</summary>
internal sealed class RegexPattern(string name, Regex regex) : MaskPattern
{
    public override string Name => name;

    protected override bool TryFind(ReadOnlySpan<byte> text, int from, out int start, out int length)
        => throw new NotSupportedException("regex patterns mask through Apply");

    public override bool FindsInBytes => false;

    public override bool Apply(ReadOnlySpan<byte> text, ArrayBufferWriter<byte> output, MaskAction action)
    {
        char[] chars = ArrayPool<char>.Shared.Rent(Math.Max(16, text.Length));
        byte[] piece = ArrayPool<byte>.Shared.Rent(Math.Max(16, text.Length * 3));
        try
        {
            int n = System.Text.Encoding.UTF8.GetChars(text, chars);
            var span = chars.AsSpan(0, n);
            int from = 0;
            bool any = false;
            foreach (var m in regex.EnumerateMatches(span))
            {
                if (m.Length == 0) continue;
                if (!any)
                {
                    output.ResetWrittenCount();
                    any = true;
                }
                output.Write(piece.AsSpan(0, System.Text.Encoding.UTF8.GetBytes(span[from..m.Index], piece)));
                int secret = System.Text.Encoding.UTF8.GetBytes(span.Slice(m.Index, m.Length), piece);
                action.Write(piece.AsSpan(0, secret), output);
                from = m.Index + m.Length;
            }
            if (any) output.Write(piece.AsSpan(0, System.Text.Encoding.UTF8.GetBytes(span[from..], piece)));
            return any;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
            ArrayPool<byte>.Shared.Return(piece, clearArray: true);
        }
    }
}
