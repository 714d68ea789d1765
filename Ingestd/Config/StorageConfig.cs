
namespace Ingestd.Config;

/// <summary><c>[storage]</c>: ring, segment files and durability.</summary>
internal sealed record StorageConfig
{
    public const long MinRingBytes = 64 * 1024;

    // A block is gathered in one buffer before compression, so it must stay well inside an array.
    public const long MaxBlockBytes = 256L * 1024 * 1024;

    public Durability Durability { get; init; } = Durability.Write;

    /// <summary><c>segment_max_bytes</c>: rotate the segment file past this size.</summary>
    public long SegmentMaxBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary><c>segment_max_age</c>: rotate the segment file past this age.</summary>
    public TimeSpan SegmentMaxAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary><c>retention_max_bytes</c>: delete the oldest whole segments beyond this total; 0 keeps everything.</summary>
    public long RetentionMaxBytes { get; init; }

    /// <summary><c>ring_bytes</c>: fixed memory of the ingest ring.</summary>
    public long RingBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary><c>block_max_bytes</c>: uncompressed record bytes gathered before a zstd block is cut.</summary>
    public int BlockMaxBytes { get; init; } = 1024 * 1024;

    /// <summary><c>compression_level</c>: zstd level, 1..19, or a fast level -1..-5 (faster, larger blocks).</summary>
    public int CompressionLevel { get; init; } = 1;

    public const int FastestCompressionLevel = -5;
    public const int SmallestCompressionLevel = 19;

    /// <summary><c>backpressure_wait</c>: how long a request may wait for ring space before it gets 429.</summary>
    public TimeSpan BackpressureWait { get; init; } = TimeSpan.FromMilliseconds(100);
}
