using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;

namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>
/// OTLP/HTTP export requests (OTLP specification, "OTLP/HTTP"): <c>POST /v1/logs</c>, <c>/v1/traces</c>,
/// <c>/v1/metrics</c> with an <c>Export*ServiceRequest</c> body, binary protobuf or JSON. One record per log record
/// (<see cref="RecordKind.Log"/>), span (<see cref="RecordKind.Trace"/>) or metric with all its data points
/// (<see cref="RecordKind.Metric"/>), dialect <see cref="Dialect.Otlp"/>. Each record's JSON is
/// <c>{"resource":{…},"scope":{…},"log"|"span"|"metric":{…}}</c>, the same for both encodings.
/// <para>
/// Invalid items (a trace id that is not 16 bytes, a metric without a name, …) are rejected and counted while
/// the rest are stored: the result feeds <c>partial_success</c>. A body that cannot be decoded at all throws
/// <see cref="RequestRejectedException"/> (<see cref="RejectReason.InvalidJson"/> or <see cref="RejectReason.InvalidEncodedBody"/>, 400).
/// </para>
/// </summary>
internal static class OtlpParser
{
    /// <param name="tenant">The tenant of the request's credentials (empty in open mode), stored in every record.</param>
    public static OtlpResult ParseJson(OtlpSignal signal, ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch)
        => OtlpJsonParser.Parse(signal, body, receivedNs, tenant, batch);

    /// <param name="tenant">The tenant of the request's credentials (empty in open mode), stored in every record.</param>
    public static OtlpResult ParseProtobuf(OtlpSignal signal, ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch)
        => OtlpProtobufParser.Parse(signal, body, receivedNs, tenant, batch);
}
