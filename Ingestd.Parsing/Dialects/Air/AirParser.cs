using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Dialects.Levels;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;
using static Ingestd.Parsing.Dialects.Json.JsonErrors;

namespace Ingestd.Parsing.Dialects.Air;

/// <summary>
/// The Air <c>POST /v1/ingest/{type}</c> body (seed 004): <c>{"entries":[…]}</c>, at most
/// <see cref="MaxEntries"/> entries, each checked against its type's schema. Air answers per entry
/// (<c>accepted</c>/<c>rejected</c>), so a bad entry is skipped and listed while its valid neighbours
/// are stored; only a broken body (bad JSON, no <c>entries</c> array, too many entries) refuses the
/// whole request. One pass of <see cref="Utf8JsonReader"/>; each record keeps the entry object's bytes
/// exactly as received; nothing is allocated when every entry is valid.
/// </summary>
internal static class AirParser
{
    public const int MaxEntries = 1000;
    public const int MaxNameLength = 1024;     // bytes after unescaping: name becomes the envelope service
    public const int MaxTimestampLength = 64;  // bytes, as sent

    private enum Rule : byte
    {
        Timestamp,          // ISO 8601 string (envelope event time)
        String,
        NonEmptyString,
        Name,               // non-empty string, the envelope service
        Level,              // debug|info|warn|error|fatal (envelope level)
        Status,             // ok|error
        Number,             // finite JSON number
        NonNegativeNumber,  // finite JSON number >= 0
        Object,
    }

    // Field order is the seed's table order, which decides which problem an entry is rejected for.
    private static readonly SchemaField<Rule>[] MessageFields =
    [
        new("timestamp", Rule.Timestamp, true),
        new("message", Rule.String, true),
        new("attributes", Rule.Object, false),
    ];

    private static readonly SchemaField<Rule>[] EventFields =
    [
        new("timestamp", Rule.Timestamp, true),
        new("name", Rule.Name, true),
        new("attributes", Rule.Object, false),
    ];

    private static readonly SchemaField<Rule>[] LogFields =
    [
        new("timestamp", Rule.Timestamp, true),
        new("level", Rule.Level, false),
        new("message", Rule.String, true),
        new("attributes", Rule.Object, false),
    ];

    private static readonly SchemaField<Rule>[] MetricFields =
    [
        new("timestamp", Rule.Timestamp, true),
        new("name", Rule.Name, true),
        new("value", Rule.Number, true),
        new("tags", Rule.Object, false),
        new("attributes", Rule.Object, false),
    ];

    private static readonly SchemaField<Rule>[] TraceFields =
    [
        new("timestamp", Rule.Timestamp, true),
        new("trace_id", Rule.NonEmptyString, true),
        new("span_id", Rule.NonEmptyString, true),
        new("parent_span_id", Rule.String, false),
        new("name", Rule.Name, true),
        new("duration_ms", Rule.NonNegativeNumber, true),
        new("status", Rule.Status, false),
        new("attributes", Rule.Object, false),
    ];

