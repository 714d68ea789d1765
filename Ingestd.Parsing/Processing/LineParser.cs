using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// Turns a string field into structure for a <c>parse</c> step: writes one JSON value (an object, except for <c>json</c>,
/// which keeps whatever the text holds). Errors are fixed texts that never quote the input (it may hold secrets).
/// </summary>
internal abstract class LineParser
{
    public abstract string Format { get; }

    public abstract bool TryParse(ReadOnlySpan<byte> text, Utf8JsonWriter w, out string error);
}

/// <summary><c>json</c>: the string holds a JSON document (e.g. a log line written as JSON).</summary>
internal sealed class JsonLineParser : LineParser
{
    public override string Format => "json";

    public override bool TryParse(ReadOnlySpan<byte> text, Utf8JsonWriter w, out string error)
    {
        if (!TryLocate(text, out int start, out int end, out error)) return false;
        w.WriteRawValue(text[start..end], skipInputValidation: true);
        return true;
    }

    /// <summary>Validates the text as one JSON value; where the value is in it (its text is the parse's result, as it stands).</summary>
    public static bool TryLocate(ReadOnlySpan<byte> text, out int start, out int end, out string error) =>
        TryLocate(text, out start, out end, out _, out error);

    /// <summary>
    /// <see cref="TryLocate(ReadOnlySpan{byte}, out int, out int, out string)"/>; <paramref name="simple"/> as
    /// <see cref="JsonValueScan.TryScan(ReadOnlySpan{byte}, out int, out int, out bool)"/> gives it (false when not known).
    /// </summary>
    public static bool TryLocate(ReadOnlySpan<byte> text, out int start, out int end, out bool simple, out string error)
    {
        error = "";
        if (JsonValueScan.TryScan(text, out start, out end, out simple)) return true;
        simple = false;
        start = end = 0;
        // Comments are refused, not skipped: the value's text is stored as it stands, and a stored event must stay JSON.
        var reader = new Utf8JsonReader(text, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        try
        {
            if (!reader.Read())
            {
                error = "empty text";
                return false;
            }
            start = (int)reader.TokenStartIndex;
            reader.Skip();
            end = (int)reader.BytesConsumed;
            if (reader.Read())
            {
                error = "text after the JSON value";
                return false;
            }
            return true;
        }
        catch (JsonException)
        {
            error = "not valid JSON";
            return false;
        }
    }
}

/// <summary>
/// <c>logfmt</c> (<c>level=info msg="a b" ok</c>) and <c>kv</c> (<c>key=value</c> pairs split by configurable characters):
/// pairs separated by any of the field separators, key and value by the value separator, values optionally in double
/// quotes with backslash escapes. A logfmt key without a value is <c>true</c>. Every value is a string.
/// </summary>
internal sealed class KeyValueLineParser(string format, byte[] fieldSeparators, byte valueSeparator, bool bareKeysAreTrue) : LineParser
{
    public override string Format => format;

    public static KeyValueLineParser Logfmt() => new("logfmt", " \t"u8.ToArray(), (byte)'=', bareKeysAreTrue: true);

