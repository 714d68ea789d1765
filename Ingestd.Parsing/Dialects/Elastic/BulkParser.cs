using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Dialects.Levels;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Framing;
using Ingestd.Parsing.Records;
using Ingestd.Parsing.Time;

namespace Ingestd.Parsing.Dialects.Elastic;

/// <summary>
/// The Elasticsearch <c>POST [/{index}]/_bulk</c> body: NDJSON pairs of an action/metadata line
/// (<c>{"index"|"create"|"update"|"delete":{"_index"?, "_id"?, …}}</c>) and, for index and create,
/// the document line. Documents are stored verbatim, one record each. Like Elasticsearch, a
/// malformed action line refuses the whole request, while a bad document or an unsupported
/// action only fails its own item (reported in <see cref="BulkItemList"/>, answered with HTTP 200
/// and <c>"errors":true</c>). Allocates nothing on success, generated ids included.
/// </summary>
internal static class BulkParser
{
    public const int MaxIndexLength = 255;      // Elasticsearch: index names are at most 255 bytes
    public const int MaxIdLength = 512;         // Elasticsearch: _id is at most 512 bytes
    public const int MaxLevelLength = 64;       // after unescaping; longer values are ignored
    public const int MaxTimestampLength = 64;   // after unescaping; longer never parses
    public const int GeneratedIdLength = 20;    // base64url of 15 random bytes, like Elasticsearch's own ids

    public const string ValidationException = "action_request_validation_exception";
    public const string DocumentParsingException = "document_parsing_exception";
    public const string InvalidIndexNameException = "invalid_index_name_exception";

    private const string UpdateNotSupported = "ingestd is append-only: update is not supported";
    private const string DeleteNotSupported = "ingestd is append-only: delete is not supported";
    private const string IndexMissing = "Validation Failed: 1: index is missing;";
    private const string SourceMissing = "Validation Failed: 1: source is missing;";

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>
    /// Parses <paramref name="body"/>, appends one record per accepted document to
    /// <paramref name="batch"/> and one <see cref="BulkItem"/> per action line to <paramref name="items"/>.
    /// </summary>
    /// <param name="defaultIndex">The <c>{index}</c> of <c>/{index}/_bulk</c>, or empty.</param>
    /// <param name="tenant">The tenant of the request's credentials, stored as given (may be empty).</param>
    /// <exception cref="RequestRejectedException">The request as a whole is malformed; nothing of it may be stored.</exception>
    public static void Parse(ReadOnlySpan<byte> body, ReadOnlySpan<byte> defaultIndex, long receivedNs,
        ReadOnlySpan<byte> tenant, RecordBatch batch, BulkItemList items)
    {
        if (body.IndexOfAnyExcept(" \t\r\n"u8) < 0) ThrowNoRequests();
        // Elasticsearch frames on '\n' and refuses a last line without one.
        if (body[^1] != (byte)'\n') ThrowNotTerminated();

        var scratch = new Scratch();
        try
        {
            var lines = new LineFramer(body);
            while (lines.MoveNext())
            {
                var line = lines.Current;
                var meta = ReadActionLine(line, lines.LineNumber, ref scratch);
                items.ActionLineWarnings |= meta.Warning;
                switch (meta.Action)
                {
                    case BulkAction.Update:
                        // The partial document (or script) of an update follows; an append-only store has nothing to apply it to.
                        lines.MoveNext();
                        AddFailure(items, meta, line, ref scratch, defaultIndex, ValidationException, UpdateNotSupported);
                        break;
                    case BulkAction.Delete:
                        AddFailure(items, meta, line, ref scratch, defaultIndex, ValidationException, DeleteNotSupported);
                        break;
                    default:
                        bool hasDocument = lines.MoveNext();
                        IndexDocument(meta, line, hasDocument ? lines.Current : default, hasDocument, defaultIndex,
                            receivedNs, tenant, batch, items, ref scratch);
                        break;
                }
            }
        }
        finally
        {
            scratch.Dispose();
        }
    }

    // ---- action/metadata line ----

    /// <summary>What an action line says; index and id point into the line or the scratch.</summary>
    private struct ActionLine
    {
        public BulkAction Action;
        public JsonValue Index, Id;
        public bool HasIndex, HasId;
        public ActionLineWarnings Warning;  // what the line had besides its action object (accepted, as Elasticsearch 8.x does)
    }

