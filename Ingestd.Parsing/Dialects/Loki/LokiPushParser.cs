using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;
using static Ingestd.Parsing.Dialects.Json.JsonErrors;

namespace Ingestd.Parsing.Dialects.Loki;

/// <summary>
/// The Grafana Loki push body (<c>POST /loki/api/v1/push</c>), in either of its encodings:
/// JSON (<c>Content-Type: application/json</c>):
/// <c>{"streams":[{"stream":{"label":"value"},"values":[["&lt;unix ns&gt;","&lt;line&gt;"(,{"structured":"metadata"})?]]}]}</c>,
/// or a Snappy-block-compressed <c>logproto.PushRequest</c> (any other Content-Type, Loki's default;
/// <c>Content-Encoding: snappy</c> only restates it). One record per log line:
/// <c>{"stream":{labels},"line":"…","metadata":{…}}</c>, the same shape for both encodings, with the
/// entry's timestamp as event time and its decimal nanoseconds as timestamp text; service from the label
/// <c>service_name</c>, else <c>app</c>, <c>job</c>, <c>container</c>; level (lower-cased) from the entry's
/// structured metadata, else the labels: <c>level</c>, else <c>detected_level</c>, <c>severity</c>.
/// All-or-nothing: any error throws, and the caller drops the batch.
/// </summary>
internal static class LokiPushParser
{
    private const string BodyShape = "body: must be an object with a 'streams' array";