    public override bool TryParse(ReadOnlySpan<byte> text, Utf8JsonWriter w, out string error)
    {
        error = "";
        int pairs = 0;
        int i = 0;
        byte[] unquoted = ArrayPool<byte>.Shared.Rent(Math.Max(16, text.Length));
        try
        {
            w.WriteStartObject();
            while (i < text.Length)
            {
                while (i < text.Length && IsSeparator(text[i])) i++;
                if (i >= text.Length) break;
                int keyStart = i;
                while (i < text.Length && text[i] != valueSeparator && !IsSeparator(text[i]) && text[i] != '"') i++;
                var key = text[keyStart..i];
                if (key.IsEmpty)
                {
                    error = "a pair without a key";
                    return false;
                }
                if (i >= text.Length || text[i] != valueSeparator)
                {
                    if (!bareKeysAreTrue || (i < text.Length && text[i] == '"'))
                    {
                        error = $"a key without '{(char)valueSeparator}'";
                        return false;
                    }
                    w.WriteBoolean(key, true);
                    pairs++;
                    continue;
                }
                i++;
                if (i < text.Length && text[i] == '"')
                {
                    int n = 0;
                    i++;
                    bool closed = false;
                    while (i < text.Length)
                    {
                        byte b = text[i++];
                        if (b == '"') { closed = true; break; }
                        if (b == '\\' && i < text.Length)
                        {
                            byte e = text[i++];
                            unquoted[n++] = e switch { (byte)'n' => (byte)'\n', (byte)'t' => (byte)'\t', (byte)'r' => (byte)'\r', _ => e };
                        }
                        else unquoted[n++] = b;
                    }
                    if (!closed)
                    {
                        error = "an unterminated quoted value";
                        return false;
                    }
                    w.WriteString(key, unquoted.AsSpan(0, n));
                }
                else
                {
                    int valueStart = i;
                    while (i < text.Length && !IsSeparator(text[i])) i++;
                    w.WriteString(key, text[valueStart..i]);
                }
                pairs++;
            }
            w.WriteEndObject();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(unquoted, clearArray: true);
        }
        if (pairs == 0)
        {
            error = "no key/value pairs";
            return false;
        }
        return true;
    }

    private bool IsSeparator(byte b) => fieldSeparators.AsSpan().IndexOf(b) >= 0;
}

/// <summary>
/// A regular expression with named groups (a user's, or a built-in one for a common log format): each group that took
/// part in the match becomes a string member named after it.
/// </summary>
internal sealed class RegexLineParser : LineParser
{
    private readonly Regex _regex;
    private readonly string[] _groupNames;
    private readonly byte[][] _groupNamesUtf8;
    private readonly int[] _groupNumbers;

    public RegexLineParser(string format, Regex regex)
    {
        Format = format;
        _regex = regex;
        var names = new List<string>();
        var numbers = new List<int>();
        foreach (string name in regex.GetGroupNames())
        {
            if (int.TryParse(name, out _)) continue;
            names.Add(name);
            numbers.Add(regex.GroupNumberFromName(name));
        }
        _groupNames = names.ToArray();
        _groupNumbers = numbers.ToArray();
        _groupNamesUtf8 = new byte[_groupNames.Length][];
        for (int i = 0; i < _groupNames.Length; i++) _groupNamesUtf8[i] = System.Text.Encoding.UTF8.GetBytes(_groupNames[i]);
    }

    public override string Format { get; }

    public int NamedGroups => _groupNames.Length;

    // The common log formats as expressions: their specification. The daemon parses them with the hand-written
    // equivalents (CombinedLogParser, SyslogLineParser), which tests compare with these; group names are the members.
    public static RegexLineParser NginxCombined() => new("nginx", new Regex(
        """^(?<remote_addr>\S+) \S+ (?<remote_user>\S+) \[(?<time_local>[^\]]+)\] "(?<method>[A-Z]+) (?<path>[^ "]*)(?: (?<protocol>[^"]*))?" (?<status>\d{3}) (?<body_bytes_sent>\d+|-)(?: "(?<referer>[^"]*)" "(?<user_agent>[^"]*)")?""",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture));

    public static RegexLineParser ApacheCombined() => new("apache", new Regex(
        """^(?<client>\S+) (?<ident>\S+) (?<user>\S+) \[(?<time>[^\]]+)\] "(?<method>[A-Z]+) (?<path>[^ "]*)(?: (?<protocol>[^"]*))?" (?<status>\d{3}) (?<bytes>\d+|-)(?: "(?<referer>[^"]*)" "(?<user_agent>[^"]*)")?""",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture));

    /// <summary>RFC 5424: <c>&lt;PRI&gt;1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG</c>.</summary>
    public static RegexLineParser Syslog5424() => new("syslog", new Regex(
        """^<(?<pri>\d{1,3})>1 (?<timestamp>\S+) (?<hostname>\S+) (?<app_name>\S+) (?<procid>\S+) (?<msgid>\S+) (?<structured_data>-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: (?<message>.*))?$""",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Singleline));

