using Ingestd.Parsing;
using Ingestd.Parsing.Encoding;

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
        Assert.Equal(expected, ContentCodingHeader.Parse(System.Text.Encoding.ASCII.GetBytes(value)));
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

    [Theory]
    [InlineData("gzip, br")]
    [InlineData("gzip, gzip")]
    [InlineData("deflate,identity,zstd")]
    public void Parse_refuses_stacked_codings(string value)
    {
        var e = Assert.Throws<RequestRejectedException>(() => ContentCodingHeader.Parse(System.Text.Encoding.ASCII.GetBytes(value)));
        Assert.Equal(RejectReason.UnsupportedContentEncoding, e.Reason);
        Assert.Contains(value, e.Detail);
    }
}
