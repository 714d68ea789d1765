using System.Threading.Channels;
using Ingestd.Http;
using Ingestd.Parsing.Records;
using Ingestd.Transport;

namespace Ingestd.Subscriptions;

/// <summary>
/// One Server-Sent Events client: a bounded queue of ready-made frames and the loop that sends
/// them. Ingest only ever tries to enqueue; a subscriber whose queue is full is dropped, so a
/// slow or stalled reader can never hold up ingest.
/// </summary>
internal sealed class Subscriber : IResponseStream
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    private readonly Channel<byte[]> _queue;
    private readonly SubscriptionHub _hub;
    private ITransportConnection? _connection;

    public Subscriber(SubscriptionHub hub, SubscriptionFilter filter, int capacity)
    {
        _hub = hub;
        Filter = filter;
        _queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails instead of waiting: then we drop the subscriber
        });
    }

    public SubscriptionFilter Filter { get; }

    /// <summary>True once the subscriber was dropped for falling behind.</summary>
    public bool Dropped { get; private set; }

    /// <summary>Never blocks: false (and the subscriber is dropped) when its queue is full.</summary>
    public bool TryEnqueue(byte[] frame)
    {
        if (_queue.Writer.TryWrite(frame)) return true;
        Dropped = true;
        _queue.Writer.TryComplete();
        // It may be stuck in a send to a client that stopped reading: cut it off.
        Volatile.Read(ref _connection)?.Abort();
        return false;
    }

    public async Task RunAsync(ITransportConnection connection, CancellationToken shutdown)
    {
        Volatile.Write(ref _connection, connection);
        using var onShutdown = shutdown.Register(connection.Abort);
        try
        {
            if (Dropped) return;
            // A comment first, so the client sees the stream open even before any event.
            if (!await connection.SendAsync(": subscribed\n\n"u8.ToArray()).ConfigureAwait(false)) return;
            var reader = _queue.Reader;
            while (!shutdown.IsCancellationRequested)
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
                if (!more) return; // dropped: closing tells the client to reconnect
                while (reader.TryRead(out var frame))
                    if (!await connection.SendAsync(frame).ConfigureAwait(false)) return;
            }
        }
        finally
        {
            _hub.Remove(this);
        }
    }

    internal bool Matches(in RecordView record, ReadOnlySpan<byte> tenant, RecordKind kind) => Filter.Matches(record, tenant, kind);
}
