using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Ingestd.Endpoints;
using Ingestd.Ingest;
using Ingestd.Parsing;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Encoding;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Processing;
using Ingestd.Ring;
using Ingestd.Transport;

namespace Ingestd.Http;

/// <summary>
/// The HTTP/1.1 request loop of one connection: head → route → authorize → body (length or
/// chunked, then Content-Encoding) → endpoint → ring → durability → response. Requests are
/// handled one at a time, so pipelined requests are answered in order. All buffers belong to
/// the connection and are reused, so a steady stream of requests allocates almost nothing.
/// </summary>
internal sealed class HttpConnection : IDisposable
{
    private enum Phase { Idle, Head, Body, Busy }

    // Bodies refused before they are read are drained (to keep the connection) only when small.
    private const long MaxDrainBytes = 64 * 1024;

    private readonly ITransportConnection _connection;
    private readonly ServerContext _server;
    private readonly HttpRequestHead _head = new();
    private readonly ChunkedBodyDecoder _chunked = new();
    private readonly BodyDecoder _decoder = new();
    // Request-sized buffers come from a shared pool and go back as soon as the body is parsed.
    private readonly PooledBuffer _body = new(LargeBufferPool.Shared);
    private readonly PooledBuffer _decoded = new(LargeBufferPool.Shared);
    private readonly PooledBuffer _output = new(1024);
    private readonly Response _response = new();
    private readonly RequestContext _context;
    private readonly DurabilityWaiter _waiter = new();
    private readonly PipelineRunner _pipelineRunner = new();

    private Endpoint? _current;
    private RequestLimits _limits;
    private volatile Phase _phase;
    private long _deadline = long.MaxValue; // Stopwatch ticks
    private volatile bool _timedOut;

