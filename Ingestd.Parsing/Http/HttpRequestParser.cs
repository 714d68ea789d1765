using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using Ingestd.Parsing.Errors;
using static Ingestd.Parsing.Http.HttpChars;

namespace Ingestd.Parsing.Http;

/// <summary>
/// HTTP/1.1 request-head parser (RFC 9112 §2–§3, §5, §6). Stateless itself: progress lives in the
/// <see cref="HttpRequestHead"/>, so a head that arrives in pieces is parsed line by line as it
/// arrives, never re-scanning complete lines. The common single-segment buffer is scanned as one
/// span; lines that straddle segments are found with <see cref="SequenceReader{T}"/> and copied.
/// </summary>
internal static class HttpRequestParser
{
    /// <summary>
    /// Parses the head at the start of <paramref name="buffer"/>. True: the head is complete and
    /// <paramref name="consumed"/> (= <paramref name="examined"/>) is right after its final CRLF.
    /// False: more bytes are needed; <paramref name="consumed"/> is the buffer start and
    /// <paramref name="examined"/> its end. The next call must pass the same bytes again (plus
    /// more) with the same head; a completed head is reset automatically on the next call.
    /// Call <see cref="HttpRequestHead.Reset"/> when the bytes start over some other way
    /// (a new connection, or after this method threw).
    /// </summary>
    /// <exception cref="RequestRejectedException">The head is malformed or over a limit.</exception>
    public static bool TryParseHead(ReadOnlySequence<byte> buffer, HttpRequestHead head, HttpLimits limits,
        out SequencePosition consumed, out SequencePosition examined)
    {
        if (head.Phase == HeadPhase.Complete || head.ResumeOffset > buffer.Length) head.Reset();

        bool done;
        long end;
        if (buffer.IsSingleSegment)
        {
            done = ParseSpan(buffer.FirstSpan, head, limits, out int spanEnd);
            end = spanEnd;
        }
        else
        {
            done = ParseSequence(buffer, head, limits, out end);
        }

        if (done)
        {
            consumed = examined = buffer.GetPosition(end);
            return true;
        }
        consumed = buffer.Start;
        examined = buffer.End;
        return false;
    }

    private static bool ParseSpan(ReadOnlySpan<byte> span, HttpRequestHead head, HttpLimits limits, out int end)
    {
        int pos = (int)head.ResumeOffset;
        while (true)
        {
            var rest = span.Slice(pos);
            int lf = rest.IndexOf(LF);
            if (lf < 0)
            {
                CheckIncomplete(head, limits, rest.Length);
                head.ResumeOffset = pos;
                end = 0;
                return false;
            }
            CountLine(head, limits, lf + 1);
            pos += lf + 1;
            if (ProcessLine(rest.Slice(0, lf), head, limits))
            {
                end = pos;
                return true;
            }
        }
    }

