using System.Text;
using Ingestd.Auth;
using Ingestd.Http;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Dialects.Otlp;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints.Otlp;

/// <summary>
/// OTLP/HTTP <c>POST /v1/logs</c>, <c>/v1/traces</c>, <c>/v1/metrics</c>: <c>application/x-protobuf</c>
/// or <c>application/json</c> (the OTLP JSON mapping), gzip as Content-Encoding. Answers 200 with
/// <c>Export*ServiceResponse</c> in the request's encoding, carrying <c>partialSuccess</c> when some
/// items were rejected; errors as <c>google.rpc.Status</c>; 429 (saturated) with Retry-After, which
/// OTLP exporters retry.
/// </summary>
internal sealed class OtlpEndpoint(OtlpSignal signal, TenantDirectory tenants) : Endpoint
{
    private sealed class State
    {
        public byte[] Tenant = TenantDirectory.OpenTenantId;
        public bool Protobuf;
    }

    public override string Name => signal switch
    {
        OtlpSignal.Logs => "/v1/logs",
        OtlpSignal.Traces => "/v1/traces",
        _ => "/v1/metrics",
    };

    public override Dialect Dialect => Dialect.Otlp;
    public override string Allow => "POST";
    public override bool AllowsMethod(HttpMethod method) => method == HttpMethod.Post;

    public override void Authorize(RequestContext ctx)
    {
        var state = new State();
        ctx.SetState(state);
        var type = ctx.Head.ContentType;
        if (MediaType.Is(type, "application/x-protobuf"u8)) state.Protobuf = true;
        else if (!MediaType.Is(type, "application/json"u8))
            throw new RequestRejectedException(RejectReason.UnsupportedMediaType, "Content-Type must be application/x-protobuf or application/json");
        if (tenants.IsOpen) return;
        Span<byte> buffer = stackalloc byte[768];
        var tenant = tenants.Require(ctx.ClientCertificateSha256, Credentials.Find(ctx.Head, buffer, "X-API-Key"u8), "missing or unknown API key (send Authorization: Bearer <key>)");
        ctx.Tenant = tenant;
        state.Tenant = tenant.IdUtf8;
    }

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        var state = ctx.State<State>();
        var result = state.Protobuf
            ? OtlpParser.ParseProtobuf(signal, body, ctx.ReceivedNs, state.Tenant, ctx.Batch)
            : OtlpParser.ParseJson(signal, body, ctx.ReceivedNs, state.Tenant, ctx.Batch);
        response.SetStatus(200);
        if (state.Protobuf)
        {
            response.AddHeader("Content-Type"u8, "application/x-protobuf"u8);
            OtlpResponses.WriteProtobuf(response.Body, signal, result);
        }
        else OtlpResponses.WriteJson(response.Body, signal, result);
    }

    // google.rpc.Status { int32 code = 1; string message = 2; } in the request's encoding (OTLP/HTTP spec, "Failures").
    public override void WriteError(RequestContext ctx, RequestRejectedException e, Response response)
    {
        int status = Rejection.StatusCode(e.Reason);
        int grpcCode = status switch
        {
            400 or 413 or 415 => 3,   // INVALID_ARGUMENT
            401 => 16,                // UNAUTHENTICATED
            403 => 7,                 // PERMISSION_DENIED
            404 or 405 or 501 => 12,  // UNIMPLEMENTED
            429 => 8,                 // RESOURCE_EXHAUSTED
            503 => 14,                // UNAVAILABLE
            _ => 2,                   // UNKNOWN
        };
        response.SetStatus(status);
        if (ctx.StateOrNull<State>() is { Protobuf: true })
        {
            response.AddHeader("Content-Type"u8, "application/x-protobuf"u8);
            WriteStatusProtobuf(response.Body, grpcCode, e.Detail);
            return;
        }
        using var w = response.JsonWriter(status);
        w.WriteStartObject();
        w.WriteNumber("code"u8, grpcCode);
        w.WriteString("message"u8, e.Detail);
        w.WriteEndObject();
    }

    private static void WriteStatusProtobuf(PooledBuffer output, int code, string message)
    {
        var text = Encoding.UTF8.GetBytes(message);
        output.Write([0x08]);               // field 1, varint
        WriteVarint(output, (ulong)code);
        output.Write([0x12]);               // field 2, length-delimited
        WriteVarint(output, (ulong)text.Length);
        output.Write(text);
    }

    private static void WriteVarint(PooledBuffer output, ulong value)
    {
        Span<byte> tmp = stackalloc byte[10];
        int n = 0;
        while (value >= 0x80)
        {
            tmp[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        tmp[n++] = (byte)value;
        output.Write(tmp[..n]);
    }
}
