using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Ingestd.Diagnostics;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Time;
using Ingestd.Transport;

namespace Ingestd.Http;

/// <summary>
/// The HTTP/1.1 loop of one connection: read the head, hand it to the <see cref="IRequestHandler"/>, read the body
/// (length or chunked, 100-continue, timeouts), hand it over, send the response. What a request means is the
/// handler's business. Requests are handled one at a time, so pipelined requests are answered in order. All
/// buffers belong to the connection and are reused, so a steady stream of requests allocates almost nothing.
/// </summary>
internal sealed class HttpConnection : IDisposable
{
    private enum Phase { Idle, Head, Body, Busy }

    // Bodies refused before they are read are read and discarded (to keep the connection) only when small.
    private const long MaxDiscardBytes = 64 * 1024;

    private readonly ITransportConnection _connection;
    private readonly ServerContext _server;
    private readonly HttpRequestHead _head = new();
    private readonly ChunkedBodyDecoder _chunked = new();
    // Request-sized: rented from a shared pool, given back as soon as the handler is done with the body.
    private readonly PooledBuffer _body = new(LargeBufferPool.Shared);
    private readonly PooledBuffer _output = new(1024);
    private readonly Response _response = new();
    private readonly IRequestHandler _handler;

    // Between the handler's Begin and End: errors are the handler's to render.
    private bool _inRequest;
    private RequestLimits _limits;
    private volatile Phase _phase;
    private long _deadline = long.MaxValue; // Stopwatch ticks
    private volatile bool _timedOut;

    public HttpConnection(ITransportConnection connection, ServerContext server)
    {
        _connection = connection;
        _server = server;
        _handler = server.CreateHandler(connection);
        _limits = server.Limits;
    }

    private PipeReader Input => _connection.Input;

    public async Task RunAsync()
    {
        _connection.Start();
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await ProcessRequestAsync().ConfigureAwait(false);
                }
                finally
                {
                    if (_inRequest) _handler.End();
                    _inRequest = false;
                }
                if (!more) break;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.Error($"connection {_connection.RemoteEndPoint}: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            await _connection.CloseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Heartbeat: enforces idle, header and body timeouts by cancelling the pending read.</summary>
    public void OnHeartbeat(long nowTicks)
    {
        if (_phase != Phase.Busy && nowTicks > Volatile.Read(ref _deadline))
        {
            _timedOut = true;
            Input.CancelPendingRead();
        }
    }

    /// <summary>Shutdown: an idle connection is closed now; a busy one after its current response.</summary>
    public void OnShutdown()
    {
        if (_phase == Phase.Idle) Input.CancelPendingRead();
    }

    private void EnterPhase(Phase phase, TimeSpan timeout)
    {
        ExtendDeadline(timeout);
        _phase = phase;
    }

    private void ExtendDeadline(TimeSpan timeout)
        => Volatile.Write(ref _deadline, Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency));

    // Returns true to go on with the next request on this connection.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ProcessRequestAsync()
    {
        _head.Reset();
        _response.Reset();
        _body.Reset();
        _limits = _server.Limits;
        EnterPhase(Phase.Idle, _limits.IdleTimeout);

        if (!await ReadHeadAsync().ConfigureAwait(false)) return false;
        _phase = Phase.Busy;
        _inRequest = true;
        try
        {
            long maxBody = _handler.Begin(_head, _limits, UnixClock.NowNs(), _response);
            if (maxBody == IRequestHandler.AnsweredWithoutBody) return await SendResponseAsync().ConfigureAwait(false);
            _body.Cap = maxBody;
        }
        catch (RequestRejectedException e)
        {
            return await RefuseBeforeBodyAsync(e).ConfigureAwait(false);
        }

        if (_head.HasBody)
        {
            // RFC 9110 §10.1.1: tell a waiting client to go ahead only once we mean to read the body.
            if (_head.ExpectContinue && _head.IsHttp11
                && !await _connection.SendAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray()).ConfigureAwait(false))
                return false;
            if (await ReadBodyAsync().ConfigureAwait(false) != BodyRead.Complete) return false;
        }
        _phase = Phase.Busy;

