using System.Text;
using Ingestd.Auth;
using Ingestd.Http;
using Ingestd.Limits;
using Ingestd.Parsing.Dialects.Operyn;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints.Operyn;

internal enum OperynRoute { Log, LogBatch, Metric, Deployment }

/// <summary>
/// Operyn <c>POST /events/logs</c>, <c>/events/logs/batch</c>, <c>/events/metrics</c>,
/// <c>/events/deployments</c> (seed 003): <c>x-api-key</c> (open when no keys are configured),
/// <c>x-organization-id</c> for the tenant, <c>202 {"id":…,"queued":true}</c> or
/// <c>{"accepted":N}</c>, errors as <c>{"statusCode":N,"message":"…"}</c>.
/// </summary>
internal sealed class OperynEndpoint(OperynRoute route, TenantDirectory tenants, OperynServiceLimit defaultOrg) : Endpoint
{
    public override string Name => route switch
    {
        OperynRoute.Log => "/events/logs",
        OperynRoute.LogBatch => "/events/logs/batch",
        OperynRoute.Metric => "/events/metrics",
        _ => "/events/deployments",
    };

    public override Dialect Dialect => Dialect.Operyn;
    public override string Allow => "POST";
    public override bool AllowsMethod(HttpMethod method) => method == HttpMethod.Post;

    private sealed class State
    {
        public byte[] Tenant = TenantDirectory.OpenTenantId;
        public bool DefaultOrganisation;
    }

    public override void Authorize(RequestContext ctx)
    {
        var state = new State();
        ctx.SetState(state);
        ctx.Head.TryGetHeader("x-organization-id"u8, out var org);
        org = org.Trim((byte)' ');
        if (!tenants.IsOpen)
        {
            if (!ctx.Head.TryGetHeader("x-api-key"u8, out var key) || !tenants.TryResolve(key.Trim((byte)' '), out var tenant))
                throw new RequestRejectedException(RejectReason.Unauthorized, "Invalid or missing API key");
            if (!org.IsEmpty && !org.SequenceEqual(tenant.IdUtf8))
                throw new RequestRejectedException(RejectReason.Forbidden, "API key does not belong to this organization");
            ctx.Tenant = tenant;
            state.Tenant = tenant.IdUtf8;
        }
        else if (!org.IsEmpty)
        {
            if (org.Length > 256) throw new RequestRejectedException(RejectReason.InvalidEvent, "x-organization-id must be at most 256 bytes");
            state.Tenant = org.ToArray();
        }
        else
        {
            state.DefaultOrganisation = true;
        }
    }

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        var state = ctx.State<State>();
        int count = 1;
        switch (route)
        {
            case OperynRoute.Log: OperynParser.ParseLog(body, ctx.ReceivedNs, state.Tenant, ctx.Batch); break;
            case OperynRoute.LogBatch: count = OperynParser.ParseLogBatch(body, ctx.ReceivedNs, state.Tenant, ctx.Batch); break;
            case OperynRoute.Metric: OperynParser.ParseMetric(body, ctx.ReceivedNs, state.Tenant, ctx.Batch); break;
            default: OperynParser.ParseDeployment(body, ctx.ReceivedNs, state.Tenant, ctx.Batch); break;
        }
        if (state.DefaultOrganisation) AdmitServices(ctx.Batch);

        using var w = response.JsonWriter(202);
        w.WriteStartObject();
        if (route == OperynRoute.LogBatch) w.WriteNumber("accepted"u8, count);
        else
        {
            w.WriteString("id"u8, Guid.NewGuid().ToString());
            w.WriteBoolean("queued"u8, true);
        }
        w.WriteEndObject();
    }

    private void AdmitServices(RecordBatch batch)
    {
        var services = new HashSet<string>(StringComparer.Ordinal);
        var bytes = batch.Bytes;
        while (RecordView.TryRead(bytes, out var record, out int length))
        {
            services.Add(Encoding.UTF8.GetString(record.Service));
            bytes = bytes[length..];
        }
        if (defaultOrg.TryAdmit(services) is { } refusal)
            throw new RequestRejectedException(RejectReason.Forbidden, refusal);
    }

    public override void WriteError(RequestContext ctx, RequestRejectedException e, Response response)
    {
        int status = Rejection.StatusCode(e.Reason);
        string message = e.Reason switch
        {
            RejectReason.Backpressure => "Server saturated; retry with backoff",
            RejectReason.BodyTooLarge or RejectReason.DecodedBodyTooLarge => $"Payload too large: {e.Detail}",
            _ => e.Detail,
        };
        using var w = response.JsonWriter(status);
        w.WriteStartObject();
        w.WriteNumber("statusCode"u8, status);
        w.WriteString("message"u8, message);
        w.WriteEndObject();
    }
}
