using Ingestd.Diagnostics;
using Ingestd.Endpoints;
using Ingestd.Http;
using Ingestd.Ingest;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Encoding;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Processing;
using Ingestd.Processing;
using Ingestd.Subscriptions;
using Ingestd.Transport;

namespace Ingestd.Routing;

/// <summary>
/// What one request means, from its head to its outcome: route → method → authorise → body cap and
/// Content-Encoding → decode → endpoint → publish → durability → status. One per connection (its buffers are
/// reused request after request); the HTTP loop below it only frames, times and sends. Every refusal,
/// including storage and internal failures, is rendered by the matched endpoint, in its dialect's shape.
/// </summary>
internal sealed class RequestDispatcher : IRequestHandler
{
    private readonly Router _router;
    private readonly IngestPipeline _pipeline;
    private readonly Metrics _metrics;
    private readonly TransportPolicy _transport;
    private readonly TransportSecurity? _security;
    private readonly BodyDecoder _decoder = new();
    // Request-sized: rented from the shared pool while a body is decoded, given back at once.
    private readonly PooledBuffer _decoded = new(LargeBufferPool.Shared);
    private readonly DurabilityWaiter _waiter = new();
    private readonly ProcessingStage _processing;
    private PipelineRunner? _pipelineRunner; // made by the processing stage when a request first has pipelines to run
    private readonly SubscriptionHub _live;
    // Whether this request's records are offered to live subscribers once acknowledged (decided before the publish).
    private bool _offerLive;
    private RequestContext? _context;
    private Endpoint? _endpoint;
    private ContentCodings _coding;
    private IResponseStream? _stream;
    // Between Complete and AfterWait: what the loop waits for, and the request's counts for the metrics.
    private enum Wait : byte { Durability, SlowPublish, Answering }
    private Wait _waitingFor;
    private PublishOutcome _slowOutcome;
    private int _events, _recordBytes;

    public RequestDispatcher(Router router, IngestPipeline pipeline, Metrics metrics, TransportPolicy transport, TransportSecurity? security,
        ProcessingStage processing, SubscriptionHub live)
    {
        _processing = processing;
        _live = live;
        _router = router;
        _pipeline = pipeline;
        _metrics = metrics;
        _transport = transport;
        _security = security;
    }

    public const long AnsweredWithoutBody = IRequestHandler.AnsweredWithoutBody;

    public string RouteName => _endpoint?.Name ?? "unmatched";

    public long Begin(HttpRequestHead head, RequestLimits limits, long receivedNs, Response response)
    {
        var context = _context ??= new RequestContext(head)
        {
            ClientCertificateSha256 = _security?.ClientCertificateSha256,
            ClientCertificateScope = _security?.ClientCertificateScope,
        };
        context.Reset();
        context.ReceivedNs = receivedNs;
        _offerLive = false;
        _decoded.Reset();
        _coding = default;

        var endpoint = _router.Match(head.Path, head.Method, out int parameterStart);
        _endpoint = endpoint;
        context.PathParameterStart = parameterStart;
        if (endpoint is null) throw new RequestRejectedException(RejectReason.NotFound, $"no endpoint at {Printable(head.Path)}");
        // server.plain_http: a plain connection may be answered 308/426 on an HTTPS-only route, body unread.
        if (_transport.RefusesPlain(_security, endpoint, head, response)) return AnsweredWithoutBody;
        if (!endpoint.AllowsMethod(head.Method))
        {
            // RFC 9110 §15.6.2: 501 for a method the server does not recognise at all;
            // 405 (§15.5.6) for one it knows but this route does not take.
            if (head.Method == HttpMethod.Unknown)
                throw new RequestRejectedException(RejectReason.NotImplemented, $"{Printable(head.MethodBytes)} is not a method this server implements");
            throw new RequestRejectedException(RejectReason.MethodNotAllowed, $"{Printable(head.MethodBytes)} not allowed on {endpoint.Name}; allowed: {endpoint.Allow}");
        }
        endpoint.Authorize(context);
        long maxBody = endpoint.MaxBodyBytes(limits.MaxBodyBytes);
        _decoded.Cap = maxBody;
        if (head.ContentLength > maxBody)
            throw new RequestRejectedException(RejectReason.BodyTooLarge, $"Content-Length {head.ContentLength} exceeds the limit of {maxBody} bytes") { Size = head.ContentLength };
        _coding = endpoint.ParseContentEncoding(head.ContentEncoding);
        return maxBody;
    }

    public IResponseStream? Stream => _stream;

    public bool Complete(PooledBuffer body, Response response, out ValueTask wait)
    {
        wait = default;
        _stream = null;
        var endpoint = _endpoint!;
        var context = _context!;
        if (!Handle(endpoint, context, body, response)) return true;
        if (context.Stream is not null)
        {
            _stream = context.Stream;
            return true;
        }
        if (context.Answering is { } answering)
        {
            // Nothing to publish: the endpoint writes the response elsewhere, and the connection waits without a thread.
            _waitingFor = Wait.Answering;
            wait = new ValueTask(answering);
            return false;
        }

        // Processing (issue #12): pipelines rewrite, drop or tag the events before they enter the ring.
        if (!_processing.Apply(context.Batch, ref _pipelineRunner))
        {
            Refuse(endpoint, context, new RequestRejectedException(RejectReason.InternalError), response);
            return true;
        }

        _events = context.Batch.Count;
        _recordBytes = context.Batch.ByteLength;
        // Live subscribers (Air's /v1/subscribe, /v1/tail) see what was stored: with none, this is one volatile read.
        _offerLive = _events > 0 && _live.HasSubscribers;
        bool keepBatch = _offerLive || endpoint.NeedsBatchAfterAck(context), waitForWrite = endpoint.NeedsWriteBeforeAck(context);
        switch (_pipeline.StartPublish(context.Batch, _waiter, keepBatch, waitForWrite, out var outcome))
        {
            case PublishStart.Done:
                Finish(outcome, response);
                return true;
            case PublishStart.Waiting:
                _waitingFor = Wait.Durability;
                wait = _waiter.AsPlainTask();
                return false;
            default:
                _waitingFor = Wait.SlowPublish;
                wait = PublishSlowlyAsync(context, keepBatch, waitForWrite);
                return false;
        }
    }