        var stream = await _handler.CompleteAsync(_body, _response).ConfigureAwait(false);
        if (stream is not null) return await StreamResponseAsync(stream).ConfigureAwait(false);
        return await SendResponseAsync().ConfigureAwait(false);
    }

    // Server-Sent Events and the like: send the head, then hand the socket to the stream until it ends.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> StreamResponseAsync(IResponseStream stream)
    {
        _response.Streaming = true;
        _handler.BeforeSend(_response);
        _output.Reset();
        _response.WriteTo(_output, keepAliveHeader: false, headRequest: false, HttpDate.Current);
        if (!await _connection.SendAsync(_output.WrittenMemory).ConfigureAwait(false)) return false;
        try
        {
            await stream.RunAsync(_connection, _server.ShuttingDown).ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
        return false;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadHeadAsync()
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await Input.ReadAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException) { return false; }
            var buffer = result.Buffer;

            if (result.IsCanceled)
            {
                Input.AdvanceTo(buffer.Start, buffer.End);
                if (_timedOut)
                {
                    if (_phase == Phase.Head && !buffer.IsEmpty)
                    {
                        await SendErrorAsync(new RequestRejectedException(RejectReason.HeaderTimeout), close: true).ConfigureAwait(false);
                        return false;
                    }
                    _server.Metrics.IdleTimeoutCloses.Increment();
                    return false;
                }
                if (_server.ShuttingDown.IsCancellationRequested && buffer.IsEmpty) return false;
                continue;
            }

            bool complete;
            SequencePosition consumed, examined;
            try
            {
                complete = HttpRequestParser.TryParseHead(buffer, _head, _limits.Http, out consumed, out examined);
            }
            catch (RequestRejectedException e)
            {
                Input.AdvanceTo(buffer.End);
                await SendErrorAsync(e, close: true).ConfigureAwait(false);
                return false;
            }

            if (complete)
            {
                // Only consumed: bytes after the head (body, next request) must be seen again at once.
                Input.AdvanceTo(consumed);
                return true;
            }
            if (result.IsCompleted)
            {
                Input.AdvanceTo(buffer.End);
                return false;
            }
            if (_phase == Phase.Idle && !buffer.IsEmpty) EnterPhase(Phase.Head, _limits.HeaderTimeout);
            Input.AdvanceTo(consumed, examined);
        }
    }

    private enum BodyRead { Complete, Refused, Lost }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<BodyRead> ReadBodyAsync()
    {
        EnterPhase(Phase.Body, _limits.BodyTimeout);
        try
        {
            if (_head.IsChunked)
            {
                _chunked.Reset();
                while (true)
                {
                    var result = await Input.ReadAsync().ConfigureAwait(false);
                    var buffer = result.Buffer;
                    if (result.IsCanceled) return await BodyTimedOutAsync(buffer).ConfigureAwait(false);
                    bool done = _chunked.Decode(buffer, _body, _limits.Http, out var consumed, out var examined);
                    Input.AdvanceTo(consumed, examined);
                    if (done) return BodyRead.Complete;
                    if (result.IsCompleted) return BodyRead.Lost;
                    ExtendDeadline(_limits.BodyTimeout);
                }
            }

            long remaining = _head.ContentLength;
            _body.GetSpan((int)Math.Min(remaining, int.MaxValue));
            while (remaining > 0)
            {
                var result = await Input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                if (result.IsCanceled) return await BodyTimedOutAsync(buffer).ConfigureAwait(false);
                long take = Math.Min(remaining, buffer.Length);
                var slice = buffer.Slice(0, take);
                foreach (var segment in slice) _body.Write(segment.Span);
                Input.AdvanceTo(slice.End);
                remaining -= take;
                if (remaining > 0 && result.IsCompleted) return BodyRead.Lost;
                ExtendDeadline(_limits.BodyTimeout);
            }
            return BodyRead.Complete;
        }
        catch (RequestRejectedException e)
        {
            // Framing error or size limit inside the body: the stream position is lost, so close.
            await SendErrorAsync(e, close: true).ConfigureAwait(false);
            return BodyRead.Refused;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return BodyRead.Lost;
        }
    }

    private async ValueTask<BodyRead> BodyTimedOutAsync(ReadOnlySequence<byte> buffer)
    {
        Input.AdvanceTo(buffer.Start, buffer.End);
        if (_timedOut)
            await SendErrorAsync(new RequestRejectedException(RejectReason.BodyTimeout), close: true).ConfigureAwait(false);
        return BodyRead.Refused;
    }

    // Refusals decided from the head alone. A small body is read and dropped so the
    // connection can carry on; otherwise (or when the client waits for 100-continue) we close.
    private async ValueTask<bool> RefuseBeforeBodyAsync(RequestRejectedException e)
    {
        bool close = Rejection.ClosesConnection(e.Reason) || e.Reason == RejectReason.BodyTooLarge;
        if (!close && _head.HasBody)
        {
            if (_head.ExpectContinue || _head.IsChunked || _head.ContentLength > MaxDiscardBytes) close = true;
            else if (await ReadBodyAsync().ConfigureAwait(false) != BodyRead.Complete) return false;
        }
        await SendErrorAsync(e, close).ConfigureAwait(false);
        return !close && _head.KeepAlive && !_server.ShuttingDown.IsCancellationRequested;
    }

    private async ValueTask SendErrorAsync(RequestRejectedException e, bool close)
    {
        _phase = Phase.Busy;
        _response.Reset();
        if (_inRequest) _handler.WriteError(e, _response);
        else ErrorBody.From(e).WriteTo(_response, Rejection.StatusCode(e.Reason));
        _response.CloseConnection = close;
        await SendResponseAsync().ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> SendResponseAsync()
    {
        _handler.BeforeSend(_response);
        bool close = _response.CloseConnection || !_head.KeepAlive || _server.ShuttingDown.IsCancellationRequested;
        _response.CloseConnection = close;
        _output.Reset();
        _response.WriteTo(_output, keepAliveHeader: !close && !_head.IsHttp11, headRequest: _head.Method == HttpMethod.Head, HttpDate.Current);
        // Counted before sending, so a client that scrapes /metrics right after its answer sees it.
        _server.Metrics.CountRequest(_inRequest ? _handler.RouteName : "unmatched", _response.StatusCode);
        bool sent = await _connection.SendAsync(_output.WrittenMemory).ConfigureAwait(false);
        // A large answer (a documentation bundle is ~5 MB) must not stay rented by an idle keep-alive connection;
        // TrimTo only gives back an empty buffer.
        _output.Reset();
        _output.TrimTo(64 * 1024);
        _response.TrimBody(64 * 1024);
        _body.Release();
        return sent && !close;
    }

    public void Dispose()
    {
        _body.Dispose();
        _output.Dispose();
        _response.Dispose();
        _handler.Dispose();
    }
}
