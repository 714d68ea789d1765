namespace Ingestd.Parsing.Buffers;

/// <summary>
/// A <see cref="PooledBuffer"/> was asked to hold more than its <see cref="PooledBuffer.Cap"/>. The buffer knows
/// nothing of requests: the code that set the cap says what passing it means (a body too large, a decoded body too
/// large) by turning this into its own error where it writes.
/// </summary>
internal sealed class BufferLimitExceededException(long limit, long size)
    : Exception($"buffer limit of {limit} bytes exceeded ({size} bytes asked for)")
{
    /// <summary>The cap that was passed.</summary>
    public long Limit { get; } = limit;

    /// <summary>The size the buffer would have reached (at least this many bytes).</summary>
    public long Size { get; } = size;
}
