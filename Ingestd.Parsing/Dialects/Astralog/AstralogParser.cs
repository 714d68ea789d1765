using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;
using Ingestd.Parsing.Time;
using static Ingestd.Parsing.Dialects.Json.JsonErrors;

namespace Ingestd.Parsing.Dialects.Astralog;

/// <summary>
/// The Astralog <c>POST /v1/drain</c> body (seed 000): <c>{"events":[{project_id, timestamp, level,
/// service, message, metadata?}, …]}</c>. One pass of <see cref="Utf8JsonReader"/> validates the
/// whole body and appends one record per event; each record keeps the event object's bytes exactly
/// as received. Allocates nothing on success; on any error it throws and the caller drops the batch.
/// </summary>
internal static class AstralogParser
{
    public const int MaxNameLength = 1024;     // project_id, level, service, after unescaping
    public const int MaxTimestampLength = 64;  // after unescaping

    private const int ProjectId = 1, Timestamp = 2, Level = 4, Service = 8, Message = 16, Metadata = 32;

    // Unescaped field values go into one pooled scratch array, rented only when a value is escaped.
    // A JSON escape is at most 6 bytes per output byte, so a raw value longer than 6 × limit is too
    // long whatever it unescapes to, and a slot of 6 × limit holds any value that may still fit.
    private const int SlotSize = 6 * MaxNameLength;
    private const int ProjectSlot = 0, TimestampSlot = 1, LevelSlot = 2, ServiceSlot = 3;

