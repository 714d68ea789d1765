using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ingestd.Auth;
using Ingestd.Config;
using Ingestd.Http;
using Ingestd.Idempotency;
using Ingestd.Limits;
using Ingestd.Parsing.Dialects.Guardian;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints.Guardian;

/// <summary>
/// Guardian <c>POST /api/ingest</c> (seed 002): <c>Authorization: Bearer</c> or <c>X-API-Key</c>
/// (401 absent, 403 unknown), JSON / NDJSON / JSONL / text / octet-stream bodies, a token bucket
/// per API key, <c>Idempotency-Key</c> replay within a window (persisted across restarts),
/// <c>X-Session-ID</c>, and on every response <c>X-Request-ID</c>, <c>X-Trace-ID</c>,
/// <c>X-RateLimit-*</c>, security headers and CORS. <c>OPTIONS</c> answers the CORS preflight.
/// </summary>
internal sealed class GuardianEndpoint(
    TenantDirectory tenants, TokenBucketLimiter limiter, IdempotencyStore idempotency, LiveConfig live) : Endpoint
{
    private long MaxBody => live.Current.Limits.MaxBodyBytes;
    private int DefaultRatePerMinute => live.Current.Limits.DefaultRateLimitPerMinute;

    // Per-request state, kept in the RequestContext.
    private sealed class State
    {
        public Guid TraceId = Guid.NewGuid();
        public Guid RequestId = Guid.NewGuid();
        public string? Scope;
        public int RatePerMinute;
        public RateDecision? Rate;
        public Guid IdempotencyKey;
        public bool Reserved;
        public StoredResponse? Replay;
        public GuardianFormat Format;
    }

    public override string Name => "/api/ingest";
    public override Dialect Dialect => Dialect.Guardian;
    public override string Allow => "POST, OPTIONS";
    public override bool AllowsMethod(HttpMethod method) => method is HttpMethod.Post or HttpMethod.Options;
    public override long MaxBodyBytes(long serverLimit) => Math.Min(serverLimit, MaxBody);

    private static State StateOf(RequestContext ctx) => ctx.StateOrNull<State>() ?? ctx.SetState(new State());

    public override void Authorize(RequestContext ctx)
    {
        var state = StateOf(ctx);
        if (ctx.Head.Method == HttpMethod.Options) return;

        ReadOnlySpan<byte> key = default;
        if (ctx.Head.TryGetHeader("Authorization"u8, out var authorization) && TenantDirectory.HasBearerScheme(authorization))
            key = TenantDirectory.TokenFromAuthorization(authorization);
        else if (ctx.Head.TryGetHeader("X-API-Key"u8, out var apiKey))
            key = apiKey.Trim((byte)' ');

        if (tenants.TryResolveCertificate(ctx.ClientCertificateSha256, out var certified))
        {
            // mTLS: the mapped client certificate is the credential; its fingerprint scopes rate and idempotency.
            ctx.Tenant = certified;
            key = ctx.ClientCertificateScope;
        }
        else if (key.IsEmpty)
        {
            if (!tenants.IsOpen)
                throw new RequestRejectedException(RejectReason.Unauthorized, "Missing authentication. Provide Authorization: Bearer <token> or x-api-key header");
            key = "anonymous"u8;
        }
        else if (!tenants.IsOpen)
        {
            if (!tenants.TryResolve(key, out var tenant)) throw new RequestRejectedException(RejectReason.Forbidden, "Invalid API key");
            ctx.Tenant = tenant;
        }

        // Keys are secrets: rate-limit and idempotency state is keyed by their hash.
        state.Scope = Convert.ToHexString(SHA256.HashData(key));
        state.RatePerMinute = ctx.Tenant?.RateLimitPerMinute ?? DefaultRatePerMinute;
        var decision = limiter.TryTake(state.Scope, state.RatePerMinute);
        state.Rate = decision;
        if (!decision.Allowed) throw new RequestRejectedException(RejectReason.RateLimited, "Too many requests");

        state.Format = GuardianContentType.Parse(ctx.Head.ContentType);

        if (ctx.Head.TryGetHeader("Idempotency-Key"u8, out var idemHeader))
        {
            if (!UuidV4.TryParse(idemHeader.Trim((byte)' '), out var idemKey))
                throw new RequestRejectedException(RejectReason.InvalidEvent, "Invalid Idempotency-Key: must be a UUID v4");
            state.IdempotencyKey = idemKey;
            switch (idempotency.Begin(state.Scope, idemKey, out var stored))
            {
                case IdempotencyBegin.Replay:
                    state.Replay = stored;
                    break;
                case IdempotencyBegin.InProgress:
                    throw new RequestRejectedException(RejectReason.Conflict, "A request with this Idempotency-Key is still in progress");
                default:
                    state.Reserved = true;
                    break;
            }
        }
    }

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        var state = StateOf(ctx);
        if (ctx.Head.Method == HttpMethod.Options)
        {
            response.SetStatus(204);
            // RFC 9110 §9.3.7: an OPTIONS answer should list what the resource supports; Allow says it to non-CORS clients.
            response.AddHeader("Allow"u8, "POST, OPTIONS"u8);
            response.AddHeader("Access-Control-Allow-Methods"u8, "POST, OPTIONS"u8);
            response.AddHeader("Access-Control-Allow-Headers"u8, "Authorization, X-API-Key, Content-Type, Content-Encoding, Idempotency-Key, X-Session-ID"u8);
            response.AddHeader("Access-Control-Max-Age"u8, "86400"u8);
            return;
        }
        if (state.Replay is { } replay)
        {
            // The original answer, and nothing stored a second time.
            response.SetStatus(replay.Status);
            response.Body.Write(replay.Body);
            response.AddHeader("X-Idempotent-Replay"u8, "true"u8);
            return;
        }

        GuardianParser.Parse(body, state.Format, ctx.ReceivedNs, ctx.Tenant?.IdUtf8 ?? TenantDirectory.OpenTenantId, ctx.Batch);
        using var w = response.JsonWriter(202);
        w.WriteStartObject();
        w.WriteString("status"u8, "accepted"u8);
        w.WriteString("message"u8, "Ingest pipeline running"u8);
        w.WriteString("traceId"u8, state.TraceId.ToString());
        if (ctx.Head.TryGetHeader("X-Session-ID"u8, out var session)) w.WriteString("sessionId"u8, Encoding.UTF8.GetString(session));
        else w.WriteNull("sessionId"u8);
        w.WriteEndObject();
    }

    public override void WriteError(RequestContext ctx, RequestRejectedException e, Response response)
    {
        var state = StateOf(ctx);
        int status = Rejection.StatusCode(e.Reason);
        string message = e.Reason switch
        {
            RejectReason.BodyTooLarge or RejectReason.DecodedBodyTooLarge =>
                $"Payload too large: {Math.Max(e.Size, MaxBody + 1)} bytes (max: {MaxBody})",
            RejectReason.RateLimited or RejectReason.Backpressure => "Too many requests",
            _ => e.Detail,
        };
        int retryAfter = e.Reason == RejectReason.RateLimited && state.Rate is { } rate ? rate.RetryAfterSeconds : 1;
        using (var w = response.JsonWriter(status))
        {
            w.WriteStartObject();
            w.WriteString("error"u8, message);
            w.WriteString("traceId"u8, state.TraceId.ToString());
            if (status == 429) w.WriteNumber("retryAfter"u8, retryAfter);
            w.WriteEndObject();
        }
        // Backpressure 429s get Retry-After from the connection; rate-limit ones carry the bucket's own wait.
        if (e.Reason == RejectReason.RateLimited) response.AddHeader("Retry-After"u8, retryAfter);
    }

    // A replay must stand for stored events, so a request that will leave a replay record waits for the writer
    // even under memory durability.
    public override bool NeedsWriteBeforeAck(RequestContext ctx) => ctx.StateOrNull<State>() is { Reserved: true };

    public override void EndRequest(RequestContext ctx)
    {
        if (ctx.StateOrNull<State>() is { Reserved: true } state)
        {
            state.Reserved = false;
            idempotency.Abandon(state.Scope!, state.IdempotencyKey);
        }
    }

    public override void BeforeSend(RequestContext ctx, Response response)
    {
        var state = StateOf(ctx);
        if (state.Reserved)
        {
            state.Reserved = false;
            if (ctx.Acknowledged)
                idempotency.Complete(state.Scope!, state.IdempotencyKey, new StoredResponse(response.StatusCode, response.Body.WrittenSpan.ToArray(), []),
                    ctx.StoredBelowSequence);
            else
                idempotency.Abandon(state.Scope!, state.IdempotencyKey);
        }

        var rate = state.Rate ?? limiter.Peek(state.Scope ?? "anonymous", state.RatePerMinute > 0 ? state.RatePerMinute : DefaultRatePerMinute);
        response.AddHeader("X-Request-ID"u8, state.RequestId.ToString());
        response.AddHeader("X-Trace-ID"u8, state.TraceId.ToString());
        response.AddHeader("X-RateLimit-Limit"u8, rate.Limit);
        response.AddHeader("X-RateLimit-Remaining"u8, rate.Remaining);
        response.AddHeader("X-RateLimit-Reset"u8, rate.ResetUnixSeconds);
        response.AddHeader("X-Content-Type-Options"u8, "nosniff"u8);
        response.AddHeader("X-Frame-Options"u8, "DENY"u8);
        response.AddHeader("Content-Security-Policy"u8, "default-src 'none'; frame-ancestors 'none'"u8);
        response.AddHeader("Referrer-Policy"u8, "no-referrer"u8);
        // API keys travel in headers, never cookies, so any origin may call (no credentials).
        response.AddHeader("Access-Control-Allow-Origin"u8, "*"u8);
        response.AddHeader("Access-Control-Expose-Headers"u8,
            "X-Request-ID, X-Trace-ID, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, X-Idempotent-Replay"u8);
    }
}