    /// <summary>Parses a JSON push body and appends its lines to <paramref name="batch"/>. Returns the number of lines.</summary>
    /// <param name="tenant">The request's tenant (<c>X-Scope-OrgID</c>), stored on every record.</param>
    public static int ParseJson(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch)
    {
        // Utf8JsonReader does not check the bytes inside strings, and strings are copied into the
        // records as they stand: check the whole body once (RFC 8259 §8.1).
        if (!Utf8.IsValid(body)) ThrowInvalidUtf8(body);
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var builder = LokiRecordBuilder.Rent();
        try
        {
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.StartObject) FailBody(ref reader, BodyShape);
            int count = -1;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                bool isStreams = reader.ValueTextEquals("streams"u8);
                Next(ref reader);
                if (!isStreams)
                {
                    reader.Skip(); // other top-level members are ignored
                    continue;
                }
                if (count >= 0) FailBody(ref reader, "body: duplicate member 'streams'");
                if (reader.TokenType != JsonTokenType.StartArray) FailBody(ref reader, "body: 'streams' must be an array");
                count = ParseStreams(ref reader, receivedNs, tenant, batch, ref builder);
            }
            // The root object is closed; Read refuses anything but whitespace after it.
            if (reader.Read()) FailBody(ref reader, BodyShape);
            if (count < 0) FailBody(ref reader, "body: 'streams' missing");
            return count;
        }
        catch (JsonException e)
        {
            throw InvalidJson(body, e, reader.BytesConsumed);
        }
        catch (InvalidOperationException e)
        {
            // CopyString refuses escapes that decode to invalid UTF-16 (a lone surrogate such as "\uD800").
            throw JsonErrors.InvalidString(e, reader.BytesConsumed);
        }
        finally
        {
            builder.Return();
        }
    }

    /// <summary>
    /// Parses a Snappy-compressed (block format) protobuf push body and appends its lines to <paramref name="batch"/>.
    /// Returns the number of lines.
    /// </summary>
    /// <param name="scratch">Receives the decompressed body; it is reset first, so it must not hold <paramref name="snappyBody"/>.</param>
    /// <param name="maxDecodedBytes">Largest decompressed size accepted; a larger declared size is refused with
    /// <see cref="RejectReason.DecodedBodyTooLarge"/> before anything is allocated.</param>
    public static int ParseProtobuf(ReadOnlySpan<byte> snappyBody, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch,
        PooledBuffer scratch, long maxDecodedBytes)
    {
        var message = SnappyBlock.Decompress(snappyBody, scratch, maxDecodedBytes);
        return LokiProtobufParser.Parse(message, receivedNs, tenant, batch);
    }

    private static int ParseStreams(ref Utf8JsonReader reader, long receivedNs, ReadOnlySpan<byte> tenant,
        RecordBatch batch, ref LokiRecordBuilder builder)
    {
        int index = 0, count = 0;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject) FailStream(ref reader, index, null, "must be an object");
            count += ParseStream(ref reader, index, receivedNs, tenant, batch, ref builder);
            index++;
        }
        return count;
    }

    private static int ParseStream(ref Utf8JsonReader reader, int index, long receivedNs, ReadOnlySpan<byte> tenant,
        RecordBatch batch, ref LokiRecordBuilder builder)
    {
        bool seenStream = false, seenValues = false, deferred = false;
        Utf8JsonReader values = default;
        int count = 0;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            bool isStream = reader.ValueTextEquals("stream"u8);
            bool isValues = !isStream && reader.ValueTextEquals("values"u8);
            Next(ref reader);
            if (isStream)
            {
                if (seenStream) FailStream(ref reader, index, "stream", "duplicate member");
                seenStream = true;
                if (reader.TokenType != JsonTokenType.StartObject) FailStream(ref reader, index, "stream", "must be an object of string labels");
                ParseLabels(ref reader, index, ref builder);
            }
            else if (isValues)
            {
                if (seenValues) FailStream(ref reader, index, "values", "duplicate member");
                seenValues = true;
                if (reader.TokenType != JsonTokenType.StartArray) FailStream(ref reader, index, "values", "must be an array");
                if (seenStream)
                {
                    count = ParseValues(ref reader, index, receivedNs, tenant, batch, ref builder);
                }
                else
                {
                    // Every line needs the labels, which come later in this object: keep a copy of the
                    // reader here (a checkpoint, no allocation) and come back once they are known.
                    values = reader;
                    deferred = true;
                    reader.Skip();
                }
            }
            else
            {
                reader.Skip();
            }
        }
        if (!seenStream) FailStream(ref reader, index, "stream", "required object missing");
        if (deferred) count = ParseValues(ref values, index, receivedNs, tenant, batch, ref builder);
        return count;
    }

    private static void ParseLabels(ref Utf8JsonReader reader, int index, ref LokiRecordBuilder builder)
    {
        builder.BeginStream();
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var name = reader.ValueSpan;
            RankName(ref reader, out int serviceRank, out int levelRank);
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.String) FailStream(ref reader, index, "stream", "label values must be strings");
            // Raw string contents of valid JSON are valid JSON string contents: copied as they stand.
            builder.AddLabelJson(name, reader.ValueSpan);
            if (!Capture(ref reader, ref builder, LokiRecordBuilder.ServiceSlot, serviceRank)
                || !Capture(ref reader, ref builder, LokiRecordBuilder.StreamLevelSlot, levelRank))
                FailStream(ref reader, index, "stream", $"service or level label longer than {LokiRecordBuilder.MaxNameLength} bytes");
        }
        // Loki refuses a stream without labels.
        if (builder.LabelCount == 0) FailStream(ref reader, index, "stream", "at least one label pair is required");
        builder.EndStream();
    }

    private static int ParseValues(ref Utf8JsonReader reader, int stream, long receivedNs, ReadOnlySpan<byte> tenant,
        RecordBatch batch, ref LokiRecordBuilder builder)
    {
        int index = 0;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray) FailShape(ref reader, stream, index);
            if (Next(ref reader) != JsonTokenType.String) FailShape(ref reader, stream, index);
            long eventNs = ReadTimestamp(ref reader, stream, index);
            if (Next(ref reader) != JsonTokenType.String) FailShape(ref reader, stream, index);
            builder.BeginEntry();
            builder.LineJson(reader.ValueSpan);
            if (Next(ref reader) == JsonTokenType.StartObject)
            {
                ParseMetadata(ref reader, stream, index, ref builder);
                Next(ref reader);
            }
            if (reader.TokenType != JsonTokenType.EndArray) FailShape(ref reader, stream, index);
            builder.Finish(batch, receivedNs, eventNs, tenant);
            index++;
        }
        return index;
    }

    private static void ParseMetadata(ref Utf8JsonReader reader, int stream, int index, ref LokiRecordBuilder builder)
    {
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var name = reader.ValueSpan;
            RankName(ref reader, out _, out int levelRank);
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.String) FailValue(ref reader, stream, index, "structured metadata values must be strings");
            builder.AddMetadataJson(name, reader.ValueSpan);
            if (!Capture(ref reader, ref builder, LokiRecordBuilder.EntryLevelSlot, levelRank))
                FailValue(ref reader, stream, index, $"level longer than {LokiRecordBuilder.MaxNameLength} bytes");
        }
    }

    /// <summary>The entry's timestamp: a string of decimal Unix nanoseconds, non-negative and within 64 bits.</summary>
    private static long ReadTimestamp(ref Utf8JsonReader reader, int stream, int index)
    {
        long value;
        bool ok;
        if (!reader.ValueIsEscaped)
        {
            ok = TryParseNanos(reader.ValueSpan, out value);
        }
        else
        {
            // At most 19 digits, each at most a 6-byte escape.
            if (reader.ValueSpan.Length > 6 * 19) FailTimestamp(ref reader, stream, index);
            Span<byte> digits = stackalloc byte[6 * 19];
            ok = TryParseNanos(digits[..reader.CopyString(digits)], out value);
        }
        if (!ok) FailTimestamp(ref reader, stream, index);
        return value;
    }

    private static bool TryParseNanos(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length > 19) return false;
        ulong v = 0;
        foreach (byte b in digits)
        {
            uint d = (uint)(b - '0');
            if (d > 9) return false;
            v = v * 10 + d; // 19 digits cannot overflow 64 bits unsigned
        }
        if (v > long.MaxValue) return false;
        value = (long)v;
        return true;
    }

    /// <summary>Ranks the current property name as a service and as a level label (0: not one).</summary>
    private static void RankName(ref Utf8JsonReader reader, out int serviceRank, out int levelRank)
    {
        if (!reader.ValueIsEscaped)
        {
            serviceRank = LokiRecordBuilder.ServiceRank(reader.ValueSpan);
            levelRank = LokiRecordBuilder.LevelRank(reader.ValueSpan);
            return;
        }
        serviceRank = levelRank = 0;
        // The longest name we look for is 14 bytes, at most 6 × 14 escaped.
        if (reader.ValueSpan.Length > 6 * 14) return;
        Span<byte> name = stackalloc byte[6 * 14];
        name = name[..reader.CopyString(name)];
        serviceRank = LokiRecordBuilder.ServiceRank(name);
        levelRank = LokiRecordBuilder.LevelRank(name);
    }

    /// <summary>Keeps the current string value in a slot when its rank beats the slot's; false when it is too long.</summary>
    private static bool Capture(ref Utf8JsonReader reader, ref LokiRecordBuilder builder, int slot, int rank)
    {
        if (!builder.Wants(slot, rank)) return true;
        if (!reader.ValueIsEscaped) return builder.Capture(slot, rank, reader.ValueSpan);
        if (reader.ValueSpan.Length > LokiRecordBuilder.SlotSize) return false;
        return builder.Commit(slot, rank, reader.CopyString(builder.SlotBuffer(slot)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        // With the whole body as the final block, Read only returns false after a complete root value.
        if (!reader.Read()) FailBody(ref reader, BodyShape);
        return reader.TokenType;
    }

    // ---- cold path ----

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailBody(ref Utf8JsonReader reader, string detail)
    {
        JsonErrors.ReadToEnd(ref reader);
        throw new RequestRejectedException(RejectReason.InvalidEvent, detail) { Field = "streams" };
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailStream(ref Utf8JsonReader reader, int stream, string? field, string problem)
    {
        JsonErrors.ReadToEnd(ref reader);
        string where = field is null ? $"streams[{stream}]" : $"streams[{stream}].{field}";
        throw new RequestRejectedException(RejectReason.InvalidEvent, $"{where}: {problem}") { Field = field };
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailValue(ref Utf8JsonReader reader, int stream, int index, string problem)
    {
        JsonErrors.ReadToEnd(ref reader);
        throw new RequestRejectedException(RejectReason.InvalidEvent, $"streams[{stream}].values[{index}]: {problem}")
        {
            EventIndex = index,
            Field = "values",
        };
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailShape(ref Utf8JsonReader reader, int stream, int index)
        => FailValue(ref reader, stream, index, "must be [\"<unix epoch ns>\", \"<log line>\"] with an optional object of structured metadata");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailTimestamp(ref Utf8JsonReader reader, int stream, int index)
        => FailValue(ref reader, stream, index, "timestamp must be a string of non-negative Unix epoch nanoseconds");
}
