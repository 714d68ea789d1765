using System.IO.Compression;
using Ingestd.Bench.Micro;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Encoding;
using Ingestd.Parsing.Errors;

namespace Ingestd.Tests.ContentEncoding;

public class BodyDecoderTests
{
    private static readonly byte[] Sample = MakeSample(300_000);

    private static byte[] MakeSample(int size)
    {
        // Half compressible text, half random bytes, so every block type gets exercised.
        var bytes = new byte[size];
        var text = "{\"level\":\"info\",\"message\":\"user logged in\",\"n\":"u8;
        for (int i = 0; i < size / 2; i++) bytes[i] = text[i % text.Length];
        new Random(42).NextBytes(bytes.AsSpan(size / 2));
        return bytes;
    }

    internal static byte[] Compress(ContentCoding coding, ReadOnlySpan<byte> data, CompressionLevel level = CompressionLevel.Optimal)
    {
        var ms = new MemoryStream();
        switch (coding)
        {
            case ContentCoding.Gzip:
                using (var s = new GZipStream(ms, level, leaveOpen: true)) s.Write(data);
                break;
            case ContentCoding.Deflate:
                using (var s = new ZLibStream(ms, level, leaveOpen: true)) s.Write(data);
                break;
            case ContentCoding.Brotli:
                using (var s = new BrotliStream(ms, level, leaveOpen: true)) s.Write(data);
                break;
            case ContentCoding.Zstd:
                using (var c = new ZstdSharp.Compressor(3)) return c.Wrap(data).ToArray();
            default:
                return data.ToArray();
        }
        return ms.ToArray();
    }

    private static byte[] RawDeflate(ReadOnlySpan<byte> data, CompressionLevel level = CompressionLevel.Optimal)
    {
        var ms = new MemoryStream();
        using (var s = new DeflateStream(ms, level, leaveOpen: true)) s.Write(data);
        return ms.ToArray();
    }

    private static byte[] Decode(ContentCoding coding, ReadOnlySpan<byte> encoded, long cap = int.MaxValue)
    {
        using var decoder = new BodyDecoder();
        using var output = new PooledBuffer(1024) { Cap = cap };
        decoder.Decode(coding, encoded, output);
        return output.WrittenSpan.ToArray();
    }

    private static RequestRejectedException Rejected(ContentCoding coding, byte[] encoded, long cap = int.MaxValue)
        => Assert.Throws<RequestRejectedException>(() => Decode(coding, encoded, cap));

    [Theory]
    [InlineData("Identity")]
    [InlineData("Gzip")]
    [InlineData("Deflate")]
    [InlineData("Brotli")]
    [InlineData("Zstd")]
    public void Decode_round_trips(string codingName)
    {
        var coding = Enum.Parse<ContentCoding>(codingName);
        Assert.Equal(Sample, Decode(coding, Compress(coding, Sample)));
    }

