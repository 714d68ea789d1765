using System.Buffers;
using System.Text;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;

namespace Ingestd.Tests.Http;

public class ChunkedBodyDecoderTests
{
    private const string WithExtensionsAndTrailers =
        "5;name=value\r\nhello\r\n" +
        "6 ; a ; b=\"quoted; \\\"x\\\"\"\r\n world\r\n" +
        "1a\r\n, and twenty-six bytes!!!!\r\n" +
        "0;last\r\n" +
        "X-Checksum: abc123\r\n" +
        "X-Other:\tv \r\n" +
        "\r\n";

    private const string WithExtensionsAndTrailersBody = "hello world, and twenty-six bytes!!!!";

    private static string Str(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>Decodes in one call; returns the body and how many bytes were consumed.</summary>
    private static (string Body, long Consumed) Decode(ReadOnlySequence<byte> input, long cap = int.MaxValue, HttpLimits? limits = null)
    {
        var decoder = new ChunkedBodyDecoder();
        using var output = new PooledBuffer(256) { Cap = cap };
        Assert.True(decoder.Decode(input, output, limits ?? HttpLimits.Default, out var consumed, out var examined));
        Assert.Equal(consumed, examined);
        Assert.True(decoder.IsComplete);
        return (Str(output.WrittenSpan), input.Slice(input.Start, consumed).Length);
    }

    private static (string Body, long Consumed) Decode(string text) => Decode(Segments.Single(text));

    private static RejectReason RejectOne(ReadOnlySequence<byte> input, long cap, HttpLimits limits)
    {
        var ex = Assert.Throws<RequestRejectedException>(() =>
        {
            using var output = new PooledBuffer(256) { Cap = cap };
            new ChunkedBodyDecoder().Decode(input, output, limits, out _, out _);
        });
        return ex.Reason;
    }

    /// <summary>The reason the body is refused with; the same whether it arrives in one segment or many.</summary>
    private static RejectReason Reject(string text, long cap = int.MaxValue, HttpLimits? limits = null)
    {
        limits ??= HttpLimits.Default;
        var bytes = Segments.Bytes(text);
        var reason = RejectOne(new ReadOnlySequence<byte>(bytes), cap, limits);
        Assert.Equal(reason, RejectOne(Segments.OneBytePerSegment(bytes), cap, limits));
        Assert.Equal(reason, RejectOne(Segments.Random(bytes, 3), cap, limits));
        return reason;
    }

    // ---- success paths -------------------------------------------------------------------

    [Fact]
    public void Chunks_are_concatenated()
    {
        var (body, consumed) = Decode("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        Assert.Equal("hello world", body);
        Assert.Equal(26, consumed);
    }

    [Fact]
    public void Last_chunk_alone_is_an_empty_body()
    {
        Assert.Equal(("", 5L), Decode("0\r\n\r\n"));
    }

    [Theory]
    [InlineData("a\r\n0123456789\r\n0\r\n\r\n")]
    [InlineData("A\r\n0123456789\r\n0\r\n\r\n")]
    [InlineData("0000A\r\n0123456789\r\n000\r\n\r\n")]
    public void Chunk_size_is_hex_in_either_case_with_leading_zeros(string text)
    {
        Assert.Equal("0123456789", Decode(text).Body);
    }

    [Fact]
    public void Chunk_extensions_and_trailers_are_skipped()
    {
        var (body, consumed) = Decode(WithExtensionsAndTrailers);
        Assert.Equal(WithExtensionsAndTrailersBody, body);
        Assert.Equal(WithExtensionsAndTrailers.Length, consumed);
    }

    // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ) (RFC 9112 §7.1.1)
    [Theory]
    [InlineData("5;a\r\n")]
    [InlineData("5;a=b\r\n")]
    [InlineData("5 ;a\r\n")]
    [InlineData("5\t; a = b ;c\r\n")]
    [InlineData("5;a;b=c;d\r\n")]
    [InlineData("5;a=\"\"\r\n")]
    [InlineData("5;a=\"q;= \t\\\"\\\\\u00ff\"\r\n")]
    [InlineData("5;a=\"x\" ;b\r\n")]
    [InlineData("5;!#$%&'*+-.^_`|~=tok!#\r\n")]
    public void Chunk_extension_with_token_names_and_token_or_quoted_values_is_accepted(string sizeLine)
    {
        var bytes = Segments.Bytes(sizeLine + "hello\r\n0;last=\"1\"\r\n\r\n");
        Assert.Equal("hello", Decode(new ReadOnlySequence<byte>(bytes)).Body);
        Assert.Equal("hello", Decode(Segments.OneBytePerSegment(bytes)).Body);
    }

    [Fact]
    public void Bytes_after_the_body_are_left_for_the_next_request()
    {
        string body = "3\r\nabc\r\n0\r\n\r\n";
        var input = Segments.Single(body + "GET / HTTP/1.1\r\n");
        var (decoded, consumed) = Decode(input);
        Assert.Equal("abc", decoded);
        Assert.Equal(body.Length, consumed);
    }

    [Fact]
    public void One_byte_segments_decode_identically()
    {
        var bytes = Segments.Bytes(WithExtensionsAndTrailers + "NEXT");
        var (body, consumed) = Decode(Segments.OneBytePerSegment(bytes));
        Assert.Equal(WithExtensionsAndTrailersBody, body);
        Assert.Equal(WithExtensionsAndTrailers.Length, consumed);
    }

    [Fact]
    public void Every_single_split_decodes_identically()
    {
        var bytes = Segments.Bytes(WithExtensionsAndTrailers + "NEXT");
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            var (body, consumed) = Decode(Segments.SplitAt(bytes, cut));
            Assert.Equal(WithExtensionsAndTrailersBody, body);
            Assert.Equal(WithExtensionsAndTrailers.Length, consumed);
        }
    }

    [Fact]
    public void Random_splits_decode_identically()
    {
        var bytes = Segments.Bytes(WithExtensionsAndTrailers + "NEXT");
        for (int seed = 0; seed < 200; seed++)
        {
            var (body, consumed) = Decode(Segments.Random(bytes, seed));
            Assert.Equal(WithExtensionsAndTrailersBody, body);
            Assert.Equal(WithExtensionsAndTrailers.Length, consumed);
        }
    }

    [Fact]
    public void State_persists_across_calls_for_any_split_point()
    {
        var bytes = Segments.Bytes(WithExtensionsAndTrailers);
        var decoder = new ChunkedBodyDecoder();
        using var output = new PooledBuffer(256);
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            decoder.Reset();
            output.Reset();
            var first = new ReadOnlySequence<byte>(bytes, 0, cut);
            Assert.False(decoder.Decode(first, output, HttpLimits.Default, out var consumed, out var examined));
            Assert.Equal(first.End, consumed);
            Assert.Equal(first.End, examined);
            Assert.True(decoder.Decode(new ReadOnlySequence<byte>(bytes, cut, bytes.Length - cut), output, HttpLimits.Default, out _, out _));
            Assert.Equal(WithExtensionsAndTrailersBody, Str(output.WrittenSpan));
        }
    }

