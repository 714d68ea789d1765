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

namespace Ingestd.Parsing.Dialects.Streams;

/// <summary>
/// The streams <c>POST /v1/streams/ingest</c> body (seed 001): one event
/// <c>{timestamp, source, event{}, metadata{}}</c>. One pass of <see cref="Utf8JsonReader"/>
/// validates it and appends one record whose JSON is the body object's bytes exactly as received.
/// Allocates nothing on success; on any error it throws and the caller drops the batch.
/// The <c>detail</c> strings are the seed's documented ones (rendered as <c>{"error":"invalid_format","detail":…}</c>).
/// </summary>
internal static class StreamEventParser
{
    public const int MaxSourceLength = 1024;   // after unescaping
    public const int MaxTimestampLength = 64;  // after unescaping; longer is no timestamp we know
    public const int MaxStreamIdLength = 256;  // X-Stream-Id bytes; the seed names no limit, this is ample for ids

    private const int Timestamp = 1, Source = 2, Event = 4, Metadata = 8;

    private const string TimestampInvalid = "The 'timestamp' field must be a valid ISO 8601 string.";

    /// <summary>Parses the one event in <paramref name="body"/> and appends it to <paramref name="batch"/>.</summary>
    /// <param name="tenant">The account the token belongs to (in open mode the caller passes the stream).</param>
    /// <param name="streamId">The <c>X-Stream-Id</c> header value, stored as the record's stream; the caller checks it is present.</param>
    public static void Parse(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> streamId, RecordBatch batch)
    {
        // Utf8JsonReader does not check the bytes inside strings; the event is stored verbatim, so check once here.
        if (!Utf8.IsValid(body)) ThrowInvalidUtf8(body);
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        byte[]? scratch = null;
        try
        {
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.StartObject) Fail(ref reader, null, "The request body must be a JSON object.");
            int start = (int)reader.TokenStartIndex;

            int seen = 0;
            long eventNs = receivedNs;
            int timestampStart = 0, timestampLength = 0;
            JsonValue source = default;

            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                int field = JsonStrings.IdentifyOrThrow<Names>(ref reader);
                Next(ref reader);
                if (field == 0)
                {
                    reader.Skip(); // unknown members are allowed and stay in the stored JSON
                    continue;
                }
                if ((seen & field) != 0) Fail(ref reader, NameOf(field), $"Duplicate '{NameOf(field)}' field.");
                seen |= field;

                switch (field)
                {
                    case Timestamp:
                        if (reader.TokenType != JsonTokenType.String) Fail(ref reader, "timestamp", TimestampInvalid);
                        timestampStart = (int)reader.TokenStartIndex + 1;
                        timestampLength = reader.ValueSpan.Length;
                        if (!TryParseTimestamp(ref reader, out eventNs)) Fail(ref reader, "timestamp", TimestampInvalid);
                        break;
                    case Source:
                        if (reader.TokenType != JsonTokenType.String) FailSource(ref reader);
                        if (reader.ValueSpan.IsEmpty) FailSource(ref reader);
                        if (!JsonStrings.TryCapture(ref reader, MaxSourceLength, ref scratch, out source)) FailSourceTooLong(ref reader);
                        break;
                    case Event:
                        if (reader.TokenType != JsonTokenType.StartObject) Fail(ref reader, "event", "The 'event' field must be an object.");
                        reader.Skip();
                        break;
                    default: // Metadata
                        if (reader.TokenType == JsonTokenType.Null) break; // null counts as absent
                        if (reader.TokenType != JsonTokenType.StartObject) Fail(ref reader, "metadata", "The 'metadata' field must be an object.");
                        reader.Skip();
                        break;
                }
            }
            int end = (int)reader.TokenStartIndex + 1;
            // The root object is closed; Read throws on anything but whitespace after it.
            if (reader.Read()) Fail(ref reader, null, "The request body must be a JSON object.");

            if ((seen & Source) == 0) Fail(ref reader, "source", "The 'source' field is required.");
            if ((seen & Event) == 0) Fail(ref reader, "event", "The 'event' field is required.");

            batch.Append(receivedNs, eventNs, Dialect.Streams, RecordKind.Event, tenant, ReadOnlySpan<byte>.Empty,
                source.Span(body, scratch), body.Slice(timestampStart, timestampLength), body[start..end], streamId);
        }
        catch (JsonException e)
        {
            throw InvalidJson(body, e, reader.BytesConsumed);
        }
        catch (InvalidOperationException e)
        {
            // CopyString refuses escapes that decode to invalid UTF-16 (a lone surrogate such as "\uD800").
            throw new RequestRejectedException(RejectReason.InvalidJson, $"The request body is not valid JSON: {e.Message} (byte {reader.BytesConsumed}).");
        }
        finally
        {
            if (scratch != null) ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static bool TryParseTimestamp(ref Utf8JsonReader reader, out long eventNs)
    {
        eventNs = 0;
        var raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
            return raw.Length <= MaxTimestampLength && TimestampParser.TryParse(raw, out eventNs);
        // A JSON escape is at most 6 bytes per output byte: longer raw text cannot unescape to the limit.
        if (raw.Length > 6 * MaxTimestampLength) return false;
        Span<byte> text = stackalloc byte[6 * MaxTimestampLength];
        int length = reader.CopyString(text);
        return length <= MaxTimestampLength && TimestampParser.TryParse(text[..length], out eventNs);
    }

    private readonly struct Names : IJsonNameTable
    {
        public static int Match(ReadOnlySpan<byte> name) => name.Length switch
        {
            5 when name.SequenceEqual("event"u8) => Event,
            6 when name.SequenceEqual("source"u8) => Source,
            8 when name.SequenceEqual("metadata"u8) => Metadata,
            9 when name.SequenceEqual("timestamp"u8) => Timestamp,
            _ => 0,
        };
    }

    private static string NameOf(int field) => field switch
    {
        Timestamp => "timestamp",
        Source => "source",
        Event => "event",
        _ => "metadata",
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        // With the whole body as the final block, Read only returns false after a complete root value.
        if (!reader.Read()) Fail(ref reader, null, "The request body must be a JSON object.");
        return reader.TokenType;
    }

    // ---- cold path ----

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void Fail(ref Utf8JsonReader reader, string? field, string detail)
    {
        // A syntax error anywhere outranks a content error: read to the end first so that it surfaces as InvalidJson.
        JsonErrors.ReadToEnd(ref reader);
        throw new RequestRejectedException(RejectReason.InvalidEvent, detail) { Field = field };
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailSource(ref Utf8JsonReader reader)
        => Fail(ref reader, "source", "The 'source' field must be a non-empty string.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailSourceTooLong(ref Utf8JsonReader reader)
        => Fail(ref reader, "source", $"The 'source' field must be at most {MaxSourceLength} bytes.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalidUtf8(ReadOnlySpan<byte> body)
        => throw new RequestRejectedException(RejectReason.InvalidJson, $"The request body is not valid JSON: invalid UTF-8 (byte {JsonErrors.FirstInvalidUtf8(body)}).");

    private static RequestRejectedException InvalidJson(ReadOnlySpan<byte> body, JsonException e, long bytesConsumed)
        => new(RejectReason.InvalidJson, $"The request body is not valid JSON: {JsonErrors.ReaderMessage(e)} (byte {JsonErrors.ErrorOffset(body, e, bytesConsumed)}).");
}
