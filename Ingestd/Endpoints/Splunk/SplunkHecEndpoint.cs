using Ingestd.Auth;
using Ingestd.Http;
using Ingestd.Parsing.Dialects.Splunk;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints.Splunk;

internal enum HecRoute { Event, Raw, Health }

/// <summary>
/// Splunk HTTP Event Collector: <c>/services/collector[/event]</c> (concatenated JSON events),
/// <c>/services/collector/raw</c> (one event per line; <c>host</c>, <c>source</c>,
/// <c>sourcetype</c> from the query), <c>GET /services/collector/health</c>, each also under
/// <c>/1.0</c>; <c>Authorization: Splunk &lt;token&gt;</c>; Splunk's <c>{"text","code"}</c> bodies.
/// </summary>
internal sealed class SplunkHecEndpoint(HecRoute route, string path, TenantDirectory tenants) : Endpoint
{
    private sealed class State
    {
        public byte[] Tenant = TenantDirectory.OpenTenantId;
        public HecException? Error;
    }

    public override string Name => path;
    public override Dialect Dialect => Dialect.Splunk;
    public override string Allow => route == HecRoute.Health ? "GET" : "POST";
    public override bool AllowsMethod(HttpMethod method) => route == HecRoute.Health ? method == HttpMethod.Get : method == HttpMethod.Post;

    public override void Authorize(RequestContext ctx)
    {
        var state = new State();
        ctx.SetState(state);
        if (route == HecRoute.Health || tenants.IsOpen) return;
        // mTLS: a mapped client certificate is the credential.
        if (tenants.TryResolveCertificate(ctx.ClientCertificateSha256, out var certified))
        {
            ctx.Tenant = certified;
            state.Tenant = certified.IdUtf8;
            return;
        }
        if (!ctx.Head.TryGetHeader("Authorization"u8, out var auth)) Fail(state, HecException.TokenRequired());
        auth = auth.Trim((byte)' ');
        ReadOnlySpan<byte> token;
        if (auth.Length > 7 && System.Text.Ascii.EqualsIgnoreCase(auth[..7], "Splunk "u8)) token = auth[7..].Trim((byte)' ');
        else if (TenantDirectory.HasBearerScheme(auth)) token = TenantDirectory.TokenFromAuthorization(auth);
        else
        {
            Fail(state, HecException.InvalidAuthorization());
            return;
        }
        if (!tenants.TryResolve(token, out var tenant)) Fail(state, HecException.InvalidToken());
        ctx.Tenant = tenant;
        state.Tenant = tenant.IdUtf8;
    }

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        var state = ctx.State<State>();
        if (route == HecRoute.Health)
        {
            response.Json(200, HecResponses.Healthy);
            return;
        }
        var defaults = Defaults(ctx.Head.Query);
        try
        {
            if (route == HecRoute.Raw) HecRawParser.Parse(body, ctx.ReceivedNs, state.Tenant, defaults, ctx.Batch);
            else HecEventParser.Parse(body, ctx.ReceivedNs, state.Tenant, defaults, ctx.Batch);
        }
        catch (HecException e)
        {
            Fail(state, e);
        }
        response.Json(200, HecResponses.Success);
    }

    private static HecDefaults Defaults(ReadOnlySpan<byte> query)
    {
        if (query.IsEmpty) return HecDefaults.None;
        string? host = null, source = null, sourceType = null, index = null;
        foreach (var (k, v) in QueryString.Parse(query))
        {
            switch (k)
            {
                case "host": host = v; break;
                case "source": source = v; break;
                case "sourcetype": sourceType = v; break;
                case "index": index = v; break;
            }
        }
        return new HecDefaults(host, source, sourceType, index);
    }

    // HEC errors travel as RequestRejectedException (so the connection drops the batch) with the Splunk error kept for the body.
    private static void Fail(State state, HecException e)
    {
        state.Error = e;
        var reason = e.HttpStatus switch
        {
            401 => RejectReason.Unauthorized,
            403 => RejectReason.Forbidden,
            503 => RejectReason.Backpressure,
            _ => RejectReason.InvalidEvent,
        };
        throw new RequestRejectedException(reason, e.Text);
    }

    public override void WriteError(RequestContext ctx, RequestRejectedException e, Response response)
    {
        var error = ctx.StateOrNull<State>()?.Error ?? e.Reason switch
        {
            RejectReason.Backpressure => HecException.ServerBusy(),
            RejectReason.InvalidJson or RejectReason.InvalidEvent or RejectReason.InvalidEncodedBody => HecException.InvalidDataFormat(null, e.Detail),
            _ => null,
        };
        if (error is null)
        {
            base.WriteError(ctx, e, response);
            return;
        }
        response.SetStatus(error.HttpStatus);
        HecResponses.Write(response.Body, error);
    }
}
