using Ingestd.Ingest;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Encoding;
using Ingestd.Parsing.Records;
using Ingestd.Ring;

namespace Ingestd.Bench.Compare;

/// <summary>
/// What one in-flight <c>/v1/drain</c> request on Kestrel needs: the buffers, decoder, batch and
/// durability waiter that the daemon keeps per connection. Kestrel owns the connections here, so
/// these are pooled per request instead.
/// </summary>
internal sealed class KestrelDrainState : IDisposable
{
    public KestrelDrainState(long maxBodyBytes)
    {
        Raw.Cap = maxBodyBytes;
        Decoded.Cap = maxBodyBytes;
    }

    public PooledBuffer Raw { get; } = new(256 * 1024);
    public PooledBuffer Decoded { get; } = new(256 * 1024);
    public BodyDecoder Decoder { get; } = new();
    public RecordBatch Batch { get; } = new();
    public DurabilityWaiter Waiter { get; } = new();

    public void Reset()
    {
        Raw.Reset();
        Raw.TrimTo(8 * 1024 * 1024);
        Decoded.Reset();
        Decoded.TrimTo(8 * 1024 * 1024);
        Batch.Reset();
    }

    public void Dispose()
    {
        Raw.Dispose();
        Decoded.Dispose();
        Decoder.Dispose();
        Batch.Dispose();
    }
}
