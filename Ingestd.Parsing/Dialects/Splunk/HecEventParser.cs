using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Dialects.Levels;
using Ingestd.Parsing.Records;
using Ingestd.Parsing.Time;

namespace Ingestd.Parsing.Dialects.Splunk;

/// <summary>
/// The Splunk HTTP Event Collector <c>/services/collector[/event]</c> body: one or more JSON event
/// objects back to back, with or without whitespace between them:
/// <c>{"time"?, "host"?, "source"?, "sourcetype"?, "index"?, "event", "fields"?}</c>. Each record
/// keeps the event object's bytes as received. All-or-nothing: the first bad event throws a
/// <see cref="HecException"/> naming it, and the caller drops the batch. Allocates nothing on success.
/// </summary>
internal static class HecEventParser
{
    public const int MaxServiceLength = 1024;   // sourcetype/source after unescaping; longer values are not used
    public const int MaxLevelLength = 64;       // after unescaping; longer values are ignored
    public const int MaxTimeLength = 64;        // longer never parses

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowMultipleValues = true, // HEC batches are concatenated objects, not an array
    };

    private const int FieldEvent = 1, FieldTime = 2, FieldHost = 3, FieldSource = 4, FieldSourceType = 5, FieldIndex = 6, FieldFields = 7;

    /// <summary>Parses <paramref name="body"/> and appends its events to <paramref name="batch"/>. Returns the number of events.</summary>
    /// <param name="tenant">The tenant of the request's token, stored as given (may be empty).</param>
    /// <exception cref="HecException">Codes 5, 6, 12, 13 or 15, with the 0-based number of the bad event.</exception>
    public static int Parse(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, HecDefaults defaults, RecordBatch batch)
    {
        if (body.IndexOfAnyExcept(" \t\r\n"u8) < 0) throw HecException.NoData();
        var scratch = new Scratch();
        int index = 0;
        var reader = new Utf8JsonReader(body, ReaderOptions);
        try
        {
            // The defaults, as UTF-8, once per request: service falls back to them.
            var defaultService = scratch.DefaultService(defaults.SourceType ?? defaults.Source);
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.StartObject) throw HecException.InvalidDataFormat(index, "an event must be a JSON object");
                ParseEvent(ref reader, body, index, receivedNs, tenant, defaultService, batch, ref scratch);
                index++;
            }
            return index;
        }
        catch (JsonException e)
        {
            throw HecException.InvalidDataFormat(index, ReaderMessage(e));
        }
        finally
        {
            scratch.Dispose();
        }
    }

    private static void ParseEvent(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, int index, long receivedNs,
        ReadOnlySpan<byte> tenant, JsonValue defaultService, RecordBatch batch, ref Scratch scratch)
    {
        int start = (int)reader.TokenStartIndex;
        bool hasEvent = false, blank = false;
        int levelRank = int.MaxValue;
        long eventNs = receivedNs;
        JsonValue level = default, source = default, sourceType = default, timeText = default;
        bool hasSource = false, hasSourceType = false;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int field = JsonStrings.Identify<Names>(ref reader);
            reader.Read();
            switch (field)
            {
                case FieldEvent:
                    // null counts as absent; "" is blank (Splunk codes 12 and 13).
                    hasEvent = reader.TokenType != JsonTokenType.Null;
                    blank = reader.TokenType == JsonTokenType.String && reader.ValueSpan.IsEmpty;
                    if (reader.TokenType == JsonTokenType.StartObject) ReadEventObject(ref reader, ref levelRank, ref level, ref scratch);
                    else reader.Skip();
                    break;
                case FieldTime:
                    if (reader.TokenType == JsonTokenType.Null) break;
                    if (!TryTime(ref reader, body, ref scratch, out timeText, out eventNs))
                        throw HecException.InvalidDataFormat(index, "time must be epoch seconds, as a number or a string");
                    break;
                case FieldHost or FieldIndex:
                    if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                        throw HecException.InvalidDataFormat(index, field == FieldHost ? "host must be a string" : "index must be a string");
                    break;
                case FieldSource or FieldSourceType:
                    if (reader.TokenType == JsonTokenType.Null) break;
                    if (reader.TokenType != JsonTokenType.String)
                        throw HecException.InvalidDataFormat(index, field == FieldSource ? "source must be a string" : "sourcetype must be a string");
                    if (field == FieldSource) hasSource = scratch.Fields.TryCapture(ref reader, MaxServiceLength, Scratch.SourceSlot, out source);
                    else hasSourceType = scratch.Fields.TryCapture(ref reader, MaxServiceLength, Scratch.SourceTypeSlot, out sourceType);
                    break;
                case FieldFields:
                    CheckFields(ref reader, index);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        int end = (int)reader.TokenStartIndex + 1;

        if (!hasEvent) throw HecException.EventFieldRequired(index);
        if (blank) throw HecException.EventFieldBlank(index);
        var json = body[start..end];
        // Events are stored verbatim, and Utf8JsonReader does not check the bytes inside strings.
        if (!Utf8.IsValid(json)) throw HecException.InvalidDataFormat(index, "invalid UTF-8");

        scoped ReadOnlySpan<byte> service = hasSourceType ? sourceType.Span(body, scratch.Fields.Array)
            : hasSource ? source.Span(body, scratch.Fields.Array)
            : defaultService.Span(body, scratch.Fields.Array);

        // Levels are compared lower-case (read --level); non-ASCII ones are kept as sent.
        Span<byte> lower = stackalloc byte[MaxLevelLength];
        scoped ReadOnlySpan<byte> levelText = level.Span(body, scratch.Fields.Array);
        if (Ascii.ToLower(levelText, lower, out int lowered) == OperationStatus.Done) levelText = lower[..lowered];

        batch.Append(receivedNs, eventNs, Dialect.Splunk, RecordKind.Log, tenant, levelText, service,
            timeText.Span(body, scratch.Fields.Array), json);
    }

    /// <summary>
    /// Walks an object-valued <c>event</c>, taking <c>level</c> (preferred) or <c>severity</c> when it is a string,
    /// or a number named by <see cref="LevelNumbers"/> (pino's or syslog's under <c>level</c>, syslog's under <c>severity</c>).
    /// </summary>
    private static void ReadEventObject(ref Utf8JsonReader reader, ref int levelRank, ref JsonValue level, ref Scratch scratch)
    {
        JsonValue value = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int rank = reader.ValueTextEquals("level"u8) ? 0 : reader.ValueTextEquals("severity"u8) ? 1 : -1;
            reader.Read();
            if (rank >= 0 && rank < levelRank && reader.TokenType switch
                {
                    JsonTokenType.String => scratch.Fields.TryCapture(ref reader, MaxLevelLength, Scratch.LevelSlot, out value),
                    JsonTokenType.Number => LevelNumbers.TryCapture(ref reader, rank == 0 ? LevelScale.SyslogOrPino : LevelScale.Syslog,
                        ref scratch.Fields, Scratch.LevelSlot, MaxLevelLength, out value),
                    _ => false,
                })
            {
                levelRank = rank;
                level = value;
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>Indexed fields: an object whose values are strings, numbers, booleans, null or flat arrays of them (Splunk code 15 otherwise).</summary>
    private static void CheckFields(ref Utf8JsonReader reader, int index)
    {
        if (reader.TokenType == JsonTokenType.Null) return;
        if (reader.TokenType != JsonTokenType.StartObject) throw HecException.IndexedFieldsError(index, "fields must be an object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartObject) throw HecException.IndexedFieldsError(index, "fields values must not be objects");
            if (reader.TokenType != JsonTokenType.StartArray) continue;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    throw HecException.IndexedFieldsError(index, "fields arrays must hold plain values");
            }
        }
    }

    /// <summary>
    /// <c>time</c>: epoch seconds with an optional fraction, as a number (<c>1426279439.123</c>) or a string
    /// (<c>"1426279439.123"</c>). Read by magnitude (<see cref="EpochTime"/>), so milliseconds, which some
    /// loggers send, land right too. Negative times are refused, as Splunk does.
    /// </summary>
    private static bool TryTime(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, ref Scratch scratch, out JsonValue text, out long eventNs)
    {
        text = default;
        eventNs = 0;
        var raw = reader.ValueSpan;
        if (raw.Length > 6 * MaxTimeLength) return false;
        if (reader.TokenType == JsonTokenType.Number)
        {
            text = new JsonValue((int)reader.TokenStartIndex, raw.Length, inScratch: false);
            return raw.Length <= MaxTimeLength && TryEpochTime(raw, out eventNs);
        }
        if (reader.TokenType != JsonTokenType.String) return false;
        if (!scratch.Fields.TryCapture(ref reader, MaxTimeLength, Scratch.TimeSlot, out text)) return false;
        return TryEpochTime(text.Span(body, scratch.Fields.Array), out eventNs);
    }

    private static bool TryEpochTime(ReadOnlySpan<byte> text, out long unixNanos)
    {
        unixNanos = 0;
        return !text.IsEmpty && text[0] != (byte)'-' && EpochTime.TryParse(text, out unixNanos);
    }

    private readonly struct Names : IJsonNameTable
    {
        public static int Match(ReadOnlySpan<byte> name) => name.Length switch
        {
            4 when name.SequenceEqual("time"u8) => FieldTime,
            4 when name.SequenceEqual("host"u8) => FieldHost,
            5 when name.SequenceEqual("event"u8) => FieldEvent,
            5 when name.SequenceEqual("index"u8) => FieldIndex,
            6 when name.SequenceEqual("source"u8) => FieldSource,
            6 when name.SequenceEqual("fields"u8) => FieldFields,
            10 when name.SequenceEqual("sourcetype"u8) => FieldSourceType,
            _ => 0,
        };
    }

    /// <summary>One pooled array, rented on first need: the default service, and unescaped envelope values.</summary>
    private struct Scratch : IDisposable
    {
        // Layout: [temp: 6 × 1024][source: 1024][sourcetype: 1024][level: 64][time: 64][default service: 3 × 1024]
        private const int TempSize = 6 * MaxServiceLength;
        public const int SourceSlot = TempSize, SourceTypeSlot = SourceSlot + MaxServiceLength;
        public const int LevelSlot = SourceTypeSlot + MaxServiceLength, TimeSlot = LevelSlot + MaxLevelLength;
        public const int DefaultSlot = TimeSlot + MaxTimeLength, DefaultSize = 3 * MaxServiceLength;
        private const int Size = DefaultSlot + DefaultSize;

        public JsonScratch Fields = new(Size, 0, TempSize);

        public Scratch() { }

        /// <summary>The default service as UTF-8 in its slot (empty when there is none or it is too long).</summary>
        public JsonValue DefaultService(string? service)
        {
            if (string.IsNullOrEmpty(service) || service.Length > MaxServiceLength) return default;
            int length = System.Text.Encoding.UTF8.GetBytes(service, Fields.Array.AsSpan(DefaultSlot, DefaultSize));
            return length > MaxServiceLength ? default : new JsonValue(DefaultSlot, length, inScratch: true);
        }

        public void Dispose()
        {
            Fields.Dispose();
        }
    }

    private static string ReaderMessage(JsonException e) => JsonErrors.ReaderMessage(e);
}
