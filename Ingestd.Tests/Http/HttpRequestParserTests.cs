using System.Buffers;
using System.Text;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using HttpMethod = Ingestd.Parsing.Http.HttpMethod;

namespace Ingestd.Tests.Http;

public class HttpRequestParserTests
{
    private const string Realistic =
        "POST /api/ingest?tenant=a&x=1 HTTP/1.1\r\n" +
        "Host: ingest.example:8080\r\n" +
        "User-Agent: curl/8.5.0\r\n" +
        "Accept: */*\r\n" +
        "Authorization: Bearer tok-123\r\n" +
        "Content-Type: application/x-ndjson\r\n" +
        "Content-Encoding: gzip\r\n" +
        "Content-Length: 1234\r\n" +
        "Expect: 100-continue\r\n" +
        "X-Empty:\r\n" +
        "X-Spaces: \t spaced value \t\r\n" +
        "\r\n";

    // ---- helpers -------------------------------------------------------------------------

    private static string Str(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>Everything observable about a parsed head, so different splits can be compared.</summary>
    private static string Snapshot(HttpRequestHead head, long consumed)
    {
        var sb = new StringBuilder();
        sb.Append($"{head.Method}|{Str(head.MethodBytes)}|{Str(head.Target)}|{Str(head.Path)}|{Str(head.Query)}|");
        sb.Append($"{head.IsHttp11}|{head.ContentLength}|{head.IsChunked}|{head.HasBody}|{head.KeepAlive}|{head.ExpectContinue}|{consumed}");
        for (int i = 0; i < head.HeaderCount; i++) sb.Append($"|{Str(head.GetHeaderName(i))}={Str(head.GetHeaderValue(i))}");
        return sb.ToString();
    }

    private static HttpRequestHead Parse(string text, HttpLimits? limits = null)
    {
        var head = new HttpRequestHead();
        var buffer = Segments.Single(text);
        Assert.True(HttpRequestParser.TryParseHead(buffer, head, limits ?? HttpLimits.Default, out var consumed, out var examined));
        Assert.Equal(consumed, examined);
        Assert.Equal(buffer.Length, buffer.Slice(buffer.Start, consumed).Length);
        return head;
    }

    private static string ParseSnapshot(ReadOnlySequence<byte> buffer, HttpRequestHead? head = null)
    {
        head ??= new HttpRequestHead();
        Assert.True(HttpRequestParser.TryParseHead(buffer, head, HttpLimits.Default, out var consumed, out _));
        return Snapshot(head, buffer.Slice(buffer.Start, consumed).Length);
    }

    private static RejectReason RejectOne(ReadOnlySequence<byte> buffer, HttpLimits limits)
    {
        var ex = Assert.Throws<RequestRejectedException>(() =>
            HttpRequestParser.TryParseHead(buffer, new HttpRequestHead(), limits, out _, out _));
        return ex.Reason;
    }

    /// <summary>The reason the input is refused with; the same whether it arrives in one segment or many.</summary>
    private static RejectReason Reject(string text, HttpLimits? limits = null)
    {
        limits ??= HttpLimits.Default;
        var bytes = Segments.Bytes(text);
        var reason = RejectOne(new ReadOnlySequence<byte>(bytes), limits);
        Assert.Equal(reason, RejectOne(Segments.OneBytePerSegment(bytes), limits));
        Assert.Equal(reason, RejectOne(Segments.Random(bytes, 7), limits));
        return reason;
    }

    private static string Get(string headers = "Host: h\r\n", string target = "/", string version = "HTTP/1.1", string method = "GET")
        => $"{method} {target} {version}\r\n{headers}\r\n";

    // ---- success paths -------------------------------------------------------------------

    [Fact]
    public void Get_without_body_is_parsed()
    {
        var head = Parse("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Assert.Equal(HttpMethod.Get, head.Method);
        Assert.Equal("GET", Str(head.MethodBytes));
        Assert.Equal("/health", Str(head.Target));
        Assert.Equal("/health", Str(head.Path));
        Assert.Equal("", Str(head.Query));
        Assert.True(head.IsHttp11);
        Assert.Equal(-1, head.ContentLength);
        Assert.False(head.IsChunked);
        Assert.False(head.HasBody);
        Assert.True(head.KeepAlive);
        Assert.False(head.ExpectContinue);
        Assert.Equal(1, head.HeaderCount);
        Assert.True(head.IsComplete);
    }

    [Fact]
    public void Post_with_content_length_has_body()
    {
        var head = Parse(Realistic);
        Assert.Equal(HttpMethod.Post, head.Method);
        Assert.Equal("/api/ingest", Str(head.Path));
        Assert.Equal("tenant=a&x=1", Str(head.Query));
        Assert.Equal(1234, head.ContentLength);
        Assert.True(head.HasBody);
        Assert.True(head.ExpectContinue);
        Assert.Equal("application/x-ndjson", Str(head.ContentType));
        Assert.Equal("gzip", Str(head.ContentEncoding));
        Assert.Equal("Bearer tok-123", Str(head.Authorization));
    }

    [Fact]
    public void Content_length_zero_means_no_body()
    {
        var head = Parse(Get("Host: h\r\nContent-Length: 0\r\n", method: "POST"));
        Assert.Equal(0, head.ContentLength);
        Assert.False(head.HasBody);
    }

    [Theory]
    [InlineData("HTTP/1.1", "", true)]
    [InlineData("HTTP/1.1", "Connection: close\r\n", false)]
    [InlineData("HTTP/1.1", "Connection: Upgrade, CLOSE\r\n", false)]
    [InlineData("HTTP/1.1", "Connection: keep-alive\r\n", true)]
    [InlineData("HTTP/1.0", "", false)]
    [InlineData("HTTP/1.0", "Connection: Keep-Alive\r\n", true)]
    [InlineData("HTTP/1.0", "Connection: foo ,keep-alive\r\n", true)]
    [InlineData("HTTP/1.0", "Connection: keep-alive, close\r\n", false)]
    public void Keep_alive_follows_version_default_and_connection_options(string version, string connection, bool keepAlive)
    {
        var head = Parse(Get("Host: h\r\n" + connection, version: version));
        Assert.Equal(keepAlive, head.KeepAlive);
        Assert.Equal(version == "HTTP/1.1", head.IsHttp11);
    }

    [Fact]
    public void Header_lookup_is_case_insensitive_and_returns_first_occurrence()
    {
        var head = Parse(Get("Host: h\r\nX-Thing: one\r\nx-thing: two\r\n"));
        Assert.True(head.TryGetHeader("X-THING"u8, out var value));
        Assert.Equal("one", Str(value));
        Assert.True(head.TryGetHeader("host"u8, out value));
        Assert.Equal("h", Str(value));
        Assert.False(head.TryGetHeader("x-thin"u8, out _));
        Assert.Equal(3, head.HeaderCount);
        Assert.Equal("x-thing", Str(head.GetHeaderName(2)));
        Assert.Equal("two", Str(head.GetHeaderValue(2)));
    }

    [Fact]
    public void Header_values_have_surrounding_whitespace_trimmed()
    {
        var head = Parse(Realistic);
        Assert.True(head.TryGetHeader("x-spaces"u8, out var value));
        Assert.Equal("spaced value", Str(value));
        Assert.True(head.TryGetHeader("x-empty"u8, out value));
        Assert.Equal(0, value.Length);
    }

    [Fact]
    public void Convenience_headers_are_empty_when_absent()
    {
        var head = Parse(Get());
        Assert.Equal(0, head.ContentType.Length);
        Assert.Equal(0, head.ContentEncoding.Length);
        Assert.Equal(0, head.Authorization.Length);
    }

    [Fact]
    public void Header_values_may_hold_htab_and_obs_text()
    {
        var head = Parse(Get("Host: h\r\nX-Text: caf\u00e9\tau lait\u00ff\r\n"));
        Assert.True(head.TryGetHeader("x-text"u8, out var value));
        Assert.Equal("caf\u00e9\tau lait\u00ff", Str(value));
    }

    [Fact]
    public void Leading_empty_lines_are_ignored()
    {
        var head = Parse("\r\n\r\n" + Get());
        Assert.Equal(HttpMethod.Get, head.Method);
    }

    [Theory]
    [InlineData("GET", nameof(HttpMethod.Get))]
    [InlineData("HEAD", nameof(HttpMethod.Head))]
    [InlineData("POST", nameof(HttpMethod.Post))]
    [InlineData("PUT", nameof(HttpMethod.Put))]
    [InlineData("DELETE", nameof(HttpMethod.Delete))]
    [InlineData("OPTIONS", nameof(HttpMethod.Options))]
    [InlineData("PATCH", nameof(HttpMethod.Patch))]
    [InlineData("CONNECT", nameof(HttpMethod.Connect))]
    [InlineData("TRACE", nameof(HttpMethod.Trace))]
    [InlineData("PROPFIND", nameof(HttpMethod.Unknown))]
    [InlineData("get", nameof(HttpMethod.Unknown))]
    [InlineData("X-M!#$%&'*+-.^_`|~", nameof(HttpMethod.Unknown))]
    public void Method_is_recognised_case_sensitively_and_unknown_tokens_are_kept(string method, string expected)
    {
        var head = Parse(Get(method: method));
        Assert.Equal(expected, head.Method.ToString());
        Assert.Equal(method, Str(head.MethodBytes));
    }

    [Theory]
    [InlineData("http://example.com/p?q=1", "/p", "q=1")]
    [InlineData("HTTPS://example.com:443/a/b", "/a/b", "")]
    [InlineData("http://example.com", "/", "")]
    [InlineData("http://example.com?x", "/", "x")]
    [InlineData("http://[::1]:8080/p", "/p", "")]
    [InlineData("/p?", "/p", "")]
    [InlineData("/p?a?b", "/p", "a?b")]
    [InlineData("/%20x;y=z", "/%20x;y=z", "")]
    public void Target_is_split_into_path_and_query(string target, string path, string query)
    {
        var head = Parse(Get(target: target));
        Assert.Equal(target, Str(head.Target));
        Assert.Equal(path, Str(head.Path));
        Assert.Equal(query, Str(head.Query));
    }

    [Fact]
    public void Options_asterisk_form_has_path_asterisk()
    {
        var head = Parse(Get(method: "OPTIONS", target: "*"));
        Assert.Equal(HttpMethod.Options, head.Method);
        Assert.Equal("*", Str(head.Path));
        Assert.Equal("", Str(head.Query));
    }

    [Theory]
    [InlineData("Expect: 100-continue\r\n", "HTTP/1.1", true)]
    [InlineData("Expect: 100-Continue\r\n", "HTTP/1.1", true)]
    [InlineData("Expect: 100-continue\r\n", "HTTP/1.0", false)]
    [InlineData("Expect: something-else\r\n", "HTTP/1.1", false)]
    public void Expect_continue_is_recognised_for_http11_only(string expect, string version, bool expected)
    {
        var head = Parse(Get("Host: h\r\n" + expect, version: version));
        Assert.Equal(expected, head.ExpectContinue);
    }

    [Fact]
    public void Http10_request_needs_no_host()
    {
        var head = Parse("GET / HTTP/1.0\r\n\r\n");
        Assert.False(head.IsHttp11);
        Assert.Equal(0, head.HeaderCount);
    }

    // ---- framing and positions -----------------------------------------------------------

    [Fact]
    public void Pipelined_requests_consume_one_head_at_a_time()
    {
        string first = "GET /one HTTP/1.1\r\nHost: h\r\n\r\n";
        string second = "GET /two HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
        var buffer = Segments.Single(first + second);
        var head = new HttpRequestHead();

        Assert.True(HttpRequestParser.TryParseHead(buffer, head, HttpLimits.Default, out var consumed, out _));
        Assert.Equal(first.Length, buffer.Slice(buffer.Start, consumed).Length);
        Assert.Equal("/one", Str(head.Path));

        var rest = buffer.Slice(consumed);
        Assert.True(HttpRequestParser.TryParseHead(rest, head, HttpLimits.Default, out consumed, out _));
        Assert.Equal("/two", Str(head.Path));
        Assert.False(head.KeepAlive);
        Assert.Equal(rest.End, consumed);
    }

    [Fact]
    public void Body_bytes_after_the_head_are_not_consumed()
    {
        string headText = Get("Host: h\r\nContent-Length: 5\r\n", method: "POST");
        var buffer = Segments.Single(headText + "hello");
        Assert.True(HttpRequestParser.TryParseHead(buffer, new HttpRequestHead(), HttpLimits.Default, out var consumed, out _));
        Assert.Equal("hello", Str(buffer.Slice(consumed).ToArray()));
    }

    [Fact]
    public void Partial_input_returns_false_with_nothing_consumed_and_everything_examined()
    {
        var buffer = Segments.Single("GET / HTTP/1.1\r\nHost: h\r\n\r");
        var head = new HttpRequestHead();
        Assert.False(HttpRequestParser.TryParseHead(buffer, head, HttpLimits.Default, out var consumed, out var examined));
        Assert.Equal(buffer.Start, consumed);
        Assert.Equal(buffer.End, examined);
        Assert.False(head.IsComplete);
    }

    [Fact]
    public void Empty_input_returns_false()
    {
        Assert.False(HttpRequestParser.TryParseHead(ReadOnlySequence<byte>.Empty, new HttpRequestHead(), HttpLimits.Default, out _, out _));
    }

    [Fact]
    public void Head_arriving_in_growing_pieces_parses_like_the_whole()
    {
        var bytes = Segments.Bytes(Realistic);
        string expected = ParseSnapshot(new ReadOnlySequence<byte>(bytes));
        var head = new HttpRequestHead();
        for (int length = 0; length < bytes.Length; length++)
        {
            // What a pipe hands over after AdvanceTo(consumed: start, examined: end): the same start, more bytes.
            Assert.False(HttpRequestParser.TryParseHead(new ReadOnlySequence<byte>(bytes, 0, length), head, HttpLimits.Default, out _, out _));
        }
        Assert.Equal(expected, ParseSnapshot(new ReadOnlySequence<byte>(bytes), head));
    }

    [Fact]
    public void Head_arriving_in_growing_multi_segment_pieces_parses_like_the_whole()
    {
        var bytes = Segments.Bytes(Realistic);
        string expected = ParseSnapshot(new ReadOnlySequence<byte>(bytes));
        var head = new HttpRequestHead();
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.False(HttpRequestParser.TryParseHead(Segments.Random(bytes[..length], length), head, HttpLimits.Default, out _, out _));
        }
        Assert.Equal(expected, ParseSnapshot(Segments.OneBytePerSegment(bytes), head));
    }

    [Fact]
    public void Every_single_split_of_a_realistic_request_parses_identically()
    {
        var bytes = Segments.Bytes(Realistic);
        string expected = ParseSnapshot(new ReadOnlySequence<byte>(bytes));
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            Assert.Equal(expected, ParseSnapshot(Segments.SplitAt(bytes, cut)));
        }
    }