    [Theory]
    // GZipStream and ZLibStream write nothing at all for empty input, so these are spelled out.
    [InlineData("Gzip", new byte[] { 0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData("Deflate", new byte[] { 0x78, 0x9C, 3, 0, 0, 0, 0, 1 })]
    [InlineData("Deflate", new byte[] { 3, 0 })]
    [InlineData("Brotli", new byte[] { 0x3B })]
    public void Decode_accepts_an_empty_payload(string codingName, byte[] encoded)
    {
        var coding = Enum.Parse<ContentCoding>(codingName);
        Assert.Empty(Decode(coding, encoded));
    }

    [Fact]
    public void Zstd_accepts_an_empty_frame()
    {
        using var c = new ZstdSharp.Compressor(3);
        Assert.Empty(Decode(ContentCoding.Zstd, c.Wrap(ReadOnlySpan<byte>.Empty).ToArray()));
    }

    [Theory]
    [InlineData(CompressionLevel.NoCompression)]
    [InlineData(CompressionLevel.Fastest)]
    [InlineData(CompressionLevel.SmallestSize)]
    public void Gzip_round_trips_at_every_level(CompressionLevel level)
    {
        Assert.Equal(Sample, Decode(ContentCoding.Gzip, Compress(ContentCoding.Gzip, Sample, level)));
    }

    [Fact]
    public void Decoder_is_reusable_across_requests_and_codings()
    {
        using var decoder = new BodyDecoder();
        using var output = new PooledBuffer(1024);
        foreach (var coding in new[] { ContentCoding.Zstd, ContentCoding.Gzip, ContentCoding.Zstd, ContentCoding.Brotli, ContentCoding.Deflate })
        {
            output.Reset();
            decoder.Decode(coding, Compress(coding, Sample), output);
            Assert.True(output.WrittenSpan.SequenceEqual(Sample));
        }
    }

    [Fact]
    public void Decode_appends_to_existing_output()
    {
        using var decoder = new BodyDecoder();
        using var output = new PooledBuffer(1024);
        output.Write("prefix:"u8);
        decoder.Decode(ContentCoding.Gzip, Compress(ContentCoding.Gzip, "hello"u8), output);
        Assert.Equal("prefix:hello"u8.ToArray(), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Gzip_decodes_concatenated_members()
    {
        var first = Sample.AsSpan(0, 1000);
        var second = Sample.AsSpan(1000, 5000);
        byte[] body = [.. Compress(ContentCoding.Gzip, first), .. Compress(ContentCoding.Gzip, second)];
        Assert.Equal(Sample.AsSpan(0, 6000).ToArray(), Decode(ContentCoding.Gzip, body));
    }

    [Fact]
    public void Gzip_skips_optional_header_fields()
    {
        var member = Compress(ContentCoding.Gzip, "hello"u8);
        // Rebuild the header with FEXTRA, FNAME, FCOMMENT and FHCRC (RFC 1952 §2.3).
        var header = new List<byte>(member[..10]) { [3] = 0x02 | 0x04 | 0x08 | 0x10 };
        header.AddRange(new byte[] { 3, 0, 1, 2, 3 });
        header.AddRange("name.txt\0"u8.ToArray());
        header.AddRange("a comment\0"u8.ToArray());
        uint crc = Checksums.Crc32(header.ToArray());
        header.Add((byte)crc);
        header.Add((byte)(crc >> 8));
        byte[] body = [.. header, .. member[10..]];
        Assert.Equal("hello"u8.ToArray(), Decode(ContentCoding.Gzip, body));
    }

    [Theory]
    [InlineData(CompressionLevel.NoCompression)]
    [InlineData(CompressionLevel.Optimal)]
    public void Deflate_accepts_raw_rfc1951_streams(CompressionLevel level)
    {
        Assert.Equal(Sample, Decode(ContentCoding.Deflate, RawDeflate(Sample, level)));
    }

    [Fact]
    public void Zstd_decodes_multiple_frames_without_content_size()
    {
        byte[] Streamed(ReadOnlySpan<byte> data)
        {
            // The streaming API writes frames that do not declare their content size.
            var ms = new MemoryStream();
            using (var s = new ZstdSharp.CompressionStream(ms, 3, leaveOpen: true)) s.Write(data);
            return ms.ToArray();
        }
        byte[] body = [.. Streamed(Sample.AsSpan(0, 100_000)), .. Streamed(Sample.AsSpan(100_000))];
        Assert.Equal(Sample, Decode(ContentCoding.Zstd, body));
    }

    [Fact]
    public void Zstd_skips_skippable_frames()
    {
        byte[] skippable = [0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 9, 9, 9];
        byte[] body = [.. skippable, .. Compress(ContentCoding.Zstd, "hello"u8)];
        Assert.Equal("hello"u8.ToArray(), Decode(ContentCoding.Zstd, body));
    }

    [Fact]
    public void Gzip_decodes_the_reference_workload_file()
    {
        var gz = BenchData.Ndjson500Gzip;
        var plain = BenchData.Ndjson500;
        Assert.Equal(plain, Decode(ContentCoding.Gzip, gz));
    }

    [Fact]
    public void Zstd_frame_with_a_window_over_8_MiB_is_refused()
    {
        // RFC 9659 §3: the zstd content coding limits the window to 8 MiB.
        var data = new byte[9 * 1024 * 1024];
        new Random(7).NextBytes(data.AsSpan(0, 4096));
        using var c = new ZstdSharp.Compressor(1);
        c.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_windowLog, 24);
        var e = Rejected(ContentCoding.Zstd, c.Wrap(data).ToArray());
        Assert.Equal(RejectReason.InvalidEncodedBody, e.Reason);
        Assert.Equal("zstd: frame window larger than 8 MiB (RFC 9659)", e.Detail);
    }

    [Theory]
    [InlineData("Gzip")]
    [InlineData("Deflate")]
    [InlineData("Brotli")]
    [InlineData("Zstd")]
    public void Truncated_stream_is_refused(string codingName)
    {
        var coding = Enum.Parse<ContentCoding>(codingName);
        var full = Compress(coding, Sample);
        foreach (int cut in new[] { 1, 3, 9, full.Length / 2, full.Length - 1 })
        {
            var e = Rejected(coding, full[..^cut]);
            Assert.Equal(RejectReason.InvalidEncodedBody, e.Reason);
        }
    }

    [Theory]
    [InlineData("Gzip", "gzip: truncated stream")]
    [InlineData("Deflate", "deflate: truncated stream")]
    [InlineData("Brotli", "br: truncated stream")]
    [InlineData("Zstd", "zstd: truncated stream")]
    public void Truncated_stream_detail_names_the_coding(string codingName, string detail)
    {
        var coding = Enum.Parse<ContentCoding>(codingName);
        var full = Compress(coding, Sample);
        Assert.Equal(detail, Rejected(coding, full[..(full.Length / 2)]).Detail);
    }

    [Fact]
    public void Raw_deflate_missing_its_final_block_is_refused()
    {
        var full = RawDeflate(Sample);
        var e = Rejected(ContentCoding.Deflate, full[..^2]);
        Assert.Equal(RejectReason.InvalidEncodedBody, e.Reason);
    }

    [Theory]
    [InlineData("Gzip")]
    [InlineData("Deflate")]
    [InlineData("Brotli")]
    [InlineData("Zstd")]
    public void Trailing_garbage_after_the_stream_is_refused(string codingName)
    {
        var coding = Enum.Parse<ContentCoding>(codingName);
        byte[] body = [.. Compress(coding, Sample), (byte)'x', (byte)'y', (byte)'z', 0, 0, 0, 0, 0];
        var e = Rejected(coding, body);
        Assert.Equal(RejectReason.InvalidEncodedBody, e.Reason);
    }

    [Fact]
    public void Trailing_garbage_after_raw_deflate_is_refused()
    {
        byte[] body = [.. RawDeflate(Sample), 1, 2, 3];
        Assert.Equal("deflate: trailing bytes after the end of the stream", Rejected(ContentCoding.Deflate, body).Detail);
    }

    [Fact]
    public void Gzip_trailing_bytes_detail_says_so()
    {
        byte[] body = [.. Compress(ContentCoding.Gzip, Sample), 0, 0];
        Assert.Equal("gzip: trailing bytes after the last member", Rejected(ContentCoding.Gzip, body).Detail);
    }

    [Theory]
    // Only formats with an integrity check can be relied on to catch a flipped byte anywhere:
    // brotli has none, and zstd only when the frame carries its optional checksum.
    [InlineData("Gzip")]
    [InlineData("Deflate")]
    [InlineData("Zstd")]
    public void Corrupt_stream_is_refused(string codingName)
    {
        var coding = Enum.Parse<ContentCoding>(codingName);
        byte[] body;
        if (coding == ContentCoding.Zstd)
        {
            using var c = new ZstdSharp.Compressor(3);
            c.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
            body = c.Wrap(Sample).ToArray();
        }
        else
        {
            body = Compress(coding, Sample);
        }
        // Flip bits across the compressed payload; each must be caught by the format's checks.
        foreach (int at in new[] { body.Length / 3, body.Length / 2, body.Length - 5 })
        {
            var copy = (byte[])body.Clone();
            copy[at] ^= 0x5A;
            Assert.Equal(RejectReason.InvalidEncodedBody, Rejected(coding, copy).Reason);
        }
    }

    [Theory]
    [InlineData("Gzip")]
    [InlineData("Deflate")]
    [InlineData("Brotli")]
    [InlineData("Zstd")]
    public void Garbage_is_refused(string codingName)
    {
        var coding = Enum.Parse<ContentCoding>(codingName);
        var garbage = "this is plainly not compressed at all, just some text"u8.ToArray();
        Assert.Equal(RejectReason.InvalidEncodedBody, Rejected(coding, garbage).Reason);
    }

    [Theory]
    [InlineData("Gzip")]
    [InlineData("Deflate")]
    [InlineData("Brotli")]
    [InlineData("Zstd")]
    public void Empty_body_is_refused_as_truncated(string codingName)
    {
        var coding = Enum.Parse<ContentCoding>(codingName);
        Assert.Equal(RejectReason.InvalidEncodedBody, Rejected(coding, []).Reason);
    }

    [Fact]
    public void Gzip_crc_mismatch_is_refused()
    {
        var body = Compress(ContentCoding.Gzip, Sample);
        body[^8] ^= 1;
        Assert.Equal("gzip: CRC-32 mismatch", Rejected(ContentCoding.Gzip, body).Detail);
    }

    [Fact]
    public void Zlib_adler_mismatch_is_refused()
    {
        var body = Compress(ContentCoding.Deflate, Sample);
        body[^1] ^= 1;
        Assert.Equal("deflate: Adler-32 mismatch", Rejected(ContentCoding.Deflate, body).Detail);
    }

    private static byte[] CompressedZeros(ContentCoding coding, int megabytes)
    {
        var zeros = new byte[1024 * 1024];
        var ms = new MemoryStream();
        if (coding == ContentCoding.Zstd)
        {
            using var z = new ZstdSharp.CompressionStream(ms, 1, leaveOpen: true);
            for (int i = 0; i < megabytes; i++) z.Write(zeros);
        }
        else
        {
            using Stream s = coding switch
            {
                ContentCoding.Gzip => new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true),
                ContentCoding.Deflate => new ZLibStream(ms, CompressionLevel.Fastest, leaveOpen: true),
                _ => new BrotliStream(ms, CompressionLevel.Fastest, leaveOpen: true),
            };
            for (int i = 0; i < megabytes; i++) s.Write(zeros);
        }
        return ms.ToArray();
    }

    [Theory]
    [InlineData("Gzip")]
    [InlineData("Deflate")]
    [InlineData("Brotli")]
    [InlineData("Zstd")]
    public void Decompression_bomb_stops_at_the_cap(string codingName)
    {
        var coding = Enum.Parse<ContentCoding>(codingName);
        const int Cap = 1024 * 1024;
        var bomb = CompressedZeros(coding, 100);
        using var decoder = new BodyDecoder();
        using var output = new PooledBuffer(4096) { Cap = Cap };
        var e = Assert.Throws<RequestRejectedException>(() => decoder.Decode(coding, bomb, output));
        Assert.Equal(RejectReason.DecodedBodyTooLarge, e.Reason);
        Assert.True(output.Length <= Cap);
        Assert.True(output.Capacity <= 2 * Cap, $"buffer grew to {output.Capacity} bytes");
    }

    [Theory]
    [InlineData("Identity")]
    [InlineData("Gzip")]
    [InlineData("Deflate")]
    [InlineData("Brotli")]
    [InlineData("Zstd")]
    public void Body_of_exactly_the_cap_is_accepted(string codingName)
    {
        var coding = Enum.Parse<ContentCoding>(codingName);
        var data = Sample.AsSpan(0, 200_000).ToArray();
        Assert.Equal(data, Decode(coding, Compress(coding, data), cap: data.Length));
    }

    [Theory]
    [InlineData("Identity")]
    [InlineData("Gzip")]
    [InlineData("Deflate")]
    [InlineData("Brotli")]
    [InlineData("Zstd")]
    public void Body_one_byte_over_the_cap_is_refused(string codingName)
    {
        var coding = Enum.Parse<ContentCoding>(codingName);
        var data = Sample.AsSpan(0, 200_001).ToArray();
        var e = Rejected(coding, Compress(coding, data), cap: 200_000);
        Assert.Equal(RejectReason.DecodedBodyTooLarge, e.Reason);
    }

    private static byte[] DecodeList(string contentEncoding, ReadOnlySpan<byte> encoded)
    {
        using var decoder = new BodyDecoder();
        using var output = new PooledBuffer(1024) { Cap = int.MaxValue };
        decoder.Decode(ContentCodingHeader.Parse(System.Text.Encoding.ASCII.GetBytes(contentEncoding)), encoded, output);
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void Stacked_codings_are_removed_last_listed_first()
    {
        // "gzip, br": gzip applied first, then br, so br comes off first (RFC 9110 §8.4).
        var body = Compress(ContentCoding.Brotli, Compress(ContentCoding.Gzip, Sample));
        Assert.Equal(Sample, DecodeList("gzip, br", body));
    }

    [Fact]
    public void Stacked_gzip_twice_is_decoded_twice()
    {
        var body = Compress(ContentCoding.Gzip, Compress(ContentCoding.Gzip, Sample));
        Assert.Equal(Sample, DecodeList("gzip, gzip", body));
    }

    [Fact]
    public void Graypy_single_zlib_stream_labelled_gzip_deflate_is_decoded()
    {
        // graypy 2.1 (compress=True) sends zlib.compress(json) with "Content-Encoding: gzip,deflate".
        var json = "{\"version\":\"1.1\",\"short_message\":\"hi\"}"u8.ToArray();
        Assert.Equal(json, DecodeList("gzip,deflate", Compress(ContentCoding.Deflate, json)));
    }

    [Fact]
    public void Listed_coding_whose_magic_bytes_are_missing_is_skipped_in_a_list()
    {
        Assert.Equal(Sample, DecodeList("zstd, gzip", Compress(ContentCoding.Zstd, Sample)));
    }

    [Fact]
    public void Body_showing_none_of_several_listed_codings_is_refused()
    {
        var e = Assert.Throws<RequestRejectedException>(() => DecodeList("gzip,deflate", "{\"plain\":true}"u8));
        Assert.Equal(RejectReason.InvalidEncodedBody, e.Reason);
        Assert.Contains("none of its listed content codings", e.Detail);
    }

    [Fact]
    public void Single_listed_coding_stays_strict_about_its_format()
    {
        var e = Assert.Throws<RequestRejectedException>(() => DecodeList("gzip", Compress(ContentCoding.Deflate, Sample)));
        Assert.Equal(RejectReason.InvalidEncodedBody, e.Reason);
    }

    [Fact]
    public void Stacked_decoding_respects_the_decoded_size_cap()
    {
        using var decoder = new BodyDecoder();
        using var output = new PooledBuffer(1024) { Cap = 1000 };
        var e = Assert.Throws<RequestRejectedException>(() =>
            decoder.Decode(ContentCodingHeader.Parse("gzip, deflate"u8), Compress(ContentCoding.Deflate, Compress(ContentCoding.Gzip, Sample)), output));
        Assert.Equal(RejectReason.DecodedBodyTooLarge, e.Reason);
    }
}