    public HttpConnection(ITransportConnection connection, ServerContext server)
    {
        _connection = connection;
        _server = server;
        _context = new RequestContext(_head);
        _limits = server.Limits;
        _body.Limit = RejectReason.BodyTooLarge;
        _decoded.Limit = RejectReason.DecodedBodyTooLarge;
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
                    _current?.EndRequest(_context);
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
    private async ValueTask<bool> ProcessRequestAsync()
    {
        _head.Reset();
        _context.Reset();
        _response.Reset();
        _body.Reset();
        _decoded.Reset();
        _current = null;
        _limits = _server.Limits;
        EnterPhase(Phase.Idle, _limits.IdleTimeout);

        if (!await ReadHeadAsync().ConfigureAwait(false)) return false;
        _phase = Phase.Busy;
        _context.ReceivedNs = UnixTime.NowNs();

        var endpoint = _server.Router.Match(_head.Path, _head.Method, out int parameterStart);
        _current = endpoint;
        _context.PathParameterStart = parameterStart;
        try
        {
            if (endpoint is null) throw new RequestRejectedException(RejectReason.NotFound, $"no endpoint at {Printable(_head.Path)}");
            if (!endpoint.AllowsMethod(_head.Method))
            {
                // RFC 9110 §15.6.2: 501 for a method the server does not recognise at all;
                // 405 (§15.5.6) for one it knows but this route does not take.
                if (_head.Method == HttpMethod.Unknown)
                    throw new RequestRejectedException(RejectReason.NotImplemented, $"{Printable(_head.MethodBytes)} is not a method this server implements");
                throw new RequestRejectedException(RejectReason.MethodNotAllowed, $"{Printable(_head.MethodBytes)} not allowed on {endpoint.Name}; allowed: {endpoint.Allow}");
            }
            endpoint.Authorize(_context);
            long maxBody = endpoint.MaxBodyBytes(_limits.MaxBodyBytes);
            _body.Cap = maxBody;
            _decoded.Cap = maxBody;
            if (_head.ContentLength > maxBody)
                throw new RequestRejectedException(RejectReason.BodyTooLarge, $"Content-Length {_head.ContentLength} exceeds the limit of {maxBody} bytes") { Size = _head.ContentLength };
        }
        catch (RequestRejectedException e)
        {
            return await RefuseBeforeBodyAsync(endpoint, e).ConfigureAwait(false);
        }

        ContentCodings coding;
        try
        {
            coding = endpoint.ParseContentEncoding(_head.ContentEncoding);
        }
        catch (RequestRejectedException e)
        {
            return await RefuseBeforeBodyAsync(endpoint, e).ConfigureAwait(false);
        }

        if (_head.HasBody)
        {
            // RFC 9110 §10.1.1: tell a waiting client to go ahead only once we mean to read the body.
            if (_head.ExpectContinue && _head.IsHttp11
                && !await _connection.SendAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray()).ConfigureAwait(false))
                return false;
            if (await ReadBodyAsync(endpoint).ConfigureAwait(false) != BodyRead.Complete) return false;
        }
        _phase = Phase.Busy;

        try
        {
            var body = _body.WrittenSpan;
            _context.EncodedBodyLength = body.Length;
            if (!coding.IsIdentity && body.Length > 0)
            {
                _decoder.Decode(coding, body, _decoded);
                body = _decoded.WrittenSpan;
            }
            _server.Metrics.CountDecoded(coding.Outermost, body.Length);
            _server.Metrics.BytesReceived.Add(body.Length);
            endpoint.Handle(_context, body, _response);
        }
        catch (RequestRejectedException e)
        {
            ReleaseBodies();
            _context.Batch.Reset();
            endpoint.WriteError(_context, e, _response);
            if (Rejection.ClosesConnection(e.Reason)) _response.CloseConnection = true;
            return await SendResponseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug must cost one request, never the daemon or other connections.
            Log.Error($"{endpoint.Name}: unexpected {e.GetType().Name}: {e.Message}");
            ReleaseBodies();
            _context.Batch.Reset();
            _response.Json(500, """{"error":"internal_error","detail":"the request could not be processed"}"""u8);
            _response.CloseConnection = true;
            return await SendResponseAsync().ConfigureAwait(false);
        }

        ReleaseBodies();
        if (_context.Stream is not null) return await StreamResponseAsync(_context.Stream).ConfigureAwait(false);

        // Processing (issue #12): pipelines rewrite, drop or tag the events before they enter the ring.
        _server.Processing.Apply(_context.Batch, _pipelineRunner);

        int events = _context.Batch.Count, recordBytes = _context.Batch.ByteLength;
        var outcome = await _server.Pipeline.PublishAsync(_context.Batch, _waiter, endpoint.NeedsBatchAfterAck(_context),
            endpoint.NeedsWriteBeforeAck(_context)).ConfigureAwait(false);
        switch (outcome)
        {
            case PublishOutcome.Acknowledged:
                _context.Acknowledged = true;
                _context.StoredBelowSequence = events > 0 ? _server.Pipeline.DurableSequence : 0;
                _server.Metrics.EventsAccepted.Add(_context.Batch.Count);
                if (events > 0)
                    _server.Metrics.CountAccepted(endpoint.Dialect, _context.Tenant?.Id ?? "-", events, recordBytes);
                break;
            case PublishOutcome.Backpressure:
                _server.Metrics.Rejected429.Increment();
                endpoint.WriteError(_context, new RequestRejectedException(RejectReason.Backpressure), _response);
                _response.AddHeader("Retry-After"u8, "1"u8);
                break;
            case PublishOutcome.TooLarge:
                endpoint.WriteError(_context, new RequestRejectedException(RejectReason.DecodedBodyTooLarge, "one event is larger than the ring can take (ring_bytes / 2)"), _response);
                break;
            case PublishOutcome.StorageFull:
                // RFC 4918 §11.5: the server cannot store the representation; it resumes by itself once space returns.
                _response.SetStatus(507);
                _response.Body.Write("""{"error":"insufficient_storage","detail":"the disk holding the data directory is full; the events were not stored; retry later"}"""u8);
                _response.AddHeader("Retry-After"u8, "5"u8);
                break;
            case PublishOutcome.ShuttingDown:
                _response.SetStatus(503);
                _response.Body.Write("""{"error":"shutting_down","detail":"the daemon is stopping and stores no more events; retry against it once it is back"}"""u8);
                _response.AddHeader("Retry-After"u8, "1"u8);
                _response.CloseConnection = true;
                break;
            default:
                _response.SetStatus(503);
                _response.Body.Write("""{"error":"storage_error","detail":"the events could not be written to disk; retry later"}"""u8);
                _response.AddHeader("Retry-After"u8, "1"u8);
                break;
        }
        return await SendResponseAsync().ConfigureAwait(false);
    }