    /// <summary>RFC 3164: <c>&lt;PRI&gt;Mmm dd hh:mm:ss HOST TAG[PID]: MSG</c>.</summary>
    public static RegexLineParser Syslog3164() => new("syslog", new Regex(
        """^<(?<pri>\d{1,3})>(?<timestamp>[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}) (?<hostname>\S+) (?<app_name>[^:\[\s]+)(?:\[(?<procid>[^\]]+)\])?: ?(?<message>.*)$""",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Singleline));

    public override bool TryParse(ReadOnlySpan<byte> text, Utf8JsonWriter w, out string error)
    {
        error = "";
        char[] chars = ArrayPool<char>.Shared.Rent(Math.Max(16, text.Length));
        try
        {
            int n = System.Text.Encoding.UTF8.GetChars(text, chars);
            // Group values need a Match, which needs a string: a user's regex allocates per parsed event (the other
            // formats do not). Regex.EnumerateMatches runs over a span without allocating, but its ValueMatch has only
            // the whole match's extent, no groups (a group API without a Match is dotnet/runtime#73223, still open).
            var match = _regex.Match(new string(chars, 0, n));
            if (!match.Success)
            {
                error = $"the text does not match the {Format} pattern";
                return false;
            }
            w.WriteStartObject();
            for (int g = 0; g < _groupNumbers.Length; g++)
            {
                var group = match.Groups[_groupNumbers[g]];
                if (!group.Success) continue;
                w.WriteString(_groupNamesUtf8[g], group.ValueSpan);
            }
            w.WriteEndObject();
            return true;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars, clearArray: true);
        }
    }
}

/// <summary>
/// <c>syslog</c>: an RFC 5424 line when it has the version 1 after the priority, else RFC 3164. Read by hand over the
/// decoded characters (no string per event) with the members and values of <see cref="RegexLineParser.Syslog5424"/> and
/// <see cref="RegexLineParser.Syslog3164"/>: each part of those expressions matches in one way only, so one forward
/// scan finds what they find (<c>\s</c>, <c>\d</c> as .NET's regex has them over UTF-16: char.IsWhiteSpace, char.IsDigit).
/// </summary>
internal sealed class SyslogLineParser : LineParser
{
    private static readonly byte[][] Names5424 = [.. new[] { "pri", "timestamp", "hostname", "app_name", "procid", "msgid", "structured_data", "message" }.Select(System.Text.Encoding.UTF8.GetBytes)];
    private static readonly byte[][] Names3164 = [.. new[] { "pri", "timestamp", "hostname", "app_name", "procid", "message" }.Select(System.Text.Encoding.UTF8.GetBytes)];

    public override string Format => "syslog";

    /// <summary>Whether the line is read as RFC 5424 (a <c>1 </c> right after the priority's <c>&gt;</c>).</summary>
    public static bool IsRfc5424(ReadOnlySpan<byte> text)
    {
        int close = text.IndexOf((byte)'>');
        return close > 0 && close + 2 < text.Length && text[close + 1] == '1' && text[close + 2] == ' ';
    }

