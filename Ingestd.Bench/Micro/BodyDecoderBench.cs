using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Encoding;

namespace Ingestd.Bench.Micro;

/// <summary>
/// <see cref="BodyDecoder"/> decoding the NDJSON reference body (179,983 bytes), compressed in set-up
/// with each content coding at its usual client level. Per decoded body: MB/s decoded = 179,983 / Mean.
/// </summary>
[MemoryDiagnoser]
public class BodyDecoderBench
{
    private readonly BodyDecoder _decoder = new();
    private readonly PooledBuffer _output = new(256 * 1024);
    private byte[] _encoded = [];
    private int _decodedLength;

    private ContentCoding _coding;

    /// <summary>The Content-Encoding token (the enum is internal, and BenchmarkDotNet's generated code needs public parameter types).</summary>
    [Params("gzip", "deflate", "br", "zstd")]
    public string Coding { get; set; } = "gzip";

    [GlobalSetup]
    public void Setup()
    {
        var plain = BenchData.Ndjson500;
        _decodedLength = plain.Length;
        var encoded = new MemoryStream();
        // Default levels: what gzip/zlib/brotli/zstd clients send unless tuned.
        _coding = Coding switch
        {
            "gzip" => ContentCoding.Gzip,
            "deflate" => ContentCoding.Deflate,
            "br" => ContentCoding.Brotli,
            _ => ContentCoding.Zstd,
        };
        using (Stream compressor = _coding switch
        {
            ContentCoding.Gzip => new GZipStream(encoded, CompressionLevel.Optimal, leaveOpen: true),
            ContentCoding.Deflate => new ZLibStream(encoded, CompressionLevel.Optimal, leaveOpen: true),
            ContentCoding.Brotli => new BrotliStream(encoded, CompressionLevel.Optimal, leaveOpen: true),
            _ => new ZstdSharp.CompressionStream(encoded, 3, leaveOpen: true),
        })
        {
            compressor.Write(plain);
        }
        _encoded = encoded.ToArray();
        if (Decode() != _decodedLength) throw new InvalidOperationException($"{Coding}: decoded length differs");
        Console.WriteLine($"// {Coding}: {_encoded.Length} bytes encoded, ratio {(double)_decodedLength / _encoded.Length:F2}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _decoder.Dispose();
        _output.Dispose();
    }

    [Benchmark]
    public int Decode()
    {
        _output.Reset();
        _decoder.Decode(_coding, _encoded, _output);
        return _output.Length;
    }
}