    [Fact]
    public void Byte_at_a_time_calls_decode_the_whole_body()
    {
        var bytes = Segments.Bytes(WithExtensionsAndTrailers);
        var decoder = new ChunkedBodyDecoder();
        using var output = new PooledBuffer(256);
        for (int i = 0; i < bytes.Length - 1; i++)
        {
            Assert.False(decoder.Decode(new ReadOnlySequence<byte>(bytes, i, 1), output, HttpLimits.Default, out _, out _));
        }
        Assert.True(decoder.Decode(new ReadOnlySequence<byte>(bytes, bytes.Length - 1, 1), output, HttpLimits.Default, out _, out _));
        Assert.Equal(WithExtensionsAndTrailersBody, Str(output.WrittenSpan));
    }

    [Fact]
    public void Partial_chunk_data_is_written_as_it_arrives()
    {
        var decoder = new ChunkedBodyDecoder();
        using var output = new PooledBuffer(256);
        Assert.False(decoder.Decode(Segments.Single("a\r\n0123"), output, HttpLimits.Default, out _, out _));
        Assert.Equal("0123", Str(output.WrittenSpan));
        Assert.False(decoder.Decode(Segments.Single("456789\r\n"), output, HttpLimits.Default, out _, out _));
        Assert.True(decoder.Decode(Segments.Single("0\r\n\r\n"), output, HttpLimits.Default, out _, out _));
        Assert.Equal("0123456789", Str(output.WrittenSpan));
    }

