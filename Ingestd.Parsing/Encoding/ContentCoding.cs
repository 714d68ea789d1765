namespace Ingestd.Parsing.Encoding;

/// <summary>The content codings ingestd decodes (RFC 9110 §8.4.1; zstd per RFC 8878 §7.2).</summary>
internal enum ContentCoding : byte
{
    Identity = 0,
    Gzip,
    Deflate,
    Brotli,
    Zstd,
}
