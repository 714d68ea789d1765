using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Ingestd.Transport;

/// <summary>
/// What every transport over a socket shares: a receive loop that fills one <see cref="Pipe"/> the HTTP layer reads,
/// the graceful close (stop sending, let the peer read the last response, then release) and the hard one. A subclass
/// says how bytes are received and sent (plain, or through TLS).
/// </summary>
internal abstract class PipedConnection : ITransportConnection
{
    private static readonly PipeOptions InputOptions = new(
        pool: PipeBlockPool.Instance,
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        minimumSegmentSize: PipeBlockPool.BlockSize,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        useSynchronizationContext: false);

    private readonly Pipe _input = new(InputOptions);
    private Task? _receiving;

    protected PipedConnection(Socket socket) => Socket = socket;

    protected Socket Socket { get; }

    public PipeReader Input => _input.Reader;

    public string RemoteEndPoint => Socket.RemoteEndPoint?.ToString() ?? "?";

    public virtual TransportSecurity? Security => null;

    public void Start() => _receiving = ReceiveLoopAsync();

    /// <summary>Reads the next bytes (plaintext) into <paramref name="buffer"/>; 0 when the peer closed.</summary>
    protected abstract ValueTask<int> ReceiveAsync(Memory<byte> buffer);

    /// <summary>Sends all of <paramref name="bytes"/>; throws when the peer is gone.</summary>
    protected abstract ValueTask SendAllAsync(ReadOnlyMemory<byte> bytes);

    /// <summary>Anything to say before the FIN (TLS: close_notify).</summary>
    protected virtual Task BeforeShutdownAsync() => Task.CompletedTask;

    private async Task ReceiveLoopAsync()
    {
        var writer = _input.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                // 16 KiB: also the most plaintext one TLS record carries.
                var memory = writer.GetMemory(PipeBlockPool.BlockSize);
                int n = await ReceiveAsync(memory).ConfigureAwait(false);
                if (n == 0) break;
                writer.Advance(n);
                var flushed = await writer.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    await DiscardUntilPeerClosesAsync().ConfigureAwait(false);
                    break;
                }
            }
        }
        catch (Exception e) when (IsPeerGone(e)) { }
        catch (Exception e) { error = e; }
        await writer.CompleteAsync(error).ConfigureAwait(false);
    }

    // After we stop reading, unread bytes arriving would make the kernel answer with RST,
    // which can destroy our last response before the peer reads it (RFC 9112 §9.6).
    private async Task DiscardUntilPeerClosesAsync()
    {
        var scratch = new byte[4096];
        while (await ReceiveAsync(scratch).ConfigureAwait(false) > 0) { }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await SendAllAsync(bytes).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IsPeerGone(e)) { return false; }
    }

    /// <summary>Graceful close: stop sending (FIN), let the peer read our last response, then release.</summary>
    public async Task CloseAsync()
    {
        try { await BeforeShutdownAsync().ConfigureAwait(false); }
        catch (Exception e) when (IsPeerGone(e) || e is InvalidOperationException) { }
        try { Socket.Shutdown(SocketShutdown.Send); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _input.Reader.Complete();
        // Give the peer a moment to read and close; bounded so a silent peer can't hold us.
        var receiving = _receiving;
        if (receiving is not null) await Task.WhenAny(receiving, Task.Delay(1000)).ConfigureAwait(false);
        Dispose();
    }

    /// <summary>Hard close from any thread: pending sends and receives fail at once.</summary>
    public void Abort()
    {
        try { Socket.Dispose(); } catch (ObjectDisposedException) { }
    }

    public virtual void Dispose()
    {
        Socket.Dispose();
        try { _input.Reader.Complete(); } catch (InvalidOperationException) { }
    }

    private static bool IsPeerGone(Exception e) => e is SocketException or IOException or ObjectDisposedException;
}