    private static ActionLine ReadActionLine(ReadOnlySpan<byte> line, int lineNumber, ref Scratch scratch)
    {
        // JSON text is UTF-8 (RFC 8259 §8.1); Utf8JsonReader does not check the bytes inside strings.
        if (!Utf8.IsValid(line)) ThrowMalformedJson(lineNumber, "invalid UTF-8");
        var result = new ActionLine();
        var reader = new Utf8JsonReader(line, ReaderOptions);
        try
        {
            reader.Read(); // the line is not blank: a token or an exception
            if (reader.TokenType != JsonTokenType.StartObject) ThrowMalformed(lineNumber, "expected START_OBJECT but found", reader.TokenType);
            reader.Read();
            if (reader.TokenType != JsonTokenType.PropertyName) ThrowMalformed(lineNumber, "expected FIELD_NAME but found", reader.TokenType);
            result.Action = IdentifyAction(ref reader, lineNumber);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject) ThrowMalformed(lineNumber, "expected START_OBJECT or END_OBJECT but found", reader.TokenType);

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int field = JsonStrings.Identify<MetadataNames>(ref reader);
                reader.Read();
                if (field == 0 || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number))
                {
                    // routing, pipeline, require_alias, version, dynamic_templates …: nothing to do for an append-only store.
                    reader.Skip();
                    continue;
                }
                if (field == MetaIndex)
                {
                    result.Index = CaptureMeta(ref reader, lineNumber, "_index", Scratch.IndexTemp, ref scratch);
                    result.HasIndex = true;
                }
                else
                {
                    result.Id = CaptureMeta(ref reader, lineNumber, "_id", Scratch.IdTemp, ref scratch);
                    result.HasId = true;
                }
            }
        }
        catch (JsonException e)
        {
            ThrowMalformedJson(lineNumber, ReaderMessage(e));
        }
        // Elasticsearch 8.x stops reading the line after the metadata object: further keys, trailing data
        // and even a missing closing brace are ignored with a deprecation warning (BulkRequestParser's
        // "checkBulkActionIsProperlyClosed"; 9.0 refuses them). Clients rely on it, e.g. winston-elasticsearch
        // sends {"index":{…},"attempts":0}.
        // Looked at without letting the reader throw, so the common cases cost no exception.
        if (IsBlank(line[(int)reader.BytesConsumed..]))
        {
            result.Warning = ActionLineWarnings.Unclosed;
            return result;
        }
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.EndObject) result.Warning = ActionLineWarnings.MultipleKeys;
            else if (!IsBlank(line[(int)reader.BytesConsumed..])) result.Warning = ActionLineWarnings.TrailingData;
        }
        catch (JsonException)
        {
            result.Warning = ActionLineWarnings.MultipleKeys; // e.g. {"index":{…}, garbage
        }
        return result;
    }

    private static bool IsBlank(ReadOnlySpan<byte> text) => text.IndexOfAnyExcept(" \t\r\n"u8) < 0;

    private static BulkAction IdentifyAction(ref Utf8JsonReader reader, int lineNumber)
    {
        Span<byte> name = stackalloc byte[64];
        scoped ReadOnlySpan<byte> text = reader.ValueSpan;
        if (reader.ValueIsEscaped)
        {
            int length = 0;
            if (text.Length > name.Length || !JsonStrings.TryCopyString(ref reader, name, out length)) ThrowUnknownAction(ref reader, lineNumber);
            text = name[..length];
        }
        if (text.SequenceEqual("index"u8)) return BulkAction.Index;
        if (text.SequenceEqual("create"u8)) return BulkAction.Create;
        if (text.SequenceEqual("update"u8)) return BulkAction.Update;
        if (text.SequenceEqual("delete"u8)) return BulkAction.Delete;
        ThrowUnknownAction(ref reader, lineNumber);
        return default;
    }

    private const int MetaIndex = 1, MetaId = 2;

    private readonly struct MetadataNames : IJsonNameTable
    {
        public static int Match(ReadOnlySpan<byte> name)
        {
            if (name.SequenceEqual("_index"u8)) return MetaIndex;
            if (name.SequenceEqual("_id"u8)) return MetaId;
            return 0;
        }
    }

    /// <summary>A metadata string (or number, whose text Elasticsearch takes as is), unescaped into the scratch only when escaped.</summary>
    private static JsonValue CaptureMeta(ref Utf8JsonReader reader, int lineNumber, string field, int tempSlot, ref Scratch scratch)
    {
        var raw = reader.ValueSpan;
        int rawStart = (int)reader.TokenStartIndex + (reader.TokenType == JsonTokenType.String ? 1 : 0);
        if (!reader.ValueIsEscaped) return new JsonValue(rawStart, raw.Length, inScratch: false);
        // Any value longer than the limits is refused later anyway; keep the first 6 × limit raw bytes' worth.
        int limit = tempSlot == Scratch.IndexTemp ? Scratch.IndexTempSize : Scratch.IdTempSize;
        if (raw.Length > limit) return new JsonValue(rawStart, raw.Length, inScratch: false, tooLong: true);
        if (!JsonStrings.TryCopyString(ref reader, scratch.Array.AsSpan(tempSlot, limit), out int length))
            ThrowMalformedJson(lineNumber, $"invalid escape in [{field}]");
        return new JsonValue(tempSlot, length, inScratch: true);
    }

    // ---- index and create ----

    private static void IndexDocument(in ActionLine meta, ReadOnlySpan<byte> actionLine, ReadOnlySpan<byte> document, bool hasDocument,
        ReadOnlySpan<byte> defaultIndex, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch, BulkItemList items, ref Scratch scratch)
    {
        // Metadata first, as Elasticsearch validates the request before parsing the source.
        if (!TryResolveIndex(meta, actionLine, ref scratch, defaultIndex, items, out int indexStart, out int indexLength, out string? indexError))
        {
            AddFailure(items, meta, actionLine, ref scratch, defaultIndex, indexError == IndexMissing ? ValidationException : InvalidIndexNameException, indexError);
            return;
        }
        if (meta.HasId && (meta.Id.TooLong || meta.Id.Length > MaxIdLength))
        {
            AddFailure(items, meta, actionLine, ref scratch, defaultIndex, ValidationException,
                $"Validation Failed: 1: id [{Shorten(meta.Id.Span(actionLine, scratch.Array))}] is too long, must be no longer than 512 bytes but was: {meta.Id.Length};");
            return;
        }
        if (!hasDocument)
        {
            AddFailure(items, meta, actionLine, ref scratch, defaultIndex, ValidationException, SourceMissing);
            return;
        }
        if (!TryReadDocument(document, receivedNs, ref scratch, out var envelope, out string? documentError))
        {
            AddFailure(items, meta, actionLine, ref scratch, defaultIndex, DocumentParsingException, documentError);
            return;
        }

        int idStart, idLength;
        if (meta.HasId)
        {
            idStart = items.AddText(meta.Id.Span(actionLine, scratch.Array));
            idLength = meta.Id.Length;
        }
        else
        {
            // Elasticsearch answers auto-generated ids as 20 base64url characters.
            Span<byte> random = stackalloc byte[15];
            RandomNumberGenerator.Fill(random);
            var id = items.ReserveText(GeneratedIdLength, out idStart);
            Base64Url.EncodeToUtf8(random, id);
            idLength = GeneratedIdLength;
        }

        // Levels are compared lower-case (read --level); non-ASCII ones are kept as sent.
        Span<byte> lower = stackalloc byte[MaxLevelLength];
        scoped ReadOnlySpan<byte> level = envelope.Level.Span(document, scratch.Array);
        if (Ascii.ToLower(level, lower, out int lowered) == OperationStatus.Done) level = lower[..lowered];

        batch.Append(receivedNs, envelope.EventNs, Dialect.Elastic, RecordKind.Log, tenant, level,
            items.Text(indexStart, indexLength), envelope.Timestamp.Span(document, scratch.Array), document);
        items.Add(new BulkItem(meta.Action, 201, null, null, indexStart, indexLength, idStart, idLength));
    }

    /// <summary>Puts the item's index name in the arena (sharing the previous item's copy when equal) and checks it.</summary>
    private static bool TryResolveIndex(in ActionLine meta, ReadOnlySpan<byte> actionLine, ref Scratch scratch, ReadOnlySpan<byte> defaultIndex,
        BulkItemList items, out int start, out int length, [NotNullWhen(false)] out string? error)
    {
        start = -1;
        length = 0;
        error = null;
        if (meta.HasIndex && meta.Index.TooLong)
        {
            error = "Invalid index name, index name is too long";
            return false;
        }
        scoped ReadOnlySpan<byte> index = meta.HasIndex ? meta.Index.Span(actionLine, scratch.Array) : defaultIndex;
        if (index.IsEmpty)
        {
            error = IndexMissing;
            return false;
        }
        error = CheckIndexName(index);
        if (error is not null) return false;

        length = index.Length;
        if (items.Count > 0)
        {
            ref readonly var previous = ref items[items.Count - 1];
            if (previous.HasIndex && items.Text(previous.IndexStart, previous.IndexLength).SequenceEqual(index))
            {
                start = previous.IndexStart;
                return true;
            }
        }
        start = items.AddText(index);
        return true;
    }

    /// <summary>True when <paramref name="index"/> is a name Elasticsearch would accept for an index.</summary>
    public static bool IsValidIndexName(ReadOnlySpan<byte> index) => !index.IsEmpty && CheckIndexName(index) is null;

    /// <summary>The index-name rules Elasticsearch enforces that matter here (lower case, length, no path characters); null when valid.</summary>
    private static string? CheckIndexName(ReadOnlySpan<byte> index)
    {
        if (index.Length > MaxIndexLength) return $"Invalid index name [{Shorten(index)}], index name is too long, ({index.Length} > {MaxIndexLength})";
        if (index.ContainsAnyInRange((byte)'A', (byte)'Z')) return $"Invalid index name [{Shorten(index)}], must be lowercase";
        if (index.IndexOfAny("\\/*?\"<>| ,#:"u8) >= 0) return $"Invalid index name [{Shorten(index)}], must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?, #, :]";
        if (index[0] is (byte)'-' or (byte)'_' or (byte)'+') return $"Invalid index name [{Shorten(index)}], must not start with '_', '-', or '+'";
        if (index.SequenceEqual("."u8) || index.SequenceEqual(".."u8)) return $"Invalid index name [{Shorten(index)}], must not be '.' or '..'";
        return null;
    }

    // ---- the document line ----

    private struct Envelope
    {
        public long EventNs;
        public JsonValue Level, Timestamp;
    }

    // Candidates, in order of preference: time from @timestamp, timestamp, then pino's time;
    // level from ECS's log.level (dotted or nested), level, then severity.
    private const int FieldTimestamp = 1, FieldTimestampFallback = 2, FieldTime = 3,
        FieldLogLevel = 4, FieldLevel = 5, FieldSeverity = 6, FieldLog = 7;

    /// <summary>Reads the envelope of one document line; false with a reason when the line is not one JSON object.</summary>
    private static bool TryReadDocument(ReadOnlySpan<byte> document, long receivedNs, ref Scratch scratch,
        out Envelope envelope, [NotNullWhen(false)] out string? error)
    {
        envelope = new Envelope { EventNs = receivedNs };
        error = null;
        if (!Utf8.IsValid(document))
        {
            error = "[1:1] failed to parse: Invalid UTF-8 in document";
            return false;
        }
        int timestampRank = int.MaxValue, levelRank = int.MaxValue;
        var reader = new Utf8JsonReader(document, ReaderOptions);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                error = "[1:1] failed to parse: Malformed content, must start with an object";
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int field = JsonStrings.Identify<DocumentNames>(ref reader);
                reader.Read();
                switch (field)
                {
                    case FieldTimestamp or FieldTimestampFallback or FieldTime:
                        int rank = field - FieldTimestamp;
                        if (rank < timestampRank && TryTimestamp(ref reader, ref scratch, out var text, out long eventNs))
                        {
                            timestampRank = rank;
                            envelope.Timestamp = text;
                            envelope.EventNs = eventNs;
                        }
                        else
                        {
                            reader.Skip();
                        }
                        break;
                    case FieldLogLevel or FieldLevel or FieldSeverity:
                        rank = field - FieldLogLevel;
                        if (rank < levelRank && TryLevel(ref reader, field == FieldSeverity ? LevelScale.Syslog : LevelScale.SyslogOrPino, ref scratch, out var level))
                        {
                            levelRank = rank;
                            envelope.Level = level;
                        }
                        else
                        {
                            reader.Skip();
                        }
                        break;
                    case FieldLog when reader.TokenType == JsonTokenType.StartObject:
                        // ECS nests the level: {"log":{"level":"info"}}
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            bool isLevel = IsName(ref reader, "level"u8);
                            reader.Read();
                            if (isLevel && levelRank > 0 && TryLevel(ref reader, LevelScale.SyslogOrPino, ref scratch, out var nested))
                            {
                                levelRank = 0;
                                envelope.Level = nested;
                            }
                            else
                            {
                                reader.Skip();
                            }
                        }
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
            // The object is closed; Read throws on anything but whitespace after it.
            if (reader.Read())
            {
                error = $"[1:{reader.TokenStartIndex + 1}] failed to parse: unexpected data after the document";
                return false;
            }
            return true;
        }
        catch (JsonException e)
        {
            error = $"[1:{(e.BytePositionInLine ?? reader.BytesConsumed) + 1}] failed to parse: {ReaderMessage(e)}";
            return false;
        }
    }

    private readonly struct DocumentNames : IJsonNameTable
    {
        public static int Match(ReadOnlySpan<byte> name) => name.Length switch
        {
            3 when name.SequenceEqual("log"u8) => FieldLog,
            4 when name.SequenceEqual("time"u8) => FieldTime,
            5 when name.SequenceEqual("level"u8) => FieldLevel,
            8 when name.SequenceEqual("severity"u8) => FieldSeverity,
            9 when name.SequenceEqual("log.level"u8) => FieldLogLevel,
            9 when name.SequenceEqual("timestamp"u8) => FieldTimestampFallback,
            10 when name.SequenceEqual("@timestamp"u8) => FieldTimestamp,
            _ => 0,
        };
    }

    private static bool IsName(ref Utf8JsonReader reader, ReadOnlySpan<byte> expected)
    {
        if (!reader.ValueIsEscaped) return reader.ValueSpan.SequenceEqual(expected);
        return reader.ValueTextEquals(expected);
    }

    /// <summary>
    /// A date as Elasticsearch's default date mapping reads it (<c>strict_date_optional_time||epoch_millis</c>),
    /// except that epoch numbers, and strings of them, are read in the unit their magnitude implies
    /// (<see cref="EpochTime"/>), so pino's <c>time</c> (milliseconds) and seconds both land right.
    /// A value that is none of these is left in the document and the receive time is used.
    /// </summary>
    private static bool TryTimestamp(ref Utf8JsonReader reader, ref Scratch scratch, out JsonValue text, out long eventNs)
    {
        text = default;
        eventNs = 0;
        var raw = reader.ValueSpan;
        if (reader.TokenType == JsonTokenType.Number)
        {
            text = new JsonValue((int)reader.TokenStartIndex, raw.Length, inScratch: false);
            return raw.Length <= MaxTimestampLength && EpochTime.TryParse(raw, out eventNs);
        }
        if (reader.TokenType != JsonTokenType.String) return false;

        if (!scratch.Fields.TryCapture(ref reader, MaxTimestampLength, Scratch.TimestampSlot, out text)) return false;
        scoped ReadOnlySpan<byte> value = reader.ValueIsEscaped ? scratch.Array.AsSpan(Scratch.TimestampSlot, text.Length) : raw;
        return TimestampParser.TryParse(value, out eventNs) || EpochTime.TryParse(value, out eventNs);
    }

    /// <summary>A level string as sent, or a number named on <paramref name="scale"/> (<see cref="LevelNumbers"/>).</summary>
    private static bool TryLevel(ref Utf8JsonReader reader, LevelScale scale, ref Scratch scratch, out JsonValue level)
    {
        level = default;
        return reader.TokenType switch
        {
            JsonTokenType.String => scratch.Fields.TryCapture(ref reader, MaxLevelLength, Scratch.LevelSlot, out level),
            JsonTokenType.Number => LevelNumbers.TryCapture(ref reader, scale, ref scratch.Fields, Scratch.LevelSlot, MaxLevelLength, out level),
            _ => false,
        };
    }

    // ---- failed items ----

    private static void AddFailure(BulkItemList items, in ActionLine meta, ReadOnlySpan<byte> actionLine, ref Scratch scratch,
        ReadOnlySpan<byte> defaultIndex, string type, string reason)
    {
        // The response names the item's index and id as far as they are usable.
        int indexStart = -1, indexLength = 0, idStart = -1, idLength = 0;
        scoped ReadOnlySpan<byte> index = meta.HasIndex && !meta.Index.TooLong ? meta.Index.Span(actionLine, scratch.Array) : defaultIndex;
        if (!index.IsEmpty && index.Length <= MaxIndexLength)
        {
            indexStart = items.AddText(index);
            indexLength = index.Length;
        }
        if (meta.HasId && !meta.Id.TooLong && meta.Id.Length <= MaxIdLength)
        {
            idStart = items.AddText(meta.Id.Span(actionLine, scratch.Array));
            idLength = meta.Id.Length;
        }
        items.Add(new BulkItem(meta.Action, 400, type, reason, indexStart, indexLength, idStart, idLength));
    }

    // ---- helpers ----

    /// <summary>One pooled array, rented on first need, for unescaping metadata and envelope values.</summary>
    private struct Scratch : IDisposable
    {
        // Layout: [index temp: 6 × 256][id temp: 6 × 512][document temp: 6 × 64][level: 64][timestamp: 64]
        // The metadata temps must survive the document line: a failed item still reports its index and id.
        public const int IndexTempSize = 6 * 256, IdTempSize = 6 * MaxIdLength, DocTempSize = 6 * MaxLevelLength;
        public const int IndexTemp = 0, IdTemp = IndexTempSize, DocTemp = IdTemp + IdTempSize;
        public const int LevelSlot = DocTemp + DocTempSize, TimestampSlot = LevelSlot + MaxLevelLength;
        private const int Size = TimestampSlot + MaxTimestampLength;

        public JsonScratch Fields = new(Size, DocTemp, DocTempSize);

        public Scratch() { }

        public byte[] Array => Fields.Array;

        public void Dispose() => Fields.Dispose();
    }

    // ---- cold path ----

    private static string Shorten(ReadOnlySpan<byte> text)
        => System.Text.Encoding.UTF8.GetString(text.Length > 64 ? text[..64] : text) + (text.Length > 64 ? "…" : "");

    private static string TokenName(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "START_OBJECT",
        JsonTokenType.EndObject => "END_OBJECT",
        JsonTokenType.StartArray => "START_ARRAY",
        JsonTokenType.EndArray => "END_ARRAY",
        JsonTokenType.PropertyName => "FIELD_NAME",
        JsonTokenType.String => "VALUE_STRING",
        JsonTokenType.Number => "VALUE_NUMBER",
        JsonTokenType.True or JsonTokenType.False => "VALUE_BOOLEAN",
        JsonTokenType.Null => "VALUE_NULL",
        _ => "null",
    };

    private static string ReaderMessage(JsonException e) => JsonErrors.ReaderMessage(e);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNoRequests()
        => throw new RequestRejectedException(RejectReason.InvalidEvent, "Validation Failed: 1: no requests added;");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotTerminated()
        => throw new RequestRejectedException(RejectReason.InvalidEvent, "The bulk request must be terminated by a newline [\\n]");

    // Elasticsearch: illegal_argument_exception "Malformed action/metadata line [N], expected X but found [Y]".
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowMalformed(int lineNumber, string expected, JsonTokenType found)
        => throw new RequestRejectedException(RejectReason.InvalidEvent,
            $"Malformed action/metadata line [{lineNumber}], {expected} [{TokenName(found)}]");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowUnknownAction(ref Utf8JsonReader reader, int lineNumber)
    {
        string name = reader.ValueIsEscaped ? "?" : System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
        throw new RequestRejectedException(RejectReason.InvalidEvent,
            $"Malformed action/metadata line [{lineNumber}], expected field [create], [delete], [index] or [update] but found [{name}]");
    }

    // Elasticsearch: x_content_parse_exception for action lines that are not JSON.
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowMalformedJson(int lineNumber, string detail)
        => throw new RequestRejectedException(RejectReason.InvalidJson,
            $"Malformed action/metadata line [{lineNumber}]: {detail}");
}