    public void AfterWait(Response response)
    {
        if (_waitingFor == Wait.Answering) return;
        Finish(_waitingFor == Wait.Durability ? IngestPipeline.OutcomeOf(_waiter.Result) : _slowOutcome, response);
    }

    // A batch of several ring entries, or a full ring (backpressure waits): rare, so an async method is fine here.
    private async ValueTask PublishSlowlyAsync(RequestContext context, bool keepBatch, bool waitForWrite)
        => _slowOutcome = await _pipeline.PublishAsync(context.Batch, _waiter, keepBatch, waitForWrite).ConfigureAwait(false);

    private void Finish(PublishOutcome outcome, Response response)
    {
        var endpoint = _endpoint!;
        var context = _context!;
        int events = _events;
        if (outcome == PublishOutcome.Acknowledged)
        {
            context.Acknowledged = true;
            context.StoredBelowSequence = events > 0 ? _pipeline.DurableSequence : 0;
            _metrics.EventsAccepted.Add(events);
            if (events > 0) _metrics.CountAccepted(endpoint.Dialect, context.Tenant?.Id ?? "-", events, _recordBytes);
            // Tail records go out without seq: the writer numbers records as it appends them, and a request learns only
            // an upper bound (DurableSequence), not where its own batch starts.
            if (_offerLive) _live.Offer(context.Batch.Bytes);
            return;
        }

        var refusal = Refusal(outcome);
        if (outcome == PublishOutcome.Backpressure) _metrics.Rejected429.Increment();
        endpoint.WriteError(context, refusal, response);
        switch (outcome)
        {
            case PublishOutcome.Backpressure or PublishOutcome.StorageFailed or PublishOutcome.ShuttingDown:
                response.AddHeader("Retry-After"u8, "1"u8);
                break;
            case PublishOutcome.StorageFull:
                response.AddHeader("Retry-After"u8, "5"u8);
                break;
        }
        if (Rejection.ClosesConnection(refusal.Reason)) response.CloseConnection = true;
    }

    private static RequestRejectedException Refusal(PublishOutcome outcome) => outcome switch
    {
        PublishOutcome.Backpressure => new RequestRejectedException(RejectReason.Backpressure),
        PublishOutcome.TooLarge => new RequestRejectedException(RejectReason.DecodedBodyTooLarge, "one event is larger than the ring can take (ring_bytes / 2)"),
        PublishOutcome.StorageFull => new RequestRejectedException(RejectReason.InsufficientStorage),
        PublishOutcome.ShuttingDown => new RequestRejectedException(RejectReason.ShuttingDown, "the daemon is stopping and stores no more events; retry against it once it is back"),
        _ => new RequestRejectedException(RejectReason.StorageUnavailable),
    };

    // Decode and parse: false when the request was refused (the refusal is already in the response).
    private bool Handle(Endpoint endpoint, RequestContext context, PooledBuffer received, Response response)
    {
        try
        {
            var body = received.WrittenSpan;
            context.EncodedBodyLength = body.Length;
            if (!_coding.IsIdentity && body.Length > 0)
            {
                _decoder.Decode(_coding, body, _decoded);
                body = _decoded.WrittenSpan;
            }
            _metrics.CountDecoded(_coding.Outermost, body.Length);
            _metrics.BytesReceived.Add(body.Length);
            endpoint.Handle(context, body, response);
            return true;
        }
        catch (RequestRejectedException e)
        {
            Refuse(endpoint, context, e, response);
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug must cost one request, never the daemon or other connections.
            Log.Error($"{endpoint.Name}: unexpected {e.GetType().Name}: {e.Message}");
            Refuse(endpoint, context, new RequestRejectedException(RejectReason.InternalError), response);
            return false;
        }
        finally
        {
            // The bodies go back to the pool before the (possibly long) wait for the disk.
            received.Release();
            _decoded.Release();
        }
    }

    private static void Refuse(Endpoint endpoint, RequestContext context, RequestRejectedException e, Response response)
    {
        context.Batch.Reset();
        endpoint.WriteError(context, e, response);
        if (Rejection.ClosesConnection(e.Reason)) response.CloseConnection = true;
    }

    public void WriteError(RequestRejectedException e, Response response)
    {
        _context?.Batch.Reset();
        if (_endpoint is null || _context is null)
        {
            ErrorBody.From(e).WriteTo(response, Rejection.StatusCode(e.Reason));
            return;
        }
        _endpoint.WriteError(_context, e, response);
        if (e.Reason == RejectReason.MethodNotAllowed) response.AddHeader("Allow"u8, _endpoint.Allow);
    }

    public void BeforeSend(Response response)
    {
        if (_endpoint is not null && _context is not null) _endpoint.BeforeSend(_context, response);
        TransportPolicy.AddHsts(_security, _endpoint, response);
    }

    public void End()
    {
        if (_endpoint is not null && _context is not null) _endpoint.EndRequest(_context);
        _context?.Batch.Reset();
        _decoded.Release();
        _endpoint = null;
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 200) bytes = bytes[..200];
        return System.Text.Encoding.ASCII.GetString(bytes);
    }

    public void Dispose()
    {
        _decoded.Dispose();
        _decoder.Dispose();
        _pipelineRunner?.Dispose();
        _context?.Dispose();
    }
}
