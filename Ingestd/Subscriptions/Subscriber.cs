using System.Text;
using System.Threading.Channels;
using Ingestd.Http;
using Ingestd.Transport;

namespace Ingestd.Subscriptions;

/// <summary>
/// One Server-Sent Events client: a bounded queue of ready-made frames and the loop that sends them. Ingest only ever
/// tries to enqueue; a subscriber whose queue is full is dropped, so a slow or stalled reader can never hold up ingest.
/// A dropped subscriber's queue is discarded and it is sent one last <c>event: dropped</c> saying why; a client that
/// does not read even that within <see cref="DroppedGrace"/> is cut off.
/// </summary>
internal sealed class Subscriber : IResponseStream
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>How long a dropped subscriber has to take its last frames before the connection is aborted.</summary>
    public static readonly TimeSpan DroppedGrace = TimeSpan.FromSeconds(30);

    private readonly Channel<byte[]> _queue;
    private readonly SubscriptionHub _hub;
    private readonly int _capacity;
    private ITransportConnection? _connection;
    private Timer? _cutOff;
    private int _dropped;

    public Subscriber(SubscriptionHub hub, ISubscription filter, int capacity)
    {
        _hub = hub;
        _capacity = capacity;
        Filter = filter;
        _queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails instead of waiting: then we drop the subscriber
        });
    }

    public ISubscription Filter { get; }

    /// <summary>True once the subscriber was dropped for falling behind.</summary>
    public bool Dropped => Volatile.Read(ref _dropped) != 0;

    /// <summary>Never blocks: false (and the subscriber is dropped) when its queue is full.</summary>
    public bool TryEnqueue(byte[] frame)
    {
        if (_queue.Writer.TryWrite(frame)) return true;
        if (Interlocked.Exchange(ref _dropped, 1) == 0)
        {
            _queue.Writer.TryComplete();
            // It may be stuck in a send to a client that stopped reading: give it a while, then cut it off.
            _cutOff = new Timer(_ => Volatile.Read(ref _connection)?.Abort(), null, DroppedGrace, Timeout.InfiniteTimeSpan);
        }
        return false;
    }

    /// <summary>The last frame of a dropped subscriber.</summary>
    private byte[] DroppedFrame() => Encoding.UTF8.GetBytes(
        "event: dropped\ndata: {\"reason\":\"slow_consumer\",\"detail\":\"this subscriber fell " + _capacity
        + " records behind (limits.sse_subscriber_buffer) and was disconnected; records since were not sent: reconnect, and query /v1/query for what was missed\"}\n\n");

    public async Task RunAsync(ITransportConnection connection, CancellationToken shutdown)
    {
        Volatile.Write(ref _connection, connection);
        using var onShutdown = shutdown.Register(connection.Abort);
        try
        {
            // A comment first, so the client sees the stream open even before any event.
            if (!await connection.SendAsync(": subscribed\n\n"u8.ToArray()).ConfigureAwait(false)) return;
            var reader = _queue.Reader;
            while (!shutdown.IsCancellationRequested && !Dropped)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
                tick.CancelAfter(KeepAlive);
                bool more;
                try
                {
                    more = await reader.WaitToReadAsync(tick.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!shutdown.IsCancellationRequested)
                {
                    if (!await connection.SendAsync(": keep-alive\n\n"u8.ToArray()).ConfigureAwait(false)) return;
                    continue;
                }
                if (!more) break;
                while (!Dropped && reader.TryRead(out var frame))
                    if (!await connection.SendAsync(frame).ConfigureAwait(false)) return;
            }
            if (Dropped) await connection.SendAsync(DroppedFrame()).ConfigureAwait(false);
        }
        finally
        {
            _cutOff?.Dispose();
            _hub.Remove(this);
        }
    }
}