    // Server-Sent Events and the like: send the head, then hand the socket to the stream until it ends.
    private async ValueTask<bool> StreamResponseAsync(IResponseStream stream)
    {
        _response.Streaming = true;
        _current?.BeforeSend(_context, _response);
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
                        await SendErrorAsync(null, new RequestRejectedException(RejectReason.HeaderTimeout), close: true).ConfigureAwait(false);
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
                await SendErrorAsync(null, e, close: true).ConfigureAwait(false);
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

    private async ValueTask<BodyRead> ReadBodyAsync(Endpoint endpoint)
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
            await SendErrorAsync(endpoint, e, close: true).ConfigureAwait(false);
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
            await SendErrorAsync(null, new RequestRejectedException(RejectReason.HeaderTimeout, "request body not received in time"), close: true).ConfigureAwait(false);
        return BodyRead.Refused;
    }

    // Refusals decided from the head alone. A small body is read and dropped so the
    // connection can carry on; otherwise (or when the client waits for 100-continue) we close.
    private async ValueTask<bool> RefuseBeforeBodyAsync(Endpoint? endpoint, RequestRejectedException e)
    {
        bool close = Rejection.ClosesConnection(e.Reason) || e.Reason == RejectReason.BodyTooLarge;
        if (!close && _head.HasBody)
        {
            if (_head.ExpectContinue || _head.IsChunked || _head.ContentLength > MaxDrainBytes) close = true;
            else if (await ReadBodyAsync(endpoint!).ConfigureAwait(false) != BodyRead.Complete) return false;
        }
        await SendErrorAsync(endpoint, e, close).ConfigureAwait(false);
        return !close && _head.KeepAlive && !_server.ShuttingDown.IsCancellationRequested;
    }

    private async ValueTask SendErrorAsync(Endpoint? endpoint, RequestRejectedException e, bool close)
    {
        _phase = Phase.Busy;
        _response.Reset();
        if (endpoint is not null) endpoint.WriteError(_context, e, _response);
        else ErrorBody.From(e).WriteTo(_response, Rejection.StatusCode(e.Reason));
        if (e.Reason == RejectReason.MethodNotAllowed && endpoint is not null) _response.AddHeader("Allow"u8, endpoint.Allow);
        _response.CloseConnection = close;
        await SendResponseAsync().ConfigureAwait(false);
    }

    private async ValueTask<bool> SendResponseAsync()
    {
        _current?.BeforeSend(_context, _response);
        bool close = _response.CloseConnection || !_head.KeepAlive || _server.ShuttingDown.IsCancellationRequested;
        _response.CloseConnection = close;
        _output.Reset();
        _response.WriteTo(_output, keepAliveHeader: !close && !_head.IsHttp11, headRequest: _head.Method == HttpMethod.Head, HttpDate.Current);
        // Counted before sending, so a client that scrapes /metrics right after its answer sees it.
        _server.Metrics.CountRequest(_current?.Name ?? "unmatched", _response.StatusCode);
        bool sent = await _connection.SendAsync(_output.WrittenMemory).ConfigureAwait(false);
        // A large answer (a documentation bundle is ~5 MB) must not stay rented by an idle keep-alive connection;
        // TrimTo only gives back an empty buffer.
        _output.Reset();
        _output.TrimTo(64 * 1024);
        _response.TrimBody(64 * 1024);
        ReleaseBodies();
        _context.Batch.Reset();
        return sent && !close;
    }

    private void ReleaseBodies()
    {
        _body.Release();
        _decoded.Release();
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 200) bytes = bytes[..200];
        return System.Text.Encoding.ASCII.GetString(bytes);
    }

    public void Dispose()
    {
        _body.Dispose();
        _decoded.Dispose();
        _output.Dispose();
        _response.Dispose();
        _context.Dispose();
        _decoder.Dispose();
        _pipelineRunner.Dispose();
    }
}