    [Fact]
    public void Every_pair_of_splits_of_a_realistic_request_parses_identically()
    {
        var bytes = Segments.Bytes(Realistic);
        string expected = ParseSnapshot(new ReadOnlySequence<byte>(bytes));
        var head = new HttpRequestHead();
        for (int a = 1; a < bytes.Length; a += 3)
        {
            for (int b = a; b < bytes.Length; b += 5)
            {
                Assert.Equal(expected, ParseSnapshot(Segments.SplitAt(bytes, a, b), head));
            }
        }
    }

    [Fact]
    public void One_byte_segments_parse_identically()
    {
        var bytes = Segments.Bytes(Realistic);
        Assert.Equal(ParseSnapshot(new ReadOnlySequence<byte>(bytes)), ParseSnapshot(Segments.OneBytePerSegment(bytes)));
    }

    [Fact]
    public void Random_splits_parse_identically()
    {
        var bytes = Segments.Bytes("\r\n" + Realistic + "trailing body bytes");
        string expected = ParseSnapshot(new ReadOnlySequence<byte>(bytes));
        for (int seed = 0; seed < 200; seed++)
        {
            Assert.Equal(expected, ParseSnapshot(Segments.Random(bytes, seed)));
        }
    }

    [Fact]
    public void Header_bytes_stay_valid_after_the_input_is_overwritten()
    {
        var bytes = Segments.Bytes(Get("Host: h\r\nX-Key: value\r\n"));
        var head = new HttpRequestHead();
        Assert.True(HttpRequestParser.TryParseHead(new ReadOnlySequence<byte>(bytes), head, HttpLimits.Default, out _, out _));
        Array.Fill(bytes, (byte)'!');
        Assert.Equal("GET", Str(head.MethodBytes));
        Assert.True(head.TryGetHeader("x-key"u8, out var value));
        Assert.Equal("value", Str(value));
    }

