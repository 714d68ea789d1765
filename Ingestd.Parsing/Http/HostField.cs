using System.Buffers;
using static Ingestd.Parsing.Http.HttpChars;

namespace Ingestd.Parsing.Http;

/// <summary>
/// The syntax of a Host field value: Host = uri-host [ ":" port ] (RFC 9110 §7.2), with uri-host and
/// port from RFC 3986 §3.2.2–§3.2.3. RFC 9112 §3.2 makes any other value a 400.
/// </summary>
internal static class HostField
{
    // reg-name = *( unreserved / pct-encoded / sub-delims ); '%' is checked to start a pct-encoded triplet.
    // An IPv4address is also a reg-name, so it needs no check of its own here.
    private static readonly SearchValues<byte> RegNameChar = SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=%"u8);

    // IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
    private static readonly SearchValues<byte> FutureChar = SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:"u8);

    /// <summary>True for an empty value (a target URI without authority, RFC 9110 §7.2) and for uri-host [ ":" port ].</summary>
    public static bool IsValid(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty) return true;

        ReadOnlySpan<byte> rest;
        if (value[0] == (byte)'[')
        {
            // IP-literal = "[" ( IPv6address / IPvFuture ) "]"
            int close = value.IndexOf((byte)']');
            if (close < 0 || !IsIpLiteral(value[1..close])) return false;
            rest = value[(close + 1)..];
        }
        else
        {
            int colon = value.IndexOf(Colon);
            var host = colon < 0 ? value : value[..colon];
            // An http URI's host must not be empty (RFC 9110 §4.2.1), so neither may Host's with a port.
            if (host.IsEmpty || !IsRegName(host)) return false;
            rest = colon < 0 ? default : value[colon..];
        }

        // [ ":" port ], port = *DIGIT (RFC 3986 §3.2.3: it may be empty)
        return rest.IsEmpty || (rest[0] == Colon && !rest[1..].ContainsAnyExceptInRange((byte)'0', (byte)'9'));
    }

    private static bool IsRegName(ReadOnlySpan<byte> host)
    {
        if (host.ContainsAnyExcept(RegNameChar)) return false;
        // pct-encoded = "%" HEXDIG HEXDIG
        for (int i = host.IndexOf((byte)'%'); i >= 0; )
        {
            if (i + 2 >= host.Length || !IsHex(host[i + 1]) || !IsHex(host[i + 2])) return false;
            int next = host[(i + 3)..].IndexOf((byte)'%');
            i = next < 0 ? -1 : i + 3 + next;
        }
        return true;
    }

    private static bool IsIpLiteral(ReadOnlySpan<byte> inner)
    {
        if (inner.IsEmpty) return false;
        if ((inner[0] | 0x20) != 'v') return IsIPv6(inner);

        int dot = inner.IndexOf((byte)'.');
        if (dot < 2 || dot == inner.Length - 1) return false;
        foreach (byte b in inner[1..dot])
            if (!IsHex(b)) return false;
        return !inner[(dot + 1)..].ContainsAnyExcept(FutureChar);
    }

    /// <summary>
    /// IPv6address of RFC 3986 §3.2.2: eight h16 pieces (1–4 hex digits) separated by ':', the last two
    /// possibly written as an IPv4address, and at most one "::" standing for one or more zero pieces.
    /// Zone identifiers are not part of that grammar.
    /// </summary>
    private static bool IsIPv6(ReadOnlySpan<byte> s)
    {
        int pieces = 0;
        bool compressed = false;
        int i = 0;
        if (s.StartsWith("::"u8))
        {
            compressed = true;
            i = 2;
            if (i == s.Length) return true;
        }

        while (true)
        {
            int start = i;
            while (i < s.Length && IsHex(s[i])) i++;
            if (i < s.Length && s[i] == (byte)'.')
            {
                // ls32 written as an IPv4address: only as the last part, worth two pieces.
                if (!IsIPv4(s[start..])) return false;
                pieces += 2;
                break;
            }
            int length = i - start;
            if (length is 0 or > 4) return false;
            pieces++;
            if (i == s.Length) break;
            if (s[i] != Colon) return false;
            i++;
            if (i < s.Length && s[i] == Colon)
            {
                if (compressed) return false;
                compressed = true;
                i++;
                if (i == s.Length) break;
            }
            else if (i == s.Length)
            {
                return false; // a single trailing ':'
            }
        }
        return compressed ? pieces <= 7 : pieces == 8;
    }

    // IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet, dec-octet = 0–255 without leading zeros
    private static bool IsIPv4(ReadOnlySpan<byte> s)
    {
        int octets = 0;
        int i = 0;
        while (true)
        {
            int start = i, value = 0;
            while (i < s.Length && (uint)(s[i] - '0') <= 9 && i - start < 3) value = value * 10 + (s[i++] - '0');
            int length = i - start;
            if (length == 0 || value > 255 || (length > 1 && s[start] == (byte)'0')) return false;
            if (++octets == 4) return i == s.Length;
            if (i == s.Length || s[i] != (byte)'.') return false;
            i++;
        }
    }

    private static bool IsHex(byte b) => (uint)(b - '0') <= 9 || (uint)((b | 0x20) - 'a') <= 5;
}
