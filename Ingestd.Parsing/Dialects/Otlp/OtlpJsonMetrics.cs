using System.Text.Json;
using Ingestd.Parsing.Records;
using static Ingestd.Parsing.Dialects.Otlp.OtlpJsonValues;

namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>
/// OTLP JSON metrics (<c>metrics</c> items): one <see cref="RecordKind.Metric"/> record per metric with all its data
/// points, the metric object kept as sent (compacted).
/// </summary>
internal static class OtlpJsonMetrics
{
    // Metric: name, description, unit, one of gauge|sum|histogram|exponentialHistogram|summary ({"dataPoints":[…],…}),
    // metadata. The record keeps the metric object as sent (compacted); only what the envelope needs is read here.
    internal static void ParseMetric(ref Utf8JsonReader reader, ReadOnlySpan<byte> doc, OtlpRecordWriter sink)
    {
        int start = (int)reader.TokenStartIndex;
        bool named = false;
        int points = 0;
        ulong firstTime = 0;
        string? error = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                Next(ref reader);
                named = StringMember(ref reader, "name", ref error).IsSet && !reader.ValueSpan.IsEmpty;
            }
            else if (reader.ValueTextEquals("gauge"u8) || reader.ValueTextEquals("sum"u8) || reader.ValueTextEquals("histogram"u8)
                || reader.ValueTextEquals("exponentialHistogram"u8) || reader.ValueTextEquals("summary"u8))
            {
                Next(ref reader);
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    if (reader.TokenType != JsonTokenType.Null) error ??= "metric data must be an object";
                    reader.Skip();
                    continue;
                }
                while (Next(ref reader) == JsonTokenType.PropertyName)
                {
                    bool isPoints = reader.ValueTextEquals("dataPoints"u8);
                    Next(ref reader);
                    if (!isPoints || reader.TokenType != JsonTokenType.StartArray)
                    {
                        if (isPoints && reader.TokenType != JsonTokenType.Null) error ??= "dataPoints must be an array";
                        reader.Skip();
                        continue;
                    }
                    while (Next(ref reader) != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            error ??= "data points must be objects";
                            reader.Skip();
                            continue;
                        }
                        if (points++ > 0)
                        {
                            reader.Skip();
                            continue;
                        }
                        while (Next(ref reader) == JsonTokenType.PropertyName)
                        {
                            bool isTime = reader.ValueTextEquals("timeUnixNano"u8);
                            Next(ref reader);
                            if (isTime) firstTime = UInt64Member(ref reader, "dataPoints.timeUnixNano", ref error);
                            else reader.Skip();
                        }
                    }
                }
            }
            else { Next(ref reader); reader.Skip(); }
        }
        int end = (int)reader.TokenStartIndex + 1;
        if (error == null && !named) error = "name is required";
        if (error != null)
        {
            sink.Reject("metric", error, Math.Max(points, 1));
            return;
        }
        try
        {
            var w = sink.BeginRecord("metric"u8);
            var metric = doc[start..end];
            var r = Open(metric);
            CopyValue(ref r, w);
            sink.Commit(RecordKind.Metric, firstTime, firstTime, default);
        }
        catch (OtlpRecordException e)
        {
            sink.Reject("metric", e.Message, Math.Max(points, 1));
        }
    }

    /// <summary>Copies one JSON object or array token by token: the same data, without the sender's whitespace.</summary>
    internal static void CopyValue(ref Utf8JsonReader r, Utf8JsonWriter w)
    {
        int depth = r.CurrentDepth;
        while (true)
        {
            switch (r.TokenType)
            {
                case JsonTokenType.StartObject: w.WriteStartObject(); break;
                case JsonTokenType.EndObject: w.WriteEndObject(); break;
                case JsonTokenType.StartArray: w.WriteStartArray(); break;
                case JsonTokenType.EndArray: w.WriteEndArray(); break;
                case JsonTokenType.PropertyName: WritePropertyName(ref r, w); break;
                case JsonTokenType.String: WriteStringValue(ref r, w); break;
                case JsonTokenType.Number: w.WriteRawValue(r.ValueSpan, skipInputValidation: true); break;
                case JsonTokenType.True: w.WriteBooleanValue(true); break;
                case JsonTokenType.False: w.WriteBooleanValue(false); break;
                default: w.WriteNullValue(); break;
            }
            if (r.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray && r.CurrentDepth == depth) return;
            Next(ref r);
        }
    }
}