    /// <summary>Parses <paramref name="body"/> and appends its events to <paramref name="batch"/>. Returns the number of events.</summary>
    /// <param name="tokenTenant">The tenant the request's token belongs to; empty means open mode (any project_id).</param>
    public static int Parse(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tokenTenant, RecordBatch batch)
    {
        // JSON text is UTF-8 (RFC 8259 §8.1) but Utf8JsonReader does not check the bytes inside
        // strings; the events are stored verbatim, so check once here (vectorised, no allocation).
        if (!Utf8.IsValid(body)) ThrowInvalidUtf8(body);
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        byte[]? scratch = null;
        try
        {
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.StartObject) FailBody(ref reader, "body: 'events' must be an array");
            int count = -1;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                bool isEvents = reader.ValueTextEquals("events"u8);
                Next(ref reader);
                if (!isEvents)
                {
                    reader.Skip(); // other top-level members are allowed and ignored
                    continue;
                }
                if (count >= 0) FailBody(ref reader, "body: duplicate member 'events'");
                if (reader.TokenType != JsonTokenType.StartArray) FailBody(ref reader, "body: 'events' must be an array");
                count = ParseEvents(ref reader, body, receivedNs, tokenTenant, batch, ref scratch);
            }
            // The root object is closed; Read refuses anything but whitespace after it.
            if (reader.Read()) FailBody(ref reader, "body: 'events' must be an array");
            if (count < 0) FailBody(ref reader, "body: 'events' must be an array");
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
            if (scratch != null) ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static int ParseEvents(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, long receivedNs,
        ReadOnlySpan<byte> tokenTenant, RecordBatch batch, ref byte[]? scratch)
    {
        int index = 0;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject) FailEvent(ref reader, index, null, "must be an object");
            ParseEvent(ref reader, body, index, receivedNs, tokenTenant, batch, ref scratch);
            index++;
        }
        return index;
    }

    private static void ParseEvent(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, int index, long receivedNs,
        ReadOnlySpan<byte> tokenTenant, RecordBatch batch, ref byte[]? scratch)
    {
        int start = (int)reader.TokenStartIndex;
        int seen = 0;
        long eventNs = 0;
        JsonValue project = default, timestamp = default, level = default, service = default;
        int timestampRawStart = 0, timestampRawLength = 0;

        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            int field = JsonStrings.IdentifyOrThrow<Names>(ref reader);
            Next(ref reader);
            if (field == 0)
            {
                reader.Skip(); // unknown members stay in the event's JSON
                continue;
            }
            if ((seen & field) != 0) FailEvent(ref reader, index, NameOf(field), "duplicate member");
            seen |= field;

            if (field == Metadata)
            {
                if (reader.TokenType == JsonTokenType.Null) continue; // null counts as absent
                if (reader.TokenType != JsonTokenType.StartObject) FailEvent(ref reader, index, "metadata", "must be an object");
                reader.Skip();
                continue;
            }
            if (reader.TokenType != JsonTokenType.String) FailEvent(ref reader, index, NameOf(field), "must be a string");
            switch (field)
            {
                case ProjectId:
                    project = Capture(ref reader, index, "project_id", MaxNameLength, ProjectSlot, ref scratch);
                    break;
                case Level:
                    level = Capture(ref reader, index, "level", MaxNameLength, LevelSlot, ref scratch);
                    break;
                case Service:
                    service = Capture(ref reader, index, "service", MaxNameLength, ServiceSlot, ref scratch);
                    break;
                case Timestamp:
                    timestampRawStart = (int)reader.TokenStartIndex + 1;
                    timestampRawLength = reader.ValueSpan.Length;
                    timestamp = Capture(ref reader, index, "timestamp", MaxTimestampLength, TimestampSlot, ref scratch);
                    if (!TimestampParser.TryParse(timestamp.Span(body, scratch), out eventNs))
                        FailEvent(ref reader, index, "timestamp", "not an RFC 3339, ISO 8601 or SQL timestamp");
                    break;
                // Message: any string, possibly empty; it is kept inside the event's JSON.
            }
        }
        int end = (int)reader.TokenStartIndex + 1;

        if ((seen & ProjectId) == 0) FailEvent(ref reader, index, "project_id", "required string missing");
        if ((seen & Timestamp) == 0) FailEvent(ref reader, index, "timestamp", "required string missing");
        if ((seen & Level) == 0) FailEvent(ref reader, index, "level", "required string missing");
        if ((seen & Service) == 0) FailEvent(ref reader, index, "service", "required string missing");
        if ((seen & Message) == 0) FailEvent(ref reader, index, "message", "required string missing");

        var tenant = project.Span(body, scratch);
        if (!tokenTenant.IsEmpty && !tenant.SequenceEqual(tokenTenant)) FailTenant(ref reader, index, tenant);

        batch.Append(receivedNs, eventNs, Dialect.Astralog, RecordKind.Log,
            tenant, level.Span(body, scratch), service.Span(body, scratch),
            body.Slice(timestampRawStart, timestampRawLength), body[start..end]);
    }

    /// <summary>Locates a required non-empty string, unescaping it into the scratch slot only when it holds escapes.</summary>
    private static JsonValue Capture(ref Utf8JsonReader reader, int index, string name, int limit, int slot, ref byte[]? scratch)
    {
        var raw = reader.ValueSpan;
        if (raw.IsEmpty) FailEvent(ref reader, index, name, "must be a non-empty string");
        if (!reader.ValueIsEscaped)
        {
            if (raw.Length > limit) FailTooLong(ref reader, index, name, limit);
            return new JsonValue((int)reader.TokenStartIndex + 1, raw.Length, inScratch: false);
        }
        if (raw.Length > 6 * limit) FailTooLong(ref reader, index, name, limit);
        scratch ??= ArrayPool<byte>.Shared.Rent(4 * SlotSize);
        int length = reader.CopyString(scratch.AsSpan(slot * SlotSize, SlotSize));
        if (length > limit) FailTooLong(ref reader, index, name, limit);
        return new JsonValue(slot * SlotSize, length, inScratch: true);
    }

    private readonly struct Names : IJsonNameTable
    {
        public static int Match(ReadOnlySpan<byte> name) => name.Length switch
        {
            5 when name.SequenceEqual("level"u8) => Level,
            7 when name.SequenceEqual("service"u8) => Service,
            7 when name.SequenceEqual("message"u8) => Message,
            8 when name.SequenceEqual("metadata"u8) => Metadata,
            9 when name.SequenceEqual("timestamp"u8) => Timestamp,
            10 when name.SequenceEqual("project_id"u8) => ProjectId,
            _ => 0,
        };
    }

    private static string NameOf(int field) => field switch
    {
        ProjectId => "project_id",
        Timestamp => "timestamp",
        Level => "level",
        Service => "service",
        Message => "message",
        _ => "metadata",
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        // With the whole body as the final block, Read only returns false after a complete root value.
        if (!reader.Read()) FailBody(ref reader, "body: 'events' must be an array");
        return reader.TokenType;
    }

    // ---- cold path ----

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailBody(ref Utf8JsonReader reader, string detail)
    {
        JsonErrors.ReadToEnd(ref reader);
        throw new RequestRejectedException(RejectReason.InvalidEvent, detail) { Field = "events" };
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailEvent(ref Utf8JsonReader reader, int index, string? field, string problem)
    {
        JsonErrors.ReadToEnd(ref reader);
        string where = field is null ? $"events[{index}]" : $"events[{index}].{field}";
        throw new RequestRejectedException(RejectReason.InvalidEvent, $"{where}: {problem}") { EventIndex = index, Field = field };
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailTooLong(ref Utf8JsonReader reader, int index, string field, int limit)
        => FailEvent(ref reader, index, field, $"longer than {limit} bytes");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailTenant(ref Utf8JsonReader reader, int index, ReadOnlySpan<byte> projectId)
    {
        string project = System.Text.Encoding.UTF8.GetString(projectId);
        JsonErrors.ReadToEnd(ref reader);
        throw new RequestRejectedException(RejectReason.Forbidden,
            $"events[{index}].project_id: '{project}' is not the tenant of this token") { EventIndex = index, Field = "project_id" };
    }
}