    [Fact]
    public void Large_chunk_grows_the_output()
    {
        string data = new('x', 100_000);
        var (body, _) = Decode($"{data.Length:x}\r\n{data}\r\n0\r\n\r\n");
        Assert.Equal(data, body);
    }

    [Fact]
    public void Reset_makes_the_decoder_reusable()
    {
        var decoder = new ChunkedBodyDecoder();
        using var output = new PooledBuffer(256);
        Assert.True(decoder.Decode(Segments.Single("1\r\na\r\n0\r\n\r\n"), output, HttpLimits.Default, out _, out _));
        decoder.Reset();
        Assert.False(decoder.IsComplete);
        Assert.True(decoder.Decode(Segments.Single("1\r\nb\r\n0\r\n\r\n"), output, HttpLimits.Default, out _, out _));
        Assert.Equal("ab", Str(output.WrittenSpan));
    }

    [Fact]
    public void Body_filling_the_cap_exactly_is_accepted()
    {
        Assert.Equal("hello world", Decode(Segments.Single("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), cap: 11).Body);
    }

    // ---- refusals ------------------------------------------------------------------------

    [Theory]
    [InlineData("FFFFFFFFFFFFFFFFF\r\n")]
    [InlineData("10000000000000000\r\n")]
    [InlineData("8000000000000000\r\n")]
    public void Chunk_size_overflowing_a_long_is_refused(string text)
    {
        Assert.Equal(RejectReason.ChunkSizeOverflow, Reject(text));
    }

    [Fact]
    public void Chunk_size_beyond_the_output_cap_is_refused_as_too_large_before_its_data()
    {
        Assert.Equal(RejectReason.BodyTooLarge, Reject("65\r\n", cap: 100));
    }

    [Fact]
    public void A_chunk_that_fits_alone_but_not_after_the_earlier_ones_is_refused_as_too_large()
    {
        Assert.Equal(RejectReason.BodyTooLarge, Reject("32\r\n" + new string('a', 50) + "\r\n33\r\n", cap: 100));
    }

    [Fact]
    public void Chunks_adding_up_past_the_output_cap_are_too_large()
    {
        Assert.Equal(RejectReason.BodyTooLarge, Reject("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", cap: 10));
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("g\r\n")]
    [InlineData("-1\r\n")]
    [InlineData("+1\r\n")]
    [InlineData(" 5\r\n")]
    [InlineData("0x5\r\n")]
    [InlineData(";ext\r\n")]
    [InlineData("5 \r\nhello\r\n")]
    [InlineData("5 x\r\nhello\r\n")]
    public void Chunk_size_must_be_hex_digits(string text)
    {
        Assert.Equal(RejectReason.InvalidChunkSize, Reject(text));
    }

    [Theory]
    [InlineData("5;\r\n")]
    [InlineData("5; \r\n")]
    [InlineData("5;;a\r\n")]
    [InlineData("5;bad[=x\r\n")]
    [InlineData("5;=x\r\n")]
    [InlineData("5;a=\r\n")]
    [InlineData("5;a= \r\n")]
    [InlineData("5;a=b=c\r\n")]
    [InlineData("5;a b\r\n")]
    [InlineData("5;a=b c\r\n")]
    [InlineData("5;a \r\n")]
    [InlineData("5;a=b \r\n")]
    [InlineData("5;a=[x]\r\n")]
    [InlineData("5;a=\"x\"y\r\n")]
    [InlineData("5;a=\"x\" \r\n")]
    [InlineData("5;a=\"x\r\n")]
    [InlineData("5;a=\"\u007f\"\r\n")]
    [InlineData("5;a=\"\\\u0001\"\r\n")]
    [InlineData("5;a\u00e9\r\n")]
    [InlineData("0;\r\n\r\n")]
    public void Chunk_extension_not_matching_the_grammar_is_invalid(string text)
    {
        Assert.Equal(RejectReason.InvalidChunkSize, Reject(text + "hello\r\n0\r\n\r\n"));
    }

    [Fact]
    public void Chunk_size_line_ending_in_bare_lf_is_invalid()
    {
        Assert.Equal(RejectReason.InvalidChunkSize, Reject("5\nhello\r\n0\r\n\r\n"));
    }

    [Fact]
    public void Chunk_extension_ending_in_bare_lf_is_invalid()
    {
        Assert.Equal(RejectReason.InvalidChunkSize, Reject("5;a=b\nhello\r\n0\r\n\r\n"));
    }

    [Fact]
    public void Control_characters_in_a_chunk_extension_are_invalid()
    {
        Assert.Equal(RejectReason.InvalidChunkSize, Reject("5;a=\u0001\r\nhello\r\n0\r\n\r\n"));
    }

    [Theory]
    [InlineData("5\rhello\r\n")]
    [InlineData("5;ext\rhello\r\n")]
    [InlineData("0\r\n\rX")]
    public void Bare_cr_in_chunk_framing_is_refused(string text)
    {
        Assert.Equal(RejectReason.BareCarriageReturn, Reject(text));
    }

    [Fact]
    public void Chunk_extension_over_the_limit_is_refused()
    {
        var limits = HttpLimits.Default with { MaxChunkExtensionBytes = 16 };
        Assert.Equal(RejectReason.InvalidChunkSize, Reject("5;" + new string('e', 20) + "\r\nhello\r\n0\r\n\r\n", limits: limits));
    }

    [Fact]
    public void Chunk_extension_at_the_limit_is_accepted()
    {
        var limits = HttpLimits.Default with { MaxChunkExtensionBytes = 16 };
        string text = "5;" + new string('e', 15) + "\r\nhello\r\n0\r\n\r\n";
        Assert.Equal("hello", Decode(Segments.Single(text), limits: limits).Body);
    }

    [Theory]
    [InlineData("5\r\nhelloX\r\n0\r\n\r\n")]
    [InlineData("5\r\nhello\rX0\r\n\r\n")]
    [InlineData("5\r\nhello\n0\r\n\r\n")]
    [InlineData("5\r\nhello0\r\n\r\n")]
    public void Chunk_data_must_be_followed_by_crlf(string text)
    {
        Assert.Equal(RejectReason.InvalidChunkTerminator, Reject(text));
    }

    [Fact]
    public void Trailers_over_the_limit_are_too_large()
    {
        var limits = HttpLimits.Default with { MaxTrailerBytes = 32 };
        Assert.Equal(RejectReason.HeadersTooLarge, Reject("0\r\nX-A: " + new string('v', 40) + "\r\n\r\n", limits: limits));
    }

    [Fact]
    public void Many_small_trailers_add_up_against_the_limit()
    {
        var limits = HttpLimits.Default with { MaxTrailerBytes = 32 };
        Assert.Equal(RejectReason.HeadersTooLarge, Reject("0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\n\r\n", limits: limits));
    }

    [Theory]
    [InlineData("0\r\nX-A: a\u0000b\r\n\r\n", nameof(RejectReason.InvalidHeader))]
    [InlineData("0\r\nNoColon\r\n\r\n", nameof(RejectReason.InvalidHeader))]
    [InlineData("0\r\nX-A : v\r\n\r\n", nameof(RejectReason.HeaderWhitespaceBeforeColon))]
    [InlineData("0\r\nX-A: v\r\n folded\r\n\r\n", nameof(RejectReason.ObsoleteLineFolding))]
    [InlineData("0\r\nX-A: a\rb\r\n\r\n", nameof(RejectReason.BareCarriageReturn))]
    [InlineData("0\r\nX-A: v\n\r\n", nameof(RejectReason.InvalidHeader))]
    [InlineData("0\r\n\n", nameof(RejectReason.InvalidHeader))]
    public void Trailer_fields_are_validated_as_header_fields(string text, string reason)
    {
        Assert.Equal(reason, Reject(text).ToString());
    }
}