    public override bool TryParse(ReadOnlySpan<byte> text, Utf8JsonWriter w, out string error)
    {
        error = "";
        bool is5424 = IsRfc5424(text);
        char[] chars = ArrayPool<char>.Shared.Rent(Math.Max(16, text.Length));
        try
        {
            int n = System.Text.Encoding.UTF8.GetChars(text, chars);
            var line = chars.AsSpan(0, n);
            Span<Range> parts = stackalloc Range[8];
            Span<bool> present = stackalloc bool[8];
            var names = is5424 ? Names5424 : Names3164;
            if (!(is5424 ? Match5424(line, parts, present) : Match3164(line, parts, present)))
            {
                error = "the text does not match the syslog pattern";
                return false;
            }
            w.WriteStartObject();
            for (int i = 0; i < names.Length; i++)
                if (present[i]) w.WriteString(names[i], line[parts[i]]);
            w.WriteEndObject();
            return true;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars, clearArray: true);
        }
    }

    // ^<(\d{1,3})>  — the priority; i after the '>'.
    private static bool Priority(ReadOnlySpan<char> s, Span<Range> parts, Span<bool> present, ref int i)
    {
        if (!At(s, 0, '<')) return false;
        i = 1;
        while (i < s.Length && i < 4 && char.IsDigit(s[i])) i++;
        if (i == 1 || !At(s, i, '>')) return false;
        parts[0] = 1..i;
        present[0] = true;
        i++;
        return true;
    }

    // ^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: (.*))?$   (Singleline)
    private static bool Match5424(ReadOnlySpan<char> s, Span<Range> parts, Span<bool> present)
    {
        int i = 0;
        if (!Priority(s, parts, present, ref i)) return false;
        if (!At(s, i, '1') || !At(s, i + 1, ' ')) return false;
        i += 2;
        for (int f = 1; f <= 5; f++)
        {
            int start = i;
            while (i < s.Length && !char.IsWhiteSpace(s[i])) i++;
            if (i == start || !At(s, i, ' ')) return false;
            parts[f] = start..i;
            present[f] = true;
            i++;
        }
        int sd = i;
        if (At(s, i, '-')) i++;
        else
        {
            // One or more [..] blocks; inside, a backslash takes the next character whatever it is.
            while (At(s, i, '['))
            {
                int j = i + 1;
                while (j < s.Length && s[j] != ']')
                {
                    if (s[j] == '\\')
                    {
                        if (j + 1 >= s.Length) break;
                        j++;
                    }
                    j++;
                }
                if (!At(s, j, ']')) break;
                i = j + 1;
            }
            if (i == sd) return false;
        }
        parts[6] = sd..i;
        present[6] = true;
        if (At(s, i, ' '))
        {
            parts[7] = (i + 1)..s.Length;
            present[7] = true;
            return true;
        }
        // $ without Multiline: the end, or before a final newline.
        return i == s.Length || (i == s.Length - 1 && s[i] == '\n');
    }

    // ^<(\d{1,3})>([A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}) (\S+) ([^:\[\s]+)(?:\[([^\]]+)\])?: ?(.*)$   (Singleline)
    private static bool Match3164(ReadOnlySpan<char> s, Span<Range> parts, Span<bool> present)
    {
        int i = 0;
        if (!Priority(s, parts, present, ref i)) return false;
        int t = i;
        if (i + 15 > s.Length) return false;
        if (s[i] is not (>= 'A' and <= 'Z') || s[i + 1] is not (>= 'a' and <= 'z') || s[i + 2] is not (>= 'a' and <= 'z') || s[i + 3] != ' ') return false;
        if (!(s[i + 4] == ' ' || char.IsDigit(s[i + 4])) || !char.IsDigit(s[i + 5]) || s[i + 6] != ' ') return false;
        if (!char.IsDigit(s[i + 7]) || !char.IsDigit(s[i + 8]) || s[i + 9] != ':' || !char.IsDigit(s[i + 10]) || !char.IsDigit(s[i + 11])
            || s[i + 12] != ':' || !char.IsDigit(s[i + 13]) || !char.IsDigit(s[i + 14])) return false;
        i += 15;
        parts[1] = t..i;
        present[1] = true;
        if (!At(s, i, ' ')) return false;
        int h = ++i;
        while (i < s.Length && !char.IsWhiteSpace(s[i])) i++;
        if (i == h || !At(s, i, ' ')) return false;
        parts[2] = h..i;
        present[2] = true;
        int a = ++i;
        while (i < s.Length && s[i] != ':' && s[i] != '[' && !char.IsWhiteSpace(s[i])) i++;
        if (i == a) return false;
        parts[3] = a..i;
        present[3] = true;
        if (At(s, i, '['))
        {
            int p = i + 1, j = p;
            while (j < s.Length && s[j] != ']') j++;
            // The group is taken only when it is whole and a ':' follows; else nothing after the name can match.
            if (j == p || !At(s, j, ']') || !At(s, j + 1, ':')) return false;
            parts[4] = p..j;
            present[4] = true;
            i = j + 1;
        }
        if (!At(s, i, ':')) return false;
        i++;
        if (At(s, i, ' ')) i++;
        parts[5] = i..s.Length;
        present[5] = true;
        return true;
    }

    private static bool At(ReadOnlySpan<char> s, int i, char c) => i < s.Length && s[i] == c;
}
