using System.Text.Json;
using Ingestd.Parsing.Dialects.Protobuf;
using Ingestd.Parsing.Records;
using static Ingestd.Parsing.Dialects.Otlp.OtlpProtobufValues;
using W = Ingestd.Parsing.Dialects.Protobuf.ProtoWireType;

namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>
/// OTLP protobuf metrics (<c>ScopeMetrics.metrics</c>): one <see cref="RecordKind.Metric"/> record per metric with all
/// its data points, rendered in OTLP JSON form.
/// </summary>
internal static class OtlpProtobufMetrics
{
    // Metric { string name = 1; string description = 2; string unit = 3; oneof data { Gauge gauge = 5; Sum sum = 7;
    //   Histogram histogram = 9; ExponentialHistogram exponential_histogram = 10; Summary summary = 11; }
    //   repeated KeyValue metadata = 12; }
    // The metric is rendered in OTLP JSON form (attributes as key/value lists, 64-bit integers as strings), the
    // same form a JSON request carries, so a metric reads alike whichever encoding it arrived in.
    internal static void ParseMetric(ProtoReader metric, OtlpRecordWriter sink)
    {
        var again = metric;
        ReadOnlySpan<byte> name = default, description = default, unit = default;
        int dataField = 0;
        ProtoReader data = default;
        while (metric.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: name = ReadString(ref metric, wire, field); break;
                case 2: description = ReadString(ref metric, wire, field); break;
                case 3: unit = ReadString(ref metric, wire, field); break;
                case 5 or 7 or 9 or 10 or 11:
                    // A oneof: the last member on the wire wins (protobuf encoding guide, "Oneofs").
                    metric.Expect(wire, W.Len, field);
                    data = metric.ReadMessage();
                    dataField = field;
                    break;
                default: metric.Skip(wire); break;
            }
        }
        // Every data kind keeps its points in field 1, each with time_unix_nano in field 3.
        int points = 0;
        ulong firstTime = 0;
        var scan = data;
        while (dataField != 0 && scan.Next(out int field, out var wire))
        {
            if (field != 1) { scan.Skip(wire); continue; }
            scan.Expect(wire, W.Len, field);
            var point = scan.ReadMessage();
            if (points++ == 0)
            {
                while (point.Next(out int f, out var pw))
                {
                    if (f == 3) { point.Expect(pw, W.Fixed64, f); firstTime = point.ReadFixed64(); }
                    else point.Skip(pw);
                }
            }
        }
        try
        {
            if (name.IsEmpty) OtlpRecordWriter.FailRecord("name is required");
            var w = sink.BeginRecord("metric"u8);
            w.WriteStartObject();
            w.WriteString("name"u8, name);
            if (!description.IsEmpty) w.WriteString("description"u8, description);
            if (!unit.IsEmpty) w.WriteString("unit"u8, unit);
            switch (dataField)
            {
                case 5: WriteMetricData(data, "gauge"u8, NumberPoint, w); break;
                case 7: WriteMetricData(data, "sum"u8, NumberPoint, w); break;
                case 9: WriteMetricData(data, "histogram"u8, HistogramPoint, w); break;
                case 10: WriteMetricData(data, "exponentialHistogram"u8, ExponentialPoint, w); break;
                case 11: WriteMetricData(data, "summary"u8, SummaryPoint, w); break;
            }
            WriteOtlpAttributes(again, 12, "metadata"u8, w);
            w.WriteEndObject();
            sink.Commit(RecordKind.Metric, firstTime, firstTime, default);
        }
        catch (OtlpRecordException e)
        {
            sink.Reject("metric", e.Message, Math.Max(points, 1));
        }
    }

    private const int NumberPoint = 0, HistogramPoint = 1, ExponentialPoint = 2, SummaryPoint = 3;

    // Gauge { repeated NumberDataPoint data_points = 1; }
    // Sum { repeated NumberDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; bool is_monotonic = 3; }
    // Histogram / ExponentialHistogram { repeated … data_points = 1; AggregationTemporality aggregation_temporality = 2; }
    // Summary { repeated SummaryDataPoint data_points = 1; }
    internal static void WriteMetricData(ProtoReader data, ReadOnlySpan<byte> member, int pointKind, Utf8JsonWriter w)
    {
        w.WriteStartObject(member);
        long temporality = 0;
        bool monotonic = false, started = false;
        while (data.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1:
                    data.Expect(wire, W.Len, field);
                    if (!started) { w.WriteStartArray("dataPoints"u8); started = true; }
                    var point = data.ReadMessage();
                    switch (pointKind)
                    {
                        case NumberPoint: WriteNumberPoint(point, w); break;
                        case HistogramPoint: WriteHistogramPoint(point, w); break;
                        case ExponentialPoint: WriteExponentialPoint(point, w); break;
                        default: WriteSummaryPoint(point, w); break;
                    }
                    break;
                case 2: data.Expect(wire, W.Varint, field); temporality = (int)data.ReadVarint(); break;
                case 3: data.Expect(wire, W.Varint, field); monotonic = data.ReadVarint() != 0; break;
                default: data.Skip(wire); break;
            }
        }
        if (started) w.WriteEndArray();
        if (temporality != 0) w.WriteNumber("aggregationTemporality"u8, temporality);
        if (monotonic) w.WriteBoolean("isMonotonic"u8, true);
        w.WriteEndObject();
    }

    // NumberDataPoint { repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
    //   oneof value { double as_double = 4; sfixed64 as_int = 6; } repeated Exemplar exemplars = 5; uint32 flags = 8; }
    internal static void WriteNumberPoint(ProtoReader point, Utf8JsonWriter w)
    {
        var again = point;
        ulong start = 0, time = 0, flags = 0, value = 0;
        int valueField = 0;
        while (point.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 2: point.Expect(wire, W.Fixed64, field); start = point.ReadFixed64(); break;
                case 3: point.Expect(wire, W.Fixed64, field); time = point.ReadFixed64(); break;
                case 4 or 6: point.Expect(wire, W.Fixed64, field); value = point.ReadFixed64(); valueField = field; break;
                case 8: point.Expect(wire, W.Varint, field); flags = (uint)point.ReadVarint(); break;
                default: point.Skip(wire); break;
            }
        }
        WritePointStart(again, 7, start, time, count: 0, w);
        if (valueField == 4)
        {
            w.WritePropertyName("asDouble"u8);
            OtlpRecordWriter.WriteDoubleValue(w, BitConverter.Int64BitsToDouble((long)value));
        }
        else if (valueField == 6) OtlpRecordWriter.WriteInt64String(w, "asInt"u8, (long)value);
        WriteExemplars(again, 5, w);
        if (flags != 0) w.WriteNumber("flags"u8, flags);
        w.WriteEndObject();
    }

    // HistogramDataPoint { repeated KeyValue attributes = 9; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
    //   fixed64 count = 4; optional double sum = 5; repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7;
    //   repeated Exemplar exemplars = 8; uint32 flags = 10; optional double min = 11; optional double max = 12; }
    internal static void WriteHistogramPoint(ProtoReader point, Utf8JsonWriter w)
    {
        var again = point;
        ulong start = 0, time = 0, count = 0, flags = 0;
        double sum = 0, min = 0, max = 0;
        bool hasSum = false, hasMin = false, hasMax = false;
        while (point.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 2: point.Expect(wire, W.Fixed64, field); start = point.ReadFixed64(); break;
                case 3: point.Expect(wire, W.Fixed64, field); time = point.ReadFixed64(); break;
                case 4: point.Expect(wire, W.Fixed64, field); count = point.ReadFixed64(); break;
                case 5: point.Expect(wire, W.Fixed64, field); sum = point.ReadDouble(); hasSum = true; break;
                case 10: point.Expect(wire, W.Varint, field); flags = (uint)point.ReadVarint(); break;
                case 11: point.Expect(wire, W.Fixed64, field); min = point.ReadDouble(); hasMin = true; break;
                case 12: point.Expect(wire, W.Fixed64, field); max = point.ReadDouble(); hasMax = true; break;
                default: point.Skip(wire); break;
            }
        }
        WritePointStart(again, 9, start, time, count, w);
        if (hasSum) WriteDouble(w, "sum"u8, sum);
        WriteRepeatedFixed64(again, 6, "bucketCounts"u8, asDouble: false, w);
        WriteRepeatedFixed64(again, 7, "explicitBounds"u8, asDouble: true, w);
        WriteExemplars(again, 8, w);
        if (flags != 0) w.WriteNumber("flags"u8, flags);
        if (hasMin) WriteDouble(w, "min"u8, min);
        if (hasMax) WriteDouble(w, "max"u8, max);
        w.WriteEndObject();
    }

    // ExponentialHistogramDataPoint { repeated KeyValue attributes = 1; fixed64 start_time_unix_nano = 2;
    //   fixed64 time_unix_nano = 3; fixed64 count = 4; optional double sum = 5; sint32 scale = 6; fixed64 zero_count = 7;
    //   Buckets positive = 8; Buckets negative = 9; uint32 flags = 10; repeated Exemplar exemplars = 11;
    //   optional double min = 12; optional double max = 13; double zero_threshold = 14; }
    internal static void WriteExponentialPoint(ProtoReader point, Utf8JsonWriter w)
    {
        var again = point;
        ulong start = 0, time = 0, count = 0, zeroCount = 0, flags = 0;
        long scale = 0;
        double sum = 0, min = 0, max = 0, zeroThreshold = 0;
        bool hasSum = false, hasMin = false, hasMax = false;
        ProtoReader positive = default, negative = default;
        bool hasPositive = false, hasNegative = false;
        while (point.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 2: point.Expect(wire, W.Fixed64, field); start = point.ReadFixed64(); break;
                case 3: point.Expect(wire, W.Fixed64, field); time = point.ReadFixed64(); break;
                case 4: point.Expect(wire, W.Fixed64, field); count = point.ReadFixed64(); break;
                case 5: point.Expect(wire, W.Fixed64, field); sum = point.ReadDouble(); hasSum = true; break;
                case 6: point.Expect(wire, W.Varint, field); scale = (int)ProtoReader.ZigZag(point.ReadVarint()); break;
                case 7: point.Expect(wire, W.Fixed64, field); zeroCount = point.ReadFixed64(); break;
                case 8: point.Expect(wire, W.Len, field); positive = point.ReadMessage(); hasPositive = true; break;
                case 9: point.Expect(wire, W.Len, field); negative = point.ReadMessage(); hasNegative = true; break;
                case 10: point.Expect(wire, W.Varint, field); flags = (uint)point.ReadVarint(); break;
                case 12: point.Expect(wire, W.Fixed64, field); min = point.ReadDouble(); hasMin = true; break;
                case 13: point.Expect(wire, W.Fixed64, field); max = point.ReadDouble(); hasMax = true; break;
                case 14: point.Expect(wire, W.Fixed64, field); zeroThreshold = point.ReadDouble(); break;
                default: point.Skip(wire); break;
            }
        }
        WritePointStart(again, 1, start, time, count, w);
        if (hasSum) WriteDouble(w, "sum"u8, sum);
        if (scale != 0) w.WriteNumber("scale"u8, scale);
        if (zeroCount != 0) OtlpRecordWriter.WriteUInt64String(w, "zeroCount"u8, zeroCount);
        if (hasPositive) WriteBuckets(positive, "positive"u8, w);
        if (hasNegative) WriteBuckets(negative, "negative"u8, w);
        if (flags != 0) w.WriteNumber("flags"u8, flags);
        WriteExemplars(again, 11, w);
        if (hasMin) WriteDouble(w, "min"u8, min);
        if (hasMax) WriteDouble(w, "max"u8, max);
        if (zeroThreshold != 0) WriteDouble(w, "zeroThreshold"u8, zeroThreshold);
        w.WriteEndObject();
    }

    /// <summary>Opens a data point's JSON object with the members every kind starts with (count: 0 for number points, which have none).</summary>
    internal static void WritePointStart(ProtoReader point, int attributesField, ulong start, ulong time, ulong count, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        WriteOtlpAttributes(point, attributesField, "attributes"u8, w);
        if (start != 0) OtlpRecordWriter.WriteUInt64String(w, "startTimeUnixNano"u8, start);
        if (time != 0) OtlpRecordWriter.WriteUInt64String(w, "timeUnixNano"u8, time);
        if (count != 0) OtlpRecordWriter.WriteUInt64String(w, "count"u8, count);
    }

    // Buckets { sint32 offset = 1; repeated uint64 bucket_counts = 2; }
    internal static void WriteBuckets(ProtoReader buckets, ReadOnlySpan<byte> member, Utf8JsonWriter w)
    {
        var again = buckets;
        long offset = 0;
        while (buckets.Next(out int field, out var wire))
        {
            if (field == 1) { buckets.Expect(wire, W.Varint, field); offset = (int)ProtoReader.ZigZag(buckets.ReadVarint()); }
            else buckets.Skip(wire);
        }
        w.WriteStartObject(member);
        if (offset != 0) w.WriteNumber("offset"u8, offset);
        bool started = false;
        while (again.Next(out int field, out var wire))
        {
            if (field != 2) { again.Skip(wire); continue; }
            if (!started) { w.WriteStartArray("bucketCounts"u8); started = true; }
            if (wire == W.Varint)
            {
                OtlpRecordWriter.WriteInt64StringValue(w, again.ReadVarint());
                continue;
            }
            again.Expect(wire, W.Len, field); // packed (protobuf encoding guide, "Packed Repeated Fields")
            var packed = again.ReadMessage();
            while (packed.HasMore) OtlpRecordWriter.WriteInt64StringValue(w, packed.ReadVarint());
        }
        if (started) w.WriteEndArray();
        w.WriteEndObject();
    }

    // SummaryDataPoint { repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
    //   fixed64 count = 4; double sum = 5; repeated ValueAtQuantile quantile_values = 6; uint32 flags = 8; }
    // ValueAtQuantile { double quantile = 1; double value = 2; }
    internal static void WriteSummaryPoint(ProtoReader point, Utf8JsonWriter w)
    {
        var again = point;
        ulong start = 0, time = 0, count = 0, flags = 0;
        double sum = 0;
        while (point.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 2: point.Expect(wire, W.Fixed64, field); start = point.ReadFixed64(); break;
                case 3: point.Expect(wire, W.Fixed64, field); time = point.ReadFixed64(); break;
                case 4: point.Expect(wire, W.Fixed64, field); count = point.ReadFixed64(); break;
                case 5: point.Expect(wire, W.Fixed64, field); sum = point.ReadDouble(); break;
                case 8: point.Expect(wire, W.Varint, field); flags = (uint)point.ReadVarint(); break;
                default: point.Skip(wire); break;
            }
        }
        WritePointStart(again, 7, start, time, count, w);
        if (sum != 0) WriteDouble(w, "sum"u8, sum);
        bool started = false;
        while (again.Next(out int field, out var wire))
        {
            if (field != 6) { again.Skip(wire); continue; }
            again.Expect(wire, W.Len, field);
            var quantile = again.ReadMessage();
            double q = 0, v = 0;
            while (quantile.Next(out int f, out var qw))
            {
                if (f == 1) { quantile.Expect(qw, W.Fixed64, f); q = quantile.ReadDouble(); }
                else if (f == 2) { quantile.Expect(qw, W.Fixed64, f); v = quantile.ReadDouble(); }
                else quantile.Skip(qw);
            }
            if (!started) { w.WriteStartArray("quantileValues"u8); started = true; }
            w.WriteStartObject();
            if (q != 0) WriteDouble(w, "quantile"u8, q);
            if (v != 0) WriteDouble(w, "value"u8, v);
            w.WriteEndObject();
        }
        if (started) w.WriteEndArray();
        if (flags != 0) w.WriteNumber("flags"u8, flags);
        w.WriteEndObject();
    }

    // Exemplar { repeated KeyValue filtered_attributes = 7; fixed64 time_unix_nano = 2;
    //   oneof value { double as_double = 3; sfixed64 as_int = 6; } bytes span_id = 4; bytes trace_id = 5; }
    internal static void WriteExemplars(ProtoReader point, int exemplarField, Utf8JsonWriter w)
    {
        bool started = false;
        while (point.Next(out int field, out var wire))
        {
            if (field != exemplarField) { point.Skip(wire); continue; }
            point.Expect(wire, W.Len, field);
            var exemplar = point.ReadMessage();
            var attributes = exemplar;
            ulong time = 0, value = 0;
            int valueField = 0;
            ReadOnlySpan<byte> spanId = default, traceId = default;
            while (exemplar.Next(out int f, out var ew))
            {
                switch (f)
                {
                    case 2: exemplar.Expect(ew, W.Fixed64, f); time = exemplar.ReadFixed64(); break;
                    case 3 or 6: exemplar.Expect(ew, W.Fixed64, f); value = exemplar.ReadFixed64(); valueField = f; break;
                    case 4: spanId = ReadBytes(ref exemplar, ew, f); break;
                    case 5: traceId = ReadBytes(ref exemplar, ew, f); break;
                    default: exemplar.Skip(ew); break;
                }
            }
            OtlpRecordWriter.CheckId(traceId, 16, required: false, "exemplars.traceId");
            OtlpRecordWriter.CheckId(spanId, 8, required: false, "exemplars.spanId");
            if (!started) { w.WriteStartArray("exemplars"u8); started = true; }
            w.WriteStartObject();
            WriteOtlpAttributes(attributes, 7, "filteredAttributes"u8, w);
            if (time != 0) OtlpRecordWriter.WriteUInt64String(w, "timeUnixNano"u8, time);
            if (valueField == 3)
            {
                w.WritePropertyName("asDouble"u8);
                OtlpRecordWriter.WriteDoubleValue(w, BitConverter.Int64BitsToDouble((long)value));
            }
            else if (valueField == 6) OtlpRecordWriter.WriteInt64String(w, "asInt"u8, (long)value);
            if (!spanId.IsEmpty) OtlpRecordWriter.WriteHex(w, "spanId"u8, spanId);
            if (!traceId.IsEmpty) OtlpRecordWriter.WriteHex(w, "traceId"u8, traceId);
            w.WriteEndObject();
        }
        if (started) w.WriteEndArray();
    }

    /// <summary>A repeated fixed64 or double field, packed or not; fixed64 values as decimal strings.</summary>
    internal static void WriteRepeatedFixed64(ProtoReader message, int wanted, ReadOnlySpan<byte> member, bool asDouble, Utf8JsonWriter w)
    {
        bool started = false;
        while (message.Next(out int field, out var wire))
        {
            if (field != wanted) { message.Skip(wire); continue; }
            if (!started) { w.WriteStartArray(member); started = true; }
            if (wire == W.Fixed64)
            {
                WriteFixed64Item(message.ReadFixed64(), asDouble, w);
                continue;
            }
            message.Expect(wire, W.Len, field);
            int at = message.Position;
            var packed = message.ReadBytes();
            if (packed.Length % 8 != 0) ProtoReader.Fail(at, $"packed field {field} is not a whole number of 8-byte values");
            for (int i = 0; i < packed.Length; i += 8)
                WriteFixed64Item(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(packed[i..]), asDouble, w);
        }
        if (started) w.WriteEndArray();
    }

    internal static void WriteFixed64Item(ulong bits, bool asDouble, Utf8JsonWriter w)
    {
        if (asDouble) OtlpRecordWriter.WriteDoubleValue(w, BitConverter.Int64BitsToDouble((long)bits));
        else OtlpRecordWriter.WriteInt64StringValue(w, bits);
    }
}