    /// <summary>
    /// Parses <paramref name="body"/>, appends each valid entry to <paramref name="batch"/> in order and
    /// adds each invalid one to <paramref name="rejected"/>. Returns the number appended. Throws
    /// <see cref="RequestRejectedException"/> when the body as a whole is refused; the caller then drops the batch.
    /// </summary>
    public static int Parse(ReadOnlySpan<byte> body, AirEntryType type, long receivedNs, ReadOnlySpan<byte> tenant,
        RecordBatch batch, List<AirRejection> rejected, int maxEntries = MaxEntries)
    {
        // JSON text is UTF-8 (RFC 8259 §8.1) but Utf8JsonReader does not check the bytes inside
        // strings; the entries are stored verbatim, so check once here (vectorised, no allocation).
        if (!Utf8.IsValid(body)) ThrowInvalidUtf8(body);
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var (fields, kind) = SchemaOf(type);
        byte[]? scratch = null;
        try
        {
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.StartObject) FailBody(ref reader, "'entries' must be an array");
            int accepted = -1;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                bool isEntries = reader.ValueTextEquals("entries"u8);
                Next(ref reader);
                if (!isEntries)
                {
                    reader.Skip(); // other top-level members are allowed and ignored
                    continue;
                }
                if (accepted >= 0) FailBody(ref reader, "duplicate member 'entries'");
                if (reader.TokenType != JsonTokenType.StartArray) FailBody(ref reader, "'entries' must be an array");
                accepted = ParseEntries(ref reader, body, fields, kind, receivedNs, tenant, batch, rejected, ref scratch, maxEntries);
            }
            reader.Read(); // refuses anything but whitespace after the root object
            if (accepted < 0) FailBody(ref reader, "'entries' must be an array");
            return accepted;
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
            if (scratch != null) ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static (SchemaField<Rule>[] Fields, RecordKind Kind) SchemaOf(AirEntryType type) => type switch
    {
        AirEntryType.Messages => (MessageFields, RecordKind.Message),
        AirEntryType.Events => (EventFields, RecordKind.Event),
        AirEntryType.Logs => (LogFields, RecordKind.Log),
        AirEntryType.Metrics => (MetricFields, RecordKind.Metric),
        AirEntryType.Traces => (TraceFields, RecordKind.Trace),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static int ParseEntries(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, SchemaField<Rule>[] fields, RecordKind kind,
        long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch, List<AirRejection> rejected, ref byte[]? scratch, int maxEntries)
    {
        int index = 0, accepted = 0;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            // Stop at once: nothing past the limit is worth reading.
            if (index == maxEntries) ThrowTooMany(index + 1, maxEntries);
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                Reject(rejected, index, "entry must be an object");
            }
            else if (TryParseEntry(ref reader, body, fields, kind, receivedNs, tenant, batch, ref scratch, out string? reason))
            {
                accepted++;
            }
            else
            {
                Reject(rejected, index, reason!);
            }
            index++;
        }
        return accepted;
    }

    /// <summary>Validates the entry object at the reader and appends it when valid; otherwise returns false with the reason.</summary>
    private static bool TryParseEntry(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, SchemaField<Rule>[] fields, RecordKind kind,
        long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch, ref byte[]? scratch, out string? reason)
    {
        reason = null;
        int start = (int)reader.TokenStartIndex;
        var stateArray = new SchemaFieldStates();
        Span<SchemaFieldState> states = stateArray;
        Span<byte> timestampScratch = stackalloc byte[MaxTimestampLength];

        JsonValue name = default;
        int level = -1;
        long eventNs = 0;
        int timestampStart = 0, timestampLength = 0;

        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            int f = SchemaField<Rule>.IndexOf(ref reader, fields);
            Next(ref reader);
            if (f < 0)
            {
                reader.Skip(); // unknown members are allowed; they stay in the stored JSON
                continue;
            }

            // The last of duplicate members wins, as it does after JSON.parse.
            ref var state = ref states[f];
            state = default;
            var token = reader.TokenType;
            var rule = fields[f].Rule;
            if (token == JsonTokenType.Null && !fields[f].Required)
            {
                if (rule == Rule.Level) level = -1;
                continue; // null for an optional member counts as absent
            }
            state.Seen = true;
            switch (rule)
            {
                case Rule.Timestamp:
                {
                    if (token != JsonTokenType.String) { state.Problem = "must be a string"; break; }
                    if (!JsonStrings.TryParseTimestamp(ref reader, timestampScratch, out eventNs)) { state.Problem = "must be an ISO 8601 timestamp"; break; }
                    timestampStart = (int)reader.TokenStartIndex + 1;
                    timestampLength = reader.ValueSpan.Length;
                    break;
                }
                case Rule.String:
                    if (token != JsonTokenType.String) state.Problem = "must be a string";
                    break;
                case Rule.NonEmptyString:
                    if (token != JsonTokenType.String) state.Problem = "must be a string";
                    else if (reader.ValueSpan.IsEmpty) state.Problem = "must be a non-empty string";
                    break;
                case Rule.Name:
                {
                    if (token != JsonTokenType.String) { state.Problem = "must be a string"; break; }
                    var raw = reader.ValueSpan;
                    if (raw.IsEmpty) { state.Problem = "must be a non-empty string"; break; }
                    if (!JsonStrings.TryCapture(ref reader, MaxNameLength, ref scratch, out name)) state.Problem = TooLong();
                    break;
                }
                case Rule.Level:
                    level = token == JsonTokenType.String ? LogLevels.Match(ref reader) : -1;
                    if (level < 0) state.Problem = "must be one of debug, info, warn, error, fatal";
                    break;
                case Rule.Status:
                    if (token != JsonTokenType.String || !(reader.ValueTextEquals("ok"u8) || reader.ValueTextEquals("error"u8)))
                        state.Problem = "must be one of ok, error";
                    break;
                case Rule.Number:
                case Rule.NonNegativeNumber:
                    if (token != JsonTokenType.Number) state.Problem = "must be a number";
                    else if (!reader.TryGetDouble(out double d) || !double.IsFinite(d)) state.Problem = "must be a finite number";
                    else if (rule == Rule.NonNegativeNumber && d < 0) state.Problem = "must not be negative";
                    break;
                case Rule.Object:
                    if (token != JsonTokenType.StartObject) state.Problem = "must be an object";
                    reader.Skip();
                    break;
            }
        }
        int end = (int)reader.TokenStartIndex + 1;

        for (int f = 0; f < fields.Length; f++)
        {
            ref var state = ref states[f];
            if (!state.Seen && fields[f].Required) state.Problem = "required";
            if (state.Problem != null)
            {
                reason = $"{fields[f].Name}: {state.Problem}";
                return false;
            }
        }

        batch.Append(receivedNs, eventNs, Dialect.Air, kind, tenant, LogLevels.Name(level), name.Span(body, scratch),
            body.Slice(timestampStart, timestampLength), body[start..end]);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        // With the whole body as the final block, Read returns false only after a complete root
        // value, and callers never read past it; an empty body throws inside Read.
        if (!reader.Read()) FailBody(ref reader, "'entries' must be an array");
        return reader.TokenType;
    }

    // ---- cold path ----

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Reject(List<AirRejection> rejected, int index, string reason) => rejected.Add(new AirRejection(index, reason));

    private static string TooLong() => $"must be at most {MaxNameLength} bytes";

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailBody(ref Utf8JsonReader reader, string detail)
    {
        JsonErrors.ReadToEnd(ref reader);
        throw new RequestRejectedException(RejectReason.InvalidEvent, detail) { Field = "entries" };
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTooMany(int count, int max)
        => throw new RequestRejectedException(RejectReason.InvalidEvent, $"at most {max} entries per request, got {count}") { Field = "entries" };
}