    [Fact]
    public void Reused_head_allocates_nothing_after_warm_up()
    {
        var buffer = Segments.Single(Realistic);
        var head = new HttpRequestHead();
        var limits = HttpLimits.Default;
        for (int i = 0; i < 10; i++) HttpRequestParser.TryParseHead(buffer, head, limits, out _, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) HttpRequestParser.TryParseHead(buffer, head, limits, out _, out _);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    // ---- request line --------------------------------------------------------------------

    [Theory]
    [InlineData("GET  / HTTP/1.1\r\n")]
    [InlineData("GET /  HTTP/1.1\r\n")]
    [InlineData("GET / HTTP/1.1 \r\n")]
    [InlineData(" GET / HTTP/1.1\r\n")]
    [InlineData("GET /\r\n")]
    [InlineData("GET\r\n")]
    [InlineData("GET HTTP/1.1\r\n")]
    [InlineData("GET\t/\tHTTP/1.1\r\n")]
    public void Request_line_needs_exactly_three_parts_with_single_spaces(string requestLine)
    {
        Assert.Equal(RejectReason.InvalidRequestLine, Reject(requestLine + "Host: h\r\n\r\n"));
    }

    [Theory]
    [InlineData("GE(T")]
    [InlineData("G\u00e9T")]
    [InlineData("GET\u0000")]
    public void Method_must_be_a_token(string method)
    {
        Assert.Equal(RejectReason.InvalidMethod, Reject(Get(method: method)));
    }

    [Theory]
    [InlineData("/a#frag")]
    [InlineData("/caf\u00e9")]
    [InlineData("/a\u0001b")]
    [InlineData("/a\u007fb")]
    [InlineData("/a b")]
    [InlineData("relative/path")]
    [InlineData("ftp://host/p")]
    [InlineData("http://")]
    [InlineData("http:///p")]
    [InlineData("http://user@host/p")]
    [InlineData("http://host:8x/p")]
    [InlineData("http://[::1/p")]
    [InlineData("http://a%zz/p")]
    [InlineData("http://:80/p")]
    [InlineData("host:443")]
    [InlineData("**")]
    public void Request_target_must_be_origin_absolute_or_asterisk_form(string target)
    {
        Assert.Equal(RejectReason.InvalidRequestTarget, Reject(Get(target: target)));
    }

    [Fact]
    public void Asterisk_target_is_only_for_options()
    {
        Assert.Equal(RejectReason.InvalidRequestTarget, Reject(Get(target: "*")));
    }

    [Theory]
    [InlineData("HTTP/2.0")]
    [InlineData("HTTP/1.2")]
    [InlineData("HTTP/0.9")]
    [InlineData("HTTP/3.0")]
    public void Other_http_versions_are_unsupported(string version)
    {
        Assert.Equal(RejectReason.UnsupportedHttpVersion, Reject(Get(version: version)));
    }

    [Theory]
    [InlineData("http/1.1")]
    [InlineData("HTTP/11")]
    [InlineData("HTTP/2")]
    [InlineData("HTTP/1.1.1")]
    [InlineData("HTTPS/1.1")]
    [InlineData("XYZ")]
    public void Malformed_versions_are_an_invalid_request_line(string version)
    {
        Assert.Equal(RejectReason.InvalidRequestLine, Reject(Get(version: version)));
    }

    [Fact]
    public void Request_line_at_the_limit_is_accepted()
    {
        var limits = HttpLimits.Default with { MaxRequestLineBytes = 64 };
        string line = "GET /" + new string('a', 64 - "GET / HTTP/1.1\r\n".Length) + " HTTP/1.1\r\n";
        Assert.Equal(64, line.Length);
        Parse(line + "Host: h\r\n\r\n", limits);
    }

    [Fact]
    public void Request_line_over_the_limit_is_too_long()
    {
        var limits = HttpLimits.Default with { MaxRequestLineBytes = 64 };
        string line = "GET /" + new string('a', 65 - "GET / HTTP/1.1\r\n".Length) + " HTTP/1.1\r\n";
        Assert.Equal(RejectReason.RequestLineTooLong, Reject(line + "Host: h\r\n\r\n", limits));
    }

    [Fact]
    public void Request_line_without_line_end_within_the_limit_is_refused_before_it_completes()
    {
        var limits = HttpLimits.Default with { MaxRequestLineBytes = 64 };
        Assert.Equal(RejectReason.RequestLineTooLong, Reject("GET /" + new string('a', 80), limits));
    }

    [Fact]
    public void Incomplete_request_line_within_the_limit_waits()
    {
        var limits = HttpLimits.Default with { MaxRequestLineBytes = 64 };
        var buffer = Segments.Single("GET /" + new string('a', 58));
        Assert.False(HttpRequestParser.TryParseHead(buffer, new HttpRequestHead(), limits, out _, out _));
    }

    [Fact]
    public void Endless_empty_lines_before_the_request_line_count_against_its_limit()
    {
        var limits = HttpLimits.Default with { MaxRequestLineBytes = 64 };
        Assert.Equal(RejectReason.RequestLineTooLong, Reject(string.Concat(Enumerable.Repeat("\r\n", 40)), limits));
    }

    [Fact]
    public void Request_line_ending_in_bare_lf_is_invalid()
    {
        Assert.Equal(RejectReason.InvalidRequestLine, Reject("GET / HTTP/1.1\nHost: h\r\n\r\n"));
    }

    [Fact]
    public void Leading_bare_lf_is_invalid()
    {
        Assert.Equal(RejectReason.InvalidRequestLine, Reject("\n" + Get()));
    }

    [Theory]
    [InlineData("GET /a\rb HTTP/1.1\r\n")]
    [InlineData("GET / HTTP/1.1\r\r\n")]
    [InlineData("GE\rT / HTTP/1.1\r\n")]
    [InlineData("GET / HTTP/1.1\rHost: h\r\n")]
    public void Bare_cr_in_the_request_line_is_refused(string requestLine)
    {
        Assert.Equal(RejectReason.BareCarriageReturn, Reject(requestLine + "Host: h\r\n\r\n"));
    }

    // ---- header fields -------------------------------------------------------------------

    [Theory]
    [InlineData("Host : h\r\n")]
    [InlineData("Host\t: h\r\n")]
    public void Whitespace_between_header_name_and_colon_is_refused(string field)
    {
        Assert.Equal(RejectReason.HeaderWhitespaceBeforeColon, Reject(Get(field)));
    }

    [Theory]
    [InlineData("Host: h\r\nX-A: one\r\n two\r\n")]
    [InlineData("Host: h\r\nX-A: one\r\n\ttwo\r\n")]
    [InlineData(" Host: h\r\n")]
    public void Obsolete_line_folding_is_refused(string fields)
    {
        Assert.Equal(RejectReason.ObsoleteLineFolding, Reject(Get(fields)));
    }

    [Theory]
    [InlineData("X-A: a\u0000b\r\n")]
    [InlineData("X-A: a\u0001b\r\n")]
    [InlineData("X-A: a\u001fb\r\n")]
    [InlineData("X-A: a\u007fb\r\n")]
    [InlineData("NoColon\r\n")]
    [InlineData(": empty-name\r\n")]
    [InlineData("X(A): v\r\n")]
    [InlineData("X\u00e9: v\r\n")]
    [InlineData("X-A\u0000: v\r\n")]
    public void Malformed_header_fields_are_invalid(string field)
    {
        Assert.Equal(RejectReason.InvalidHeader, Reject(Get("Host: h\r\n" + field)));
    }

    [Theory]
    [InlineData("X-A: a\rb\r\n")]
    [InlineData("X-A: ab\r\r\n")]
    [InlineData("X\rA: ab\r\n")]
    [InlineData("X-A: ab\rHost: x\r\n")]
    public void Bare_cr_in_a_header_field_is_refused(string field)
    {
        Assert.Equal(RejectReason.BareCarriageReturn, Reject(Get("Host: h\r\n" + field)));
    }

    [Fact]
    public void Bare_cr_in_the_final_empty_line_is_refused()
    {
        Assert.Equal(RejectReason.BareCarriageReturn, Reject("GET / HTTP/1.1\r\nHost: h\r\n\rX\r\n\r\n"));
    }

    [Fact]
    public void Header_line_ending_in_bare_lf_is_invalid()
    {
        Assert.Equal(RejectReason.InvalidHeader, Reject("GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n"));
    }

    [Fact]
    public void Final_empty_line_as_bare_lf_is_invalid()
    {
        Assert.Equal(RejectReason.InvalidHeader, Reject("GET / HTTP/1.1\r\nHost: h\r\n\n"));
    }

    [Fact]
    public void Headers_at_the_size_limit_are_accepted()
    {
        string fields = "Host: h\r\nX-Fill: " + new string('v', 50) + "\r\n";
        var limits = HttpLimits.Default with { MaxHeaderBytes = fields.Length };
        Parse(Get(fields), limits);
    }

    [Fact]
    public void Headers_over_the_size_limit_are_too_large()
    {
        string fields = "Host: h\r\nX-Fill: " + new string('v', 50) + "\r\n";
        var limits = HttpLimits.Default with { MaxHeaderBytes = fields.Length - 1 };
        Assert.Equal(RejectReason.HeadersTooLarge, Reject(Get(fields), limits));
    }

    [Fact]
    public void Headers_growing_past_the_size_limit_are_refused_before_they_complete()
    {
        var limits = HttpLimits.Default with { MaxHeaderBytes = 100 };
        Assert.Equal(RejectReason.HeadersTooLarge, Reject("GET / HTTP/1.1\r\nHost: h\r\nX-Fill: " + new string('v', 120), limits));
    }

    [Fact]
    public void Headers_exactly_at_the_limit_wait_for_the_final_line()
    {
        string fields = "Host: h\r\nX-Fill: vvvv\r\n";
        var limits = HttpLimits.Default with { MaxHeaderBytes = fields.Length };
        var buffer = Segments.Single("GET / HTTP/1.1\r\n" + fields + "\r");
        Assert.False(HttpRequestParser.TryParseHead(buffer, new HttpRequestHead(), limits, out _, out _));
    }

    [Fact]
    public void Header_count_at_the_limit_is_accepted()
    {
        var limits = HttpLimits.Default with { MaxHeaderCount = 5 };
        var head = Parse(Get("Host: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n"), limits);
        Assert.Equal(5, head.HeaderCount);
    }

    [Fact]
    public void Header_count_over_the_limit_is_too_many()
    {
        var limits = HttpLimits.Default with { MaxHeaderCount = 5 };
        Assert.Equal(RejectReason.TooManyHeaders, Reject(Get("Host: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n"), limits));
    }

    [Fact]
    public void Many_headers_grow_the_head_storage()
    {
        var sb = new StringBuilder("Host: h\r\n");
        for (int i = 0; i < 99; i++) sb.Append($"X-Header-{i}: {new string('v', 100)}{i}\r\n");
        var head = Parse(Get(sb.ToString()));
        Assert.Equal(100, head.HeaderCount);
        Assert.True(head.TryGetHeader("x-header-98"u8, out var value));
        Assert.EndsWith("v98", Str(value));
    }

    // ---- Host ----------------------------------------------------------------------------

    [Fact]
    public void Http11_without_host_is_refused()
    {
        Assert.Equal(RejectReason.MissingHost, Reject("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"));
    }

    [Theory]
    [InlineData("HTTP/1.1")]
    [InlineData("HTTP/1.0")]
    public void More_than_one_host_is_invalid(string version)
    {
        Assert.Equal(RejectReason.InvalidHeader, Reject(Get("Host: a\r\nhost: a\r\n", version: version)));
    }

    // RFC 9112 §3.2: a Host whose value is not uri-host [ ":" port ] (RFC 3986 §3.2.2–§3.2.3) is a 400.
    [Theory]
    [InlineData("user@127.0.0.1:18200")]
    [InlineData("127.0.0.1:18200/path")]
    [InlineData("127.0.0.1:18200, other.example.com")]
    [InlineData("ex ample")]
    [InlineData("h/")]
    [InlineData("h?q")]
    [InlineData("h#f")]
    [InlineData("h\"")]
    [InlineData("caf\u00e9")]
    [InlineData("h%2")]
    [InlineData("h%zz")]
    [InlineData("h:80x")]
    [InlineData("h:80:81")]
    [InlineData(":80")]
    [InlineData("[::1")]
    [InlineData("[::1]x")]
    [InlineData("[::1]80")]
    [InlineData("[]")]
    [InlineData("[1:2:3:4:5:6:7:8:9]")]
    [InlineData("[1:2:3:4:5:6:7]")]
    [InlineData("[1::2::3]")]
    [InlineData("[12345::]")]
    [InlineData("[:1::]")]
    [InlineData("[1::2:]")]
    [InlineData("[1.2.3.4]")]
    [InlineData("[::256.1.1.1]")]
    [InlineData("[::01.1.1.1]")]
    [InlineData("[::1.2.3]")]
    [InlineData("[::1.2.3.4:5]")]
    [InlineData("[fe80::1%25eth0]")]
    [InlineData("[v1]")]
    [InlineData("[vx.a]")]
    [InlineData("[v1.]")]
    public void Host_that_is_not_uri_host_and_optional_port_is_invalid(string host)
    {
        Assert.Equal(RejectReason.InvalidHost, Reject(Get($"Host: {host}\r\n")));
    }

    [Fact]
    public void Invalid_host_is_refused_in_http10_too()
    {
        Assert.Equal(RejectReason.InvalidHost, Reject(Get("Host: user@h\r\n", version: "HTTP/1.0")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("127.0.0.1:80")]
    [InlineData("[::1]:8080")]
    [InlineData("[::1]")]
    [InlineData("[::]")]
    [InlineData("[2001:DB8::ff00:42:8329]")]
    [InlineData("[1:2:3:4:5:6:7:8]:443")]
    [InlineData("[1:2:3:4:5:6:7::]")]
    [InlineData("[::ffff:192.0.2.128]")]
    [InlineData("[1:2:3:4:5:6:255.255.255.255]")]
    [InlineData("[v7.fe80::1+eth0]")]
    [InlineData("a,b")]
    [InlineData("Ex-ample.COM.")]
    [InlineData("h:")]
    [InlineData("999.1.1.1")]
    [InlineData("caf%C3%a9.example")]
    [InlineData("!$&'()*+,;=-._~")]
    public void Host_of_uri_host_and_optional_port_is_accepted(string host)
    {
        var bytes = Segments.Bytes(Get($"Host: {host}\r\n"));
        foreach (var buffer in new[] { new ReadOnlySequence<byte>(bytes), Segments.OneBytePerSegment(bytes) })
        {
            var head = new HttpRequestHead();
            Assert.True(HttpRequestParser.TryParseHead(buffer, head, HttpLimits.Default, out _, out _));
            Assert.True(head.TryGetHeader("host"u8, out var value));
            Assert.Equal(host, Str(value));
        }
    }

    [Fact]
    public void Host_checks_allocate_nothing()
    {
        var buffer = Segments.Single(Get("Host: [2001:db8::ff00:42:8329]:8080\r\nContent-Type: a/b\r\nContent-Type: a/b\r\n"));
        var head = new HttpRequestHead();
        var limits = HttpLimits.Default;
        for (int i = 0; i < 10; i++) HttpRequestParser.TryParseHead(buffer, head, limits, out _, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) HttpRequestParser.TryParseHead(buffer, head, limits, out _, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // ---- Content-Type --------------------------------------------------------------------

    // Content-Type is a singleton field (RFC 9110 §8.3): two that differ leave the body's format unknown.
    [Theory]
    [InlineData("Content-Type: application/json\r\nContent-Type: text/plain\r\n")]
    [InlineData("Content-Type: application/json\r\ncontent-type: application/json; charset=utf-8\r\n")]
    [InlineData("Content-Type: text/plain\r\nX-A: b\r\nContent-Type: application/json\r\n")]
    public void Differing_content_types_conflict(string fields)
    {
        Assert.Equal(RejectReason.ConflictingContentType, Reject(Get("Host: h\r\n" + fields, method: "POST")));
    }

    [Fact]
    public void Repeated_identical_content_type_is_taken_as_one()
    {
        var head = Parse(Get("Host: h\r\nContent-Type: application/json\r\ncontent-type:  application/json\r\n", method: "POST"));
        Assert.Equal("application/json", Str(head.ContentType));
    }

    // ---- Content-Length ------------------------------------------------------------------

    [Theory]
    [InlineData("")]
    [InlineData("+5")]
    [InlineData("-1")]
    [InlineData("5 5")]
    [InlineData("0x5")]
    [InlineData("1a")]
    [InlineData("5,")]
    [InlineData("5,,5")]
    [InlineData("1.0")]
    [InlineData("99999999999999999999")]
    [InlineData("9223372036854775808")]
    public void Content_length_must_be_digits_only(string value)
    {
        Assert.Equal(RejectReason.InvalidContentLength, Reject(Get($"Host: h\r\nContent-Length: {value}\r\n", method: "POST")));
    }

    [Fact]
    public void Content_length_up_to_long_max_is_accepted()
    {
        var head = Parse(Get("Host: h\r\nContent-Length: 9223372036854775807\r\n", method: "POST"));
        Assert.Equal(long.MaxValue, head.ContentLength);
    }

    [Theory]
    [InlineData("Content-Length: 5, 5\r\n")]
    [InlineData("Content-Length: 5,5 , 5\r\n")]
    [InlineData("Content-Length: 5\r\ncontent-length: 5\r\n")]
    [InlineData("Content-Length: 5\r\nContent-Length: 005\r\n")]
    public void Identical_content_lengths_are_taken_as_one(string fields)
    {
        var head = Parse(Get("Host: h\r\n" + fields, method: "POST"));
        Assert.Equal(5, head.ContentLength);
    }

    [Theory]
    [InlineData("Content-Length: 5, 6\r\n")]
    [InlineData("Content-Length: 5\r\nContent-Length: 6\r\n")]
    public void Differing_content_lengths_conflict(string fields)
    {
        Assert.Equal(RejectReason.ConflictingContentLength, Reject(Get("Host: h\r\n" + fields, method: "POST")));
    }

    // ---- Transfer-Encoding ---------------------------------------------------------------

    [Theory]
    [InlineData("Transfer-Encoding: chunked\r\n")]
    [InlineData("Transfer-Encoding: CHUNKED\r\n")]
    [InlineData("transfer-encoding:  Chunked \r\n")]
    [InlineData("Transfer-Encoding: , chunked\r\n")]
    public void Chunked_transfer_encoding_is_accepted(string field)
    {
        var head = Parse(Get("Host: h\r\n" + field, method: "POST"));
        Assert.True(head.IsChunked);
        Assert.True(head.HasBody);
        Assert.Equal(-1, head.ContentLength);
    }

    [Theory]
    [InlineData("Transfer-Encoding: gzip\r\n")]
    [InlineData("Transfer-Encoding: gzip, chunked\r\n")]
    [InlineData("Transfer-Encoding: chunked, gzip\r\n")]
    [InlineData("Transfer-Encoding: chunked, chunked\r\n")]
    [InlineData("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")]
    [InlineData("Transfer-Encoding: identity\r\n")]
    [InlineData("Transfer-Encoding: chunked;q=1\r\n")]
    [InlineData("Transfer-Encoding: \r\n")]
    [InlineData("Transfer-Encoding: xchunked\r\n")]
    public void Other_transfer_encodings_are_unsupported(string fields)
    {
        Assert.Equal(RejectReason.UnsupportedTransferEncoding, Reject(Get("Host: h\r\n" + fields, method: "POST")));
    }

    [Fact]
    public void Transfer_encoding_in_http10_is_unsupported()
    {
        Assert.Equal(RejectReason.UnsupportedTransferEncoding,
            Reject(Get("Transfer-Encoding: chunked\r\n", version: "HTTP/1.0", method: "POST")));
    }

    [Theory]
    [InlineData("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n")]
    public void Content_length_with_transfer_encoding_is_refused(string fields)
    {
        Assert.Equal(RejectReason.ContentLengthWithTransferEncoding, Reject(Get("Host: h\r\n" + fields, method: "POST")));
    }
}
