using Ingestd.Parsing.Records;
using Ingestd.Parsing.Dialects.Protobuf;
using static Ingestd.Parsing.Dialects.Otlp.OtlpProtobufValues;
using W = Ingestd.Parsing.Dialects.Protobuf.ProtoWireType;

namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>
/// OTLP/HTTP binary protobuf bodies (<c>application/x-protobuf</c>): <c>Export{Logs,Trace,Metrics}ServiceRequest</c>
/// from opentelemetry-proto (<c>collector/*/v1/*_service.proto</c>, <c>logs/v1/logs.proto</c>, <c>trace/v1/trace.proto</c>,
/// <c>metrics/v1/metrics.proto</c>, <c>common/v1/common.proto</c>, <c>resource/v1/resource.proto</c>). Field numbers
/// below are the .proto's. A malformed wire encoding anywhere refuses the whole request; an item whose content is
/// invalid (an id of the wrong length, a metric without a name) is rejected alone. This type reads the envelope
/// (resource, scope); the items are read by <see cref="OtlpProtobufLogs"/>, <see cref="OtlpProtobufTraces"/> and
/// <see cref="OtlpProtobufMetrics"/>, values by <see cref="OtlpProtobufValues"/>.
/// </summary>
internal static class OtlpProtobufParser
{
    public static OtlpResult Parse(OtlpSignal signal, ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch)
    {
        using var sink = new OtlpRecordWriter(batch, receivedNs, tenant);
        // Export*ServiceRequest { repeated Resource{Logs,Spans,Metrics} resource_* = 1; }
        var request = new ProtoReader(body);
        while (request.Next(out int field, out var wire))
        {
            if (field != 1) { request.Skip(wire); continue; }
            request.Expect(wire, W.Len, field);
            ParseEnvelope<ResourceLevel>(request.ReadMessage(), signal, sink);
        }
        return sink.Result;
    }

    // Resource{Logs,Spans,Metrics} { Resource resource = 1; repeated Scope* scope_* = 2; string schema_url = 3; }
    // Scope{Logs,Spans,Metrics} { InstrumentationScope scope = 1; repeated <item> = 2; string schema_url = 3; }
    // Both levels share one shape. The header (field 1) is rendered first, wherever it sits in the message, so that
    // every record below can carry it; then the children (field 2). TLevel says which level (specialised, no dispatch).
    private static void ParseEnvelope<TLevel>(ProtoReader message, OtlpSignal signal, OtlpRecordWriter sink)
        where TLevel : struct, IEnvelopeLevel
    {
        TLevel.Begin(sink);
        var scan = message;
        while (scan.Next(out int field, out var wire))
        {
            if (field != 1) { scan.Skip(wire); continue; }
            scan.Expect(wire, W.Len, field);
            TLevel.Render(scan.ReadMessage(), sink);
        }
        while (message.Next(out int field, out var wire))
        {
            if (field != 2) { message.Skip(wire); continue; }
            message.Expect(wire, W.Len, field);
            TLevel.ParseChild(message.ReadMessage(), signal, sink);
        }
    }

    /// <summary>One level of the OTLP envelope for <see cref="ParseEnvelope{TLevel}"/>.</summary>
    private interface IEnvelopeLevel
    {
        static abstract void Begin(OtlpRecordWriter sink);
        static abstract void Render(ProtoReader header, OtlpRecordWriter sink);
        static abstract void ParseChild(ProtoReader child, OtlpSignal signal, OtlpRecordWriter sink);
    }

    private readonly struct ResourceLevel : IEnvelopeLevel
    {
        public static void Begin(OtlpRecordWriter sink) => sink.ClearResource();
        public static void Render(ProtoReader header, OtlpRecordWriter sink) => RenderResource(header, sink);
        public static void ParseChild(ProtoReader child, OtlpSignal signal, OtlpRecordWriter sink)
            => ParseEnvelope<ScopeLevel>(child, signal, sink);
    }

    private readonly struct ScopeLevel : IEnvelopeLevel
    {
        public static void Begin(OtlpRecordWriter sink) => sink.ClearScope();
        public static void Render(ProtoReader header, OtlpRecordWriter sink) => RenderScope(header, sink);

        public static void ParseChild(ProtoReader child, OtlpSignal signal, OtlpRecordWriter sink)
        {
            switch (signal)
            {
                case OtlpSignal.Logs: OtlpProtobufLogs.ParseLogRecord(child, sink); break;
                case OtlpSignal.Traces: OtlpProtobufTraces.ParseSpan(child, sink); break;
                default: OtlpProtobufMetrics.ParseMetric(child, sink); break;
            }
        }
    }

    // Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; … }
    private static void RenderResource(ProtoReader resource, OtlpRecordWriter sink)
    {
        var w = sink.BeginResource();
        w.WriteStartObject();
        while (resource.Next(out int field, out var wire))
        {
            if (field != 1) { resource.Skip(wire); continue; }
            resource.Expect(wire, W.Len, field);
            var kv = resource.ReadMessage();
            WritePlainKeyValue(kv, w, 0, out var key, out var value);
            if (key.SequenceEqual("service.name"u8) && TryGetString(value, out var service)) sink.SetService(service);
        }
        w.WriteEndObject();
        sink.EndResource();
    }

    // InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
    private static void RenderScope(ProtoReader scope, OtlpRecordWriter sink)
    {
        ReadOnlySpan<byte> name = default, version = default;
        var attributes = scope;
        while (scope.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: name = ReadString(ref scope, wire, field); break;
                case 2: version = ReadString(ref scope, wire, field); break;
                default: scope.Skip(wire); break;
            }
        }
        var w = sink.BeginScope();
        w.WriteStartObject();
        if (!name.IsEmpty) w.WriteString("name"u8, name);
        if (!version.IsEmpty) w.WriteString("version"u8, version);
        WritePlainAttributes(attributes, 3, "attributes"u8, w);
        w.WriteEndObject();
        sink.EndScope();
    }
}
