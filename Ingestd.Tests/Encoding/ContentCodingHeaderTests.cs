using Ingestd.Parsing.Encoding;
using Ingestd.Parsing.Errors;

namespace Ingestd.Tests.ContentEncoding;

public class ContentCodingHeaderTests
{
    [Theory]
    [InlineData("", "Identity")]
    [InlineData("identity", "Identity")]
    [InlineData("IDENTITY", "Identity")]
    [InlineData("gzip", "Gzip")]
    [InlineData("GZip", "Gzip")]
    [InlineData("x-gzip", "Gzip")]
    [InlineData("deflate", "Deflate")]
    [InlineData("br", "Brotli")]
    [InlineData("BR", "Brotli")]
    [InlineData("zstd", "Zstd")]
    [InlineData("  gzip\t", "Gzip")]
    [InlineData("identity, br", "Brotli")]
    [InlineData("zstd ,identity", "Zstd")]
    [InlineData(" , gzip,", "Gzip")]
    public void Parse_recognises_codings(string value, string expectedName)
    {
        var expected = Enum.Parse<ContentCoding>(expectedName);
        var codings = ContentCodingHeader.Parse(System.Text.Encoding.ASCII.GetBytes(value));
        Assert.Equal(expected, codings.Outermost);
        Assert.True(codings.Count <= 1);
    }

    [Theory]
    [InlineData("compress")]
    [InlineData("gzip2")]
    [InlineData("lz4")]
    [InlineData("g zip")]
    public void Parse_refuses_unknown_coding(string value)
    {
        var e = Assert.Throws<RequestRejectedException>(() => ContentCodingHeader.Parse(System.Text.Encoding.ASCII.GetBytes(value)));
        Assert.Equal(RejectReason.UnsupportedContentEncoding, e.Reason);
        Assert.Contains($"'{value}'", e.Detail);
    }

    [Fact]
    public void Parse_lists_stacked_codings_in_the_order_applied()
    {
        // RFC 9110 §8.4: "gzip, br" means gzip was applied first, then br.
        var codings = ContentCodingHeader.Parse("gzip, identity, br"u8);
        Assert.Equal(2, codings.Count);
        Assert.Equal(ContentCoding.Gzip, codings[0]);
        Assert.Equal(ContentCoding.Brotli, codings[1]);
        Assert.Equal(ContentCoding.Brotli, codings.Outermost);
    }

    [Fact]
    public void Parse_refuses_more_than_four_codings()
    {
        var e = Assert.Throws<RequestRejectedException>(() => ContentCodingHeader.Parse("gzip,gzip,gzip,gzip,gzip"u8));
        Assert.Equal(RejectReason.UnsupportedContentEncoding, e.Reason);
        Assert.Contains("gzip,gzip,gzip,gzip,gzip", e.Detail);
    }
}
