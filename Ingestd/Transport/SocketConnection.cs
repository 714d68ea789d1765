using System.IO.Pipelines;
using System.Net.Sockets;

namespace Ingestd.Transport;

/// <summary>
/// A raw TCP connection: a receive loop fills one <see cref="Pipe"/> that the HTTP layer
/// reads; responses go straight to the socket in one send each. Knows nothing of HTTP.
/// </summary>
internal sealed class SocketConnection : ITransportConnection
{
    private static readonly PipeOptions InputOptions = new(
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        minimumSegmentSize: 16 * 1024,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        useSynchronizationContext: false);

    private readonly Socket _socket;
    private readonly Pipe _input = new(InputOptions);
    private Task? _receiving;

    public SocketConnection(Socket socket)
    {
        _socket = socket;
        _socket.NoDelay = true;
    }

    public PipeReader Input => _input.Reader;

    public string RemoteEndPoint => _socket.RemoteEndPoint?.ToString() ?? "?";

    public void Start() => _receiving = ReceiveLoopAsync();

    private async Task ReceiveLoopAsync()
    {
        var writer = _input.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(16 * 1024);
                int n = await _socket.ReceiveAsync(memory, SocketFlags.None).ConfigureAwait(false);
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
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        catch (Exception e) { error = e; }
        await writer.CompleteAsync(error).ConfigureAwait(false);
    }

    // After we stop reading, unread bytes arriving would make the kernel answer with RST,
    // which can destroy our last response before the peer reads it (RFC 9112 §9.6).
    private async Task DiscardUntilPeerClosesAsync()
    {
        var scratch = new byte[4096];
        while (await _socket.ReceiveAsync(scratch, SocketFlags.None).ConfigureAwait(false) > 0) { }
    }

    public async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            while (!bytes.IsEmpty)
            {
                int n = await _socket.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false);
                bytes = bytes[n..];
            }
            return true;
        }
        catch (SocketException) { return false; }
        catch (ObjectDisposedException) { return false; }
    }

    /// <summary>Graceful close: stop sending (FIN), let the peer read our last response, then release.</summary>
    public async Task CloseAsync()
    {
        try { _socket.Shutdown(SocketShutdown.Send); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _input.Reader.Complete();
        // Give the peer a moment to read and close; bounded so a silent peer can't hold us.
        var receiving = _receiving;
        if (receiving is not null) await Task.WhenAny(receiving, Task.Delay(1000)).ConfigureAwait(false);
        Dispose();
    }

    /// <summary>Hard close from any thread: pending sends and receives fail at once.</summary>
    public void Abort()
    {
        try { _socket.Dispose(); } catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _socket.Dispose();
        try { _input.Reader.Complete(); } catch (InvalidOperationException) { }
    }
}