    private static bool ParseSequence(in ReadOnlySequence<byte> buffer, HttpRequestHead head, HttpLimits limits, out long end)
    {
        var reader = new SequenceReader<byte>(buffer);
        reader.Advance(head.ResumeOffset);
        while (true)
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> line, LF, advancePastDelimiter: true))
            {
                CheckIncomplete(head, limits, reader.Remaining);
                head.ResumeOffset = reader.Consumed;
                end = 0;
                return false;
            }
            CountLine(head, limits, line.Length + 1);
            var span = line.IsSingleSegment ? line.FirstSpan : head.CopyToScratch(line);
            if (ProcessLine(span, head, limits))
            {
                end = reader.Consumed;
                return true;
            }
        }
    }

    /// <summary>Applies the size limits to a complete line (including its LF) before it is looked at.</summary>
    private static void CountLine(HttpRequestHead head, HttpLimits limits, long lineBytes)
    {
        if (head.Phase == HeadPhase.RequestLine)
        {
            // Empty lines before the request line count too, so endless CRLFs cannot grow the buffer.
            if (head.RequestLineBytes + lineBytes > limits.MaxRequestLineBytes) Rejection.Throw(RejectReason.RequestLineTooLong);
            head.RequestLineBytes += (int)lineBytes;
        }
        else if (lineBytes > 2)
        {
            // The final empty line (2 bytes) is not a field line and is not counted.
            if (head.HeaderBytes + lineBytes > limits.MaxHeaderBytes) Rejection.Throw(RejectReason.HeadersTooLarge);
            head.HeaderBytes += (int)lineBytes;
        }
    }

    /// <summary>
    /// Refuses an unfinished line that can no longer fit, instead of waiting for a line end forever.
    /// The line will be at least <paramref name="pending"/>+1 bytes long once its LF arrives.
    /// </summary>
    private static void CheckIncomplete(HttpRequestHead head, HttpLimits limits, long pending)
    {
        if (head.Phase == HeadPhase.RequestLine)
        {
            if (head.RequestLineBytes + pending + 1 > limits.MaxRequestLineBytes) Rejection.Throw(RejectReason.RequestLineTooLong);
        }
        else if (pending > 1 && head.HeaderBytes + pending + 1 > limits.MaxHeaderBytes)
        {
            // One pending byte may be the CR of the final empty line, which is not counted.
            Rejection.Throw(RejectReason.HeadersTooLarge);
        }
    }

    /// <summary>Handles one line without its LF. True when it was the empty line that ends the head.</summary>
    private static bool ProcessLine(ReadOnlySpan<byte> line, HttpRequestHead head, HttpLimits limits)
    {
        // Lines end in CRLF; a bare LF is not accepted as a line end (RFC 9112 §2.2 lets us refuse it).
        if (line.IsEmpty || line[^1] != CR)
        {
            Fail(head.Phase == HeadPhase.RequestLine ? RejectReason.InvalidRequestLine : RejectReason.InvalidHeader, line);
        }
        var content = line[..^1];

        if (head.Phase == HeadPhase.RequestLine)
        {
            // RFC 9112 §2.2: ignore at least one empty line received before the request line.
            if (content.IsEmpty) return false;
            ParseRequestLine(content, head);
            head.Phase = HeadPhase.Headers;
            return false;
        }

        if (content.IsEmpty)
        {
            CompleteHead(head);
            return true;
        }

        SplitFieldLine(content, out var name, out var value);
        if (head.HeaderCount >= limits.MaxHeaderCount) Rejection.Throw(RejectReason.TooManyHeaders);
        head.AddHeader(name, value);
        InterpretField(name, value, head);
        return false;
    }

    // request-line = method SP request-target SP HTTP-version (RFC 9112 §3)
    private static void ParseRequestLine(ReadOnlySpan<byte> line, HttpRequestHead head)
    {
        int sp1 = line.IndexOf(SP);
        if (sp1 <= 0) Fail(RejectReason.InvalidRequestLine, line);
        var methodBytes = line[..sp1];
        if (methodBytes.IndexOfAnyExcept(Tchar) >= 0) Fail(RejectReason.InvalidMethod, line);

        int sp2 = line.LastIndexOf(SP);
        if (sp2 == sp1) Fail(RejectReason.InvalidRequestLine, line);
        var target = line[(sp1 + 1)..sp2];
        // Exactly one SP between the parts: an empty target or one with a leading or trailing SP means doubled spaces.
        if (target.IsEmpty || target[0] == SP || target[^1] == SP) Fail(RejectReason.InvalidRequestLine, line);

        bool isHttp11 = ParseVersion(line[(sp2 + 1)..], line);
        var method = ParseMethod(methodBytes);

        if (target.IndexOfAnyExcept(TargetChar) >= 0) Fail(RejectReason.InvalidRequestTarget, line);

        int pathStart, pathLength, queryStart, queryLength;
        if (target[0] == Slash)
        {
            // origin-form (RFC 9112 §3.2.1)
            SplitPathAndQuery(target, 0, out pathStart, out pathLength, out queryStart, out queryLength);
        }
        else if (target.Length == 1 && target[0] == Asterisk)
        {
            // asterisk-form, only for a server-wide OPTIONS (RFC 9112 §3.2.4)
            if (method != HttpMethod.Options) Fail(RejectReason.InvalidRequestTarget, line);
            pathStart = 0;
            pathLength = 1;
            queryStart = 1;
            queryLength = 0;
        }
        else
        {
            // absolute-form (RFC 9112 §3.2.2); authority-form (CONNECT) is not served.
            int schemeLength = SchemeLength(target);
            if (schemeLength == 0) Fail(RejectReason.InvalidRequestTarget, line);
            var afterScheme = target[schemeLength..];
            int authorityLength = afterScheme.IndexOfAny(Slash, Question);
            if (authorityLength < 0) authorityLength = afterScheme.Length;
            var authority = afterScheme[..authorityLength];
            // The authority is the request's host (RFC 9112 §3.2.2), so it obeys the same uri-host [ ":" port ]
            // as Host; that also refuses userinfo, an error in a request target (RFC 9110 §4.2.4).
            if (authority.IsEmpty || !HostField.IsValid(authority)) Fail(RejectReason.InvalidRequestTarget, line);
            int rest = schemeLength + authorityLength;
            SplitPathAndQuery(target, rest, out pathStart, out pathLength, out queryStart, out queryLength);
            if (pathLength == 0) pathLength = -1; // no path: "/"
        }

        head.SetRequestLine(method, methodBytes, target, pathStart, pathLength, queryStart, queryLength, isHttp11);
    }

    private static void SplitPathAndQuery(ReadOnlySpan<byte> target, int start, out int pathStart, out int pathLength,
        out int queryStart, out int queryLength)
    {
        pathStart = start;
        int q = target[start..].IndexOf(Question);
        if (q < 0)
        {
            pathLength = target.Length - start;
            queryStart = target.Length;
            queryLength = 0;
        }
        else
        {
            pathLength = q;
            queryStart = start + q + 1;
            queryLength = target.Length - queryStart;
        }
    }

    /// <summary>Length of a leading "http://" or "https://" (scheme is case-insensitive, RFC 3986 §3.1), else 0.</summary>
    private static int SchemeLength(ReadOnlySpan<byte> target)
    {
        if (target.Length >= 7 && Ascii.EqualsIgnoreCase(target[..7], "http://"u8)) return 7;
        if (target.Length >= 8 && Ascii.EqualsIgnoreCase(target[..8], "https://"u8)) return 8;
        return 0;
    }

    // HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3)
    private static bool ParseVersion(ReadOnlySpan<byte> version, ReadOnlySpan<byte> line)
    {
        if (version.SequenceEqual("HTTP/1.1"u8)) return true;
        if (version.SequenceEqual("HTTP/1.0"u8)) return false;
        if (version.Length == 8 && version.StartsWith("HTTP/"u8) && IsDigit(version[5]) && version[6] == '.' && IsDigit(version[7]))
        {
            Rejection.Throw(RejectReason.UnsupportedHttpVersion);
        }
        Fail(RejectReason.InvalidRequestLine, line);
        return false;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    // Methods are case-sensitive (RFC 9110 §9.1).
    private static HttpMethod ParseMethod(ReadOnlySpan<byte> m) => m.Length switch
    {
        3 when m.SequenceEqual("GET"u8) => HttpMethod.Get,
        3 when m.SequenceEqual("PUT"u8) => HttpMethod.Put,
        4 when m.SequenceEqual("POST"u8) => HttpMethod.Post,
        4 when m.SequenceEqual("HEAD"u8) => HttpMethod.Head,
        5 when m.SequenceEqual("PATCH"u8) => HttpMethod.Patch,
        5 when m.SequenceEqual("TRACE"u8) => HttpMethod.Trace,
        6 when m.SequenceEqual("DELETE"u8) => HttpMethod.Delete,
        7 when m.SequenceEqual("OPTIONS"u8) => HttpMethod.Options,
        7 when m.SequenceEqual("CONNECT"u8) => HttpMethod.Connect,
        _ => HttpMethod.Unknown,
    };

    /// <summary>
    /// Splits a field line (without CRLF) into name and OWS-trimmed value, refusing what
    /// RFC 9112 §5 refuses. Used for header and trailer fields alike.
    /// </summary>
    internal static void SplitFieldLine(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        // A line starting with whitespace continues the previous one: obs-fold, refused (RFC 9112 §5.2).
        if (line[0] == SP || line[0] == HTAB) Fail(RejectReason.ObsoleteLineFolding, line);
        int colon = line.IndexOf(Colon);
        if (colon <= 0) Fail(RejectReason.InvalidHeader, line);
        name = line[..colon];
        // RFC 9112 §5.1: whitespace between name and colon MUST be rejected (request smuggling).
        if (name[^1] == SP || name[^1] == HTAB) Fail(RejectReason.HeaderWhitespaceBeforeColon, line);
        if (name.IndexOfAnyExcept(Tchar) >= 0) Fail(RejectReason.InvalidHeader, line);
        value = line[(colon + 1)..].Trim(Ows);
        if (value.IndexOfAny(InvalidFieldValueChar) >= 0) Fail(RejectReason.InvalidHeader, line);
    }

    /// <summary>Picks up the fields that decide framing and connection handling.</summary>
    private static void InterpretField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, HttpRequestHead head)
    {
        switch (name.Length)
        {
            case 4 when Ascii.EqualsIgnoreCase(name, "host"u8):
                // RFC 9112 §3.2: more than one Host is a 400.
                if (++head.HostCount > 1) Rejection.Throw(RejectReason.InvalidHeader, "more than one Host header field");
                // ... and so is a Host whose value is not uri-host [ ":" port ] (same section).
                if (!HostField.IsValid(value)) Rejection.Throw(RejectReason.InvalidHost);
                break;
            case 12 when Ascii.EqualsIgnoreCase(name, "content-type"u8):
                InterpretContentType(value, head);
                break;
            case 6 when Ascii.EqualsIgnoreCase(name, "expect"u8):
                if (Ascii.EqualsIgnoreCase(value, "100-continue"u8)) head.ExpectContinueSeen = true;
                break;
            case 10 when Ascii.EqualsIgnoreCase(name, "connection"u8):
                InterpretConnection(value, head);
                break;
            case 14 when Ascii.EqualsIgnoreCase(name, "content-length"u8):
                InterpretContentLength(value, head);
                break;
            case 17 when Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8):
                InterpretTransferEncoding(value, head);
                break;
        }
    }

    // Content-Type is a singleton field (RFC 9110 §8.3, §5.5): the same value sent twice is harmless,
    // two different ones leave the body's format to a guess, and intermediaries may guess differently.
    private static void InterpretContentType(ReadOnlySpan<byte> value, HttpRequestHead head)
    {
        if (!head.ContentTypeSeen)
        {
            head.ContentTypeSeen = true;
            return;
        }
        // The head keeps every field; the first Content-Type is the one TryGetHeader finds.
        head.TryGetHeader("content-type"u8, out var first);
        if (!first.SequenceEqual(value)) Rejection.Throw(RejectReason.ConflictingContentType);
    }

    // Connection = #connection-option (RFC 9110 §7.6.1)
    private static void InterpretConnection(ReadOnlySpan<byte> value, HttpRequestHead head)
    {
        foreach (var range in value.Split(Comma))
        {
            var option = value[range].Trim(Ows);
            if (Ascii.EqualsIgnoreCase(option, "close"u8)) head.ConnectionClose = true;
            else if (Ascii.EqualsIgnoreCase(option, "keep-alive"u8)) head.ConnectionKeepAlive = true;
        }
    }

    // Content-Length = 1*DIGIT; a list of identical values may be taken as one (RFC 9110 §8.6).
    private static void InterpretContentLength(ReadOnlySpan<byte> value, HttpRequestHead head)
    {
        long result = -1;
        foreach (var range in value.Split(Comma))
        {
            var element = value[range].Trim(Ows);
            if (element.IsEmpty) Rejection.Throw(RejectReason.InvalidContentLength);
            long n = 0;
            foreach (byte b in element)
            {
                uint digit = (uint)(b - '0');
                if (digit > 9) Rejection.Throw(RejectReason.InvalidContentLength);
                if (n > (long.MaxValue - digit) / 10) Rejection.Throw(RejectReason.InvalidContentLength, "Content-Length is too large");
                n = n * 10 + digit;
            }
            if (result >= 0 && n != result) Rejection.Throw(RejectReason.ConflictingContentLength);
            result = n;
        }
        if (head.ContentLength >= 0 && head.ContentLength != result) Rejection.Throw(RejectReason.ConflictingContentLength);
        head.ContentLength = result;
    }

    // Transfer-Encoding = #transfer-coding; we decode exactly one coding: chunked (RFC 9112 §6.1, §7).
    private static void InterpretTransferEncoding(ReadOnlySpan<byte> value, HttpRequestHead head)
    {
        head.TransferEncodingSeen = true;
        foreach (var range in value.Split(Comma))
        {
            var coding = value[range].Trim(Ows);
            if (coding.IsEmpty) continue; // empty list elements are ignored (RFC 9110 §5.6.1)
            if (!Ascii.EqualsIgnoreCase(coding, "chunked"u8)) Rejection.Throw(RejectReason.UnsupportedTransferEncoding);
            // chunked must not be applied twice (RFC 9112 §6.1).
            if (head.IsChunked) Rejection.Throw(RejectReason.UnsupportedTransferEncoding, "chunked applied more than once");
            head.IsChunked = true;
        }
    }

    private static void CompleteHead(HttpRequestHead head)
    {
        if (head.TransferEncodingSeen)
        {
            // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing.
            if (!head.IsHttp11) Rejection.Throw(RejectReason.UnsupportedTransferEncoding, "Transfer-Encoding in an HTTP/1.0 request");
            // RFC 9112 §6.1: both present is a smuggling vector; refuse rather than guess.
            if (head.ContentLength >= 0) Rejection.Throw(RejectReason.ContentLengthWithTransferEncoding);
            if (!head.IsChunked) Rejection.Throw(RejectReason.UnsupportedTransferEncoding, "Transfer-Encoding without a coding");
        }
        if (head.IsHttp11 && head.HostCount == 0) Rejection.Throw(RejectReason.MissingHost);

        // RFC 9112 §9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive".
        head.KeepAlive = !head.ConnectionClose && (head.IsHttp11 || head.ConnectionKeepAlive);
        head.ExpectContinue = head.IsHttp11 && head.ExpectContinueSeen;
        head.Phase = HeadPhase.Complete;
    }

    /// <summary>Refuses a malformed line; a CR inside it is reported as what it most likely is, a bare CR (RFC 9112 §2.2).</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void Fail(RejectReason reason, ReadOnlySpan<byte> line)
    {
        // Callers pass the line without its CRLF (or, for a missing CR, without its LF), so any CR left is bare.
        if (line.Contains(CR)) Rejection.Throw(RejectReason.BareCarriageReturn);
        Rejection.Throw(reason);
    }
}
