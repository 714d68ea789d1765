using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;

namespace Ingestd.Transport;

/// <summary>
/// A TLS connection after its handshake: a receive loop decrypts into one <see cref="Pipe"/> that the HTTP layer
/// reads exactly as it reads a <see cref="SocketConnection"/>; responses are encrypted and sent in one write each.
/// </summary>
internal sealed class TlsConnection : ITransportConnection
{
    private static readonly PipeOptions InputOptions = new(
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        minimumSegmentSize: 16 * 1024,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        useSynchronizationContext: false);

    private readonly Socket _socket;
    private readonly SslStream _tls;
    private readonly Pipe _input = new(InputOptions);
    private Task? _receiving;

    public TlsConnection(Socket socket, SslStream tls, TransportSecurity security)
    {
        _socket = socket;
        _tls = tls;
        Security = security;
    }

    public PipeReader Input => _input.Reader;

    public string RemoteEndPoint => _socket.RemoteEndPoint?.ToString() ?? "?";

    public TransportSecurity Security { get; }

    public void Start() => _receiving = ReceiveLoopAsync();

    private async Task ReceiveLoopAsync()
    {
        var writer = _input.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                // A TLS record carries at most 16 KiB of plaintext.
                var memory = writer.GetMemory(16 * 1024);
                int n = await _tls.ReadAsync(memory).ConfigureAwait(false);
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
        catch (IOException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        catch (Exception e) { error = e; }
        await writer.CompleteAsync(error).ConfigureAwait(false);
    }

    // As for a plain socket: unread bytes at close would make the kernel send RST over our last response.
    private async Task DiscardUntilPeerClosesAsync()
    {
        var scratch = new byte[4096];
        while (await _tls.ReadAsync(scratch).ConfigureAwait(false) > 0) { }
    }

    public async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await _tls.WriteAsync(bytes).ConfigureAwait(false);
            return true;
        }
        catch (IOException) { return false; }
        catch (SocketException) { return false; }
        catch (ObjectDisposedException) { return false; }
    }

    /// <summary>Graceful close: TLS close_notify, then FIN; let the peer read the last response, then release.</summary>
    public async Task CloseAsync()
    {
        try { await _tls.ShutdownAsync().ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException) { }
        try { _socket.Shutdown(SocketShutdown.Send); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _input.Reader.Complete();
        var receiving = _receiving;
        if (receiving is not null) await Task.WhenAny(receiving, Task.Delay(1000)).ConfigureAwait(false);
        Dispose();
    }

    /// <summary>Hard close from any thread: pending reads and writes fail at once.</summary>
    public void Abort()
    {
        try { _socket.Dispose(); } catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _tls.Dispose();
        try { _input.Reader.Complete(); } catch (InvalidOperationException) { }
    }
}
