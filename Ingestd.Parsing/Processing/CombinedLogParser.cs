using System.Buffers;
using System.Text.Json;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// <c>nginx</c> and <c>apache</c>: the combined access log line, read by hand over the decoded characters instead of
/// through <see cref="RegexLineParser.NginxCombined"/>'s expression (which needs a string per event), with the same
/// members and values: every part of that expression matches in one way only (each run is as long as it can be and
/// ends where the next literal must begin), so a single forward scan finds what the expression finds.
/// </summary>
internal sealed class CombinedLogParser : LineParser
{
    // Members in the expression's group order: the three leading fields (null: not captured), time, method, path,
    // protocol, status, bytes, referer, user agent.
    private readonly byte[]?[] _names;

    private CombinedLogParser(string format, string?[] names)
    {
        Format = format;
        _names = names.Select(n => n is null ? null : System.Text.Encoding.UTF8.GetBytes(n)).ToArray();
    }

    public override string Format { get; }

    public static CombinedLogParser Nginx() => new("nginx",
        ["remote_addr", null, "remote_user", "time_local", "method", "path", "protocol", "status", "body_bytes_sent", "referer", "user_agent"]);

    public static CombinedLogParser Apache() => new("apache",
        ["client", "ident", "user", "time", "method", "path", "protocol", "status", "bytes", "referer", "user_agent"]);

    public override bool TryParse(ReadOnlySpan<byte> text, Utf8JsonWriter w, out string error)
    {
        error = "";
        char[] chars = ArrayPool<char>.Shared.Rent(Math.Max(16, text.Length));
        try
        {
            int n = System.Text.Encoding.UTF8.GetChars(text, chars);
            Span<Range> parts = stackalloc Range[11];
            if (!Match(chars.AsSpan(0, n), parts, out bool protocol, out bool quoted))
            {
                error = $"the text does not match the {Format} pattern";
                return false;
            }
            var line = chars.AsSpan(0, n);
            w.WriteStartObject();
            for (int i = 0; i < parts.Length; i++)
            {
                if (_names[i] is not { } name || (i == 6 && !protocol) || (i >= 9 && !quoted)) continue;
                w.WriteString(name, line[parts[i]]);
            }
            w.WriteEndObject();
            return true;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars, clearArray: true);
        }
    }

    // ^(\S+) (\S+) (\S+) \[([^\]]+)\] "([A-Z]+) ([^ "]*)(?: ([^"]*))?" (\d{3}) (\d+|-)(?: "([^"]*)" "([^"]*)")?
    // (\s and \d as .NET's regex has them over UTF-16: char.IsWhiteSpace, char.IsDigit.)
    private static bool Match(ReadOnlySpan<char> s, Span<Range> parts, out bool protocol, out bool quoted)
    {
        protocol = quoted = false;
        int i = 0;
        for (int f = 0; f < 3; f++)
        {
            int start = i;
            while (i < s.Length && !char.IsWhiteSpace(s[i])) i++;
            if (i == start || !At(s, i, ' ')) return false;
            parts[f] = start..i;
            i++;
        }
        if (!At(s, i, '[')) return false;
        int t = ++i;
        while (i < s.Length && s[i] != ']') i++;
        if (i == t || i >= s.Length) return false;
        parts[3] = t..i;
        i++;
        if (!At(s, i, ' ') || !At(s, i + 1, '"')) return false;
        i += 2;
        int m = i;
        while (i < s.Length && s[i] is >= 'A' and <= 'Z') i++;
        if (i == m || !At(s, i, ' ')) return false;
        parts[4] = m..i;
        int p = ++i;
        while (i < s.Length && s[i] != ' ' && s[i] != '"') i++;
        parts[5] = p..i;
        if (At(s, i, ' '))
        {
            int q = ++i;
            while (i < s.Length && s[i] != '"') i++;
            if (i >= s.Length) return false;
            parts[6] = q..i;
            protocol = true;
        }
        if (!At(s, i, '"') || !At(s, i + 1, ' ')) return false;
        i += 2;
        if (i + 3 > s.Length || !char.IsDigit(s[i]) || !char.IsDigit(s[i + 1]) || !char.IsDigit(s[i + 2]) || !At(s, i + 3, ' ')) return false;
        parts[7] = i..(i + 3);
        i += 4;
        int b = i;
        while (i < s.Length && char.IsDigit(s[i])) i++;
        if (i == b)
        {
            if (!At(s, i, '-')) return false;
            i++;
        }
        parts[8] = b..i;
        // The optional quoted pair: taken whole or not at all.
        if (At(s, i, ' ') && At(s, i + 1, '"'))
        {
            int r = i + 2, j = r;
            while (j < s.Length && s[j] != '"') j++;
            if (At(s, j, '"') && At(s, j + 1, ' ') && At(s, j + 2, '"'))
            {
                int u = j + 3, k = u;
                while (k < s.Length && s[k] != '"') k++;
                if (At(s, k, '"'))
                {
                    parts[9] = r..j;
                    parts[10] = u..k;
                    quoted = true;
                }
            }
        }
        return true;
    }

    private static bool At(ReadOnlySpan<char> s, int i, char c) => i < s.Length && s[i] == c;
}
