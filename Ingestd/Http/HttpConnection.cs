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
    // Body bytes still to read (Content-Length framing).
    private long _remaining;
    // Set by a read step that stops the connection with an answer.
    private RequestRejectedException? _refusal;
    // When the current request's head was complete (Stopwatch ticks), for LatencyEvents.
    private long _headAt;
    private volatile bool _timedOut;

    public HttpConnection(ITransportConnection connection, ServerContext server)
    {
        _connection = connection;
        _server = server;
        _handler = server.CreateHandler(connection);
        _limits = server.Limits;
    }

    private static readonly byte[] Continue = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();

    private PipeReader Input => _connection.Input;

    /// <summary>
    /// The connection's one long-lived state machine: every wait of the request loop (bytes from the pipe, the
    /// handler's wait for the disk) is awaited here, directly on a reusable <see cref="System.Threading.Tasks.Sources.IValueTaskSource"/>, and the
    /// steps between are synchronous, so a steady stream of requests allocates nothing. (A nested async method that
    /// suspends allocates its box, pooled only up to one per thread and core.) Rare paths (refusals, streams) are
    /// nested async methods.
    /// </summary>
    public async Task RunAsync()
    {
        _connection.Start();
        try
        {
            bool more = true;
            while (more)
            {
                try
                {
                    // The head.
                    StartRequest();
                    var step = ReadStep.NeedMore;
                    while (step == ReadStep.NeedMore)
                    {
                        ReadResult result;
                        try { result = await Input.ReadAsync().ConfigureAwait(false); }
                        catch (Exception e) when (e is IOException or InvalidOperationException) { step = ReadStep.Stop; break; }
                        step = OnHeadBytes(result);
                    }
                    if (step == ReadStep.Stop)
                    {
                        await StopAsync().ConfigureAwait(false);
                        break;
                    }

                    _phase = Phase.Busy;
                    _inRequest = true;
                    _headAt = Stopwatch.GetTimestamp();
                    long maxBody;
                    try
                    {
                        maxBody = _handler.Begin(_head, _limits, UnixClock.NowNs(), _response);
                    }
                    catch (RequestRejectedException e)
                    {
                        more = await RefuseBeforeBodyAsync(e).ConfigureAwait(false);
                        continue;
                    }
                    if (maxBody == IRequestHandler.AnsweredWithoutBody)
                    {
                        more = await SendResponseAsync().ConfigureAwait(false);
                        continue;
                    }
                    _body.Cap = maxBody;

                    // The body, then the handler (which may wait for the disk), then the answer.
                    if (_head.HasBody)
                    {
                        // RFC 9110 §10.1.1: tell a waiting client to go ahead only once we mean to read the body.
                        if (_head.ExpectContinue && _head.IsHttp11 && !await _connection.SendAsync(Continue).ConfigureAwait(false)) break;
                        step = StartBody();
                        while (step == ReadStep.NeedMore)
                        {
                            ReadResult result;
                            try { result = await Input.ReadAsync().ConfigureAwait(false); }
                            catch (Exception e) when (e is IOException or InvalidOperationException) { step = ReadStep.Stop; break; }
                            step = OnBodyBytes(result);
                        }
                        if (step == ReadStep.Stop)
                        {
                            await StopAsync().ConfigureAwait(false);
                            break;
                        }
                    }
                    _phase = Phase.Busy;

                    if (!_handler.Complete(_body, _response, out var wait))
                    {
                        await wait.ConfigureAwait(false);
                        _handler.AfterWait(_response);
                    }
                    more = _handler.Stream is { } stream
                        ? await StreamResponseAsync(stream).ConfigureAwait(false)
                        : await SendResponseAsync().ConfigureAwait(false);
                }
                finally
                {
                    if (_inRequest) _handler.End();
                    _inRequest = false;
                }
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

    private void StartRequest()
    {
        _head.Reset();
        _response.Reset();
        _body.Reset();
        _refusal = null;
        _limits = _server.Limits;
        EnterPhase(Phase.Idle, _limits.IdleTimeout);
    }

    // After a Stop: answer the refusal that caused it, if any; the connection then closes.
    private ValueTask StopAsync() => _refusal is { } e ? SendErrorAsync(e, close: true) : ValueTask.CompletedTask;

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

    // What a step of reading wants next: more bytes, nothing (done), or to end the connection (after answering
    // _refusal, when set).
    private enum ReadStep { NeedMore, Done, Stop }

    // Head bytes in: parse what is there. Advances the pipe.
    private ReadStep OnHeadBytes(in ReadResult result)
    {
        var buffer = result.Buffer;
        if (result.IsCanceled)
        {
            Input.AdvanceTo(buffer.Start, buffer.End);
            if (_timedOut)
            {
                if (_phase == Phase.Head && !buffer.IsEmpty)
                {
                    _refusal = new RequestRejectedException(RejectReason.HeaderTimeout);
                    return ReadStep.Stop;
                }
                _server.Metrics.IdleTimeoutCloses.Increment();
                return ReadStep.Stop;
            }
            return _server.ShuttingDown.IsCancellationRequested && buffer.IsEmpty ? ReadStep.Stop : ReadStep.NeedMore;
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
            _refusal = e;
            return ReadStep.Stop;
        }

        if (complete)
        {
            // Only consumed: bytes after the head (body, next request) must be seen again at once.
            Input.AdvanceTo(consumed);
            return ReadStep.Done;
        }
        if (result.IsCompleted)
        {
            Input.AdvanceTo(buffer.End);
            return ReadStep.Stop;
        }
        if (_phase == Phase.Idle && !buffer.IsEmpty) EnterPhase(Phase.Head, _limits.HeaderTimeout);
        Input.AdvanceTo(consumed, examined);
        return ReadStep.NeedMore;
    }

    private ReadStep StartBody()
    {
        EnterPhase(Phase.Body, _limits.BodyTimeout);
        if (_head.IsChunked)
        {
            _chunked.Reset();
            return ReadStep.NeedMore;
        }
        _remaining = _head.ContentLength;
        if (_remaining <= 0) return ReadStep.Done;
        try
        {
            _body.GetSpan((int)Math.Min(_remaining, int.MaxValue));
        }
        catch (RequestRejectedException e)
        {
            _refusal = e;
            return ReadStep.Stop;
        }
        return ReadStep.NeedMore;
    }

    // Body bytes in: decode (chunked) or copy (Content-Length) what is there. Advances the pipe. A framing error
    // or size limit inside the body loses the stream position, so it ends the connection.
    private ReadStep OnBodyBytes(in ReadResult result)
    {
        var buffer = result.Buffer;
        if (result.IsCanceled)
        {
            Input.AdvanceTo(buffer.Start, buffer.End);
            if (_timedOut) _refusal = new RequestRejectedException(RejectReason.BodyTimeout);
            return ReadStep.Stop;
        }
        try
        {
            if (_head.IsChunked)
            {
                bool done = _chunked.Decode(buffer, _body, _limits.Http, out var consumed, out var examined);
                Input.AdvanceTo(consumed, examined);
                if (done) return ReadStep.Done;
            }
            else
            {
                long take = Math.Min(_remaining, buffer.Length);
                var slice = buffer.Slice(0, take);
                foreach (var segment in slice) _body.Write(segment.Span);
                Input.AdvanceTo(slice.End);
                _remaining -= take;
                if (_remaining == 0) return ReadStep.Done;
            }
        }
        catch (RequestRejectedException e)
        {
            _refusal = e;
            return ReadStep.Stop;
        }
        if (result.IsCompleted) return ReadStep.Stop;
        ExtendDeadline(_limits.BodyTimeout);
        return ReadStep.NeedMore;
    }

    // The body of a request refused from its head (rare): the same steps as the loop's, true when read whole.
    private async ValueTask<bool> ReadBodyAsync()
    {
        var step = StartBody();
        while (step == ReadStep.NeedMore)
        {
            ReadResult result;
            try { result = await Input.ReadAsync().ConfigureAwait(false); }
            catch (Exception e) when (e is IOException or InvalidOperationException) { return false; }
            step = OnBodyBytes(result);
        }
        if (step == ReadStep.Done) return true;
        await StopAsync().ConfigureAwait(false);
        return false;
    }

    // Refusals decided from the head alone. A small body is read and dropped so the
    // connection can carry on; otherwise (or when the client waits for 100-continue) we close.
    private async ValueTask<bool> RefuseBeforeBodyAsync(RequestRejectedException e)
    {
        bool close = Rejection.ClosesConnection(e.Reason) || e.Reason == RejectReason.BodyTooLarge;
        if (!close && _head.HasBody)
        {
            if (_head.ExpectContinue || _head.IsChunked || _head.ContentLength > MaxDiscardBytes) close = true;
            else if (!await ReadBodyAsync().ConfigureAwait(false)) return false;
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
        if (_inRequest)
        {
            var served = Stopwatch.GetElapsedTime(_headAt);
            _server.Metrics.ObserveRequest(_handler.RouteName, served.TotalSeconds);
            if (LatencyEvents.Log.IsEnabled()) LatencyEvents.Log.RequestServed((long)served.TotalMicroseconds, _head.ContentLength);
        }
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
