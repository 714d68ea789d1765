using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Dialects.Levels;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Framing;
using Ingestd.Parsing.Records;
using Ingestd.Parsing.Time;

namespace Ingestd.Parsing.Dialects.Guardian;

/// <summary>
/// The Guardian <c>POST /api/ingest</c> body (seed 002) in any of its formats: JSON (an object, an
/// array of objects, or pino-http-send's <c>{"logs":[…]}</c> batch), NDJSON/JSONL, plain text (one event per line) or octet-stream (detected).
/// Guardian accepts any log, so the envelope (time, level, service) is read when present and
/// usable and otherwise left to defaults; only the framing itself can be refused. All-or-nothing:
/// any error throws and the caller drops the batch. Allocates nothing on success.
/// </summary>
internal static class GuardianParser
{
    public const int MaxLevelLength = 64;        // after unescaping; longer values are ignored
    public const int MaxServiceLength = 1024;    // after unescaping; longer values are ignored
    public const int MaxTimestampLength = 64;    // after unescaping; longer never parses
    // A JSON escape is at most 6 bytes per output byte, so raw text over 6 × limit can never fit.
    private const int MaxRawTimestampLength = 6 * MaxTimestampLength;

    private const int TempSize = 6 * MaxServiceLength;

    // Envelope candidates: kind in the high bits, rank (0 = preferred) in the low two bits.
    private const int KindTimestamp = 1 << 2, KindLevel = 2 << 2, KindService = 3 << 2, KindMask = ~3;
    private const int NoCandidate = 4;

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Parses <paramref name="body"/> and appends its events to <paramref name="batch"/>. Returns the number of events.</summary>
    /// <param name="tenant">The tenant of the request's API key, stored as given (may be empty).</param>
    public static int Parse(ReadOnlySpan<byte> body, GuardianFormat format, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch)
    {
        // Events are stored verbatim, and Utf8JsonReader does not check the bytes inside strings: check once here.
        if (!Utf8.IsValid(body)) ThrowInvalidUtf8(body, format);
        var scratch = new Scratch();
        try
        {
            return format switch
            {
                GuardianFormat.Json => ParseJson(body, receivedNs, tenant, batch, ref scratch),
                GuardianFormat.Ndjson => ParseNdjson(body, receivedNs, tenant, batch, ref scratch),
                GuardianFormat.Text => ParseText(body, receivedNs, tenant, batch, ref scratch),
                _ => IsNdjson(body)
                    ? ParseNdjson(body, receivedNs, tenant, batch, ref scratch)
                    : ParseText(body, receivedNs, tenant, batch, ref scratch),
            };
        }
        finally
        {
            scratch.Dispose();
        }
    }

    // ---- JSON: one object, an array of objects, or {"logs":[objects]} ----

    private static int ParseJson(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch, ref Scratch scratch)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        try
        {
            Next(ref reader);
            int count;
            if (reader.TokenType == JsonTokenType.StartObject && IsLogsWrapper(reader))
            {
                count = AppendLogs(ref reader, body, receivedNs, tenant, batch, ref scratch);
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
            {
                AppendEvent(ref reader, body, receivedNs, tenant, batch, ref scratch);
                count = 1;
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                count = 0;
                while (Next(ref reader) != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject) FailElement(ref reader, count);
                    AppendEvent(ref reader, body, receivedNs, tenant, batch, ref scratch);
                    count++;
                }
            }
            else
            {
                FailRoot(ref reader);
                return 0;
            }
            // The root value is closed; Read throws on anything but whitespace after it.
            if (reader.Read()) FailRoot(ref reader);
            return count;
        }
        catch (JsonException e)
        {
            throw InvalidJsonAtByte(body, e, reader.BytesConsumed);
        }
    }

    /// <summary>
    /// pino-http-send's JSON body, <c>{"logs":[{…}, …]}</c>: an object whose only member is <c>logs</c>, an
    /// array of objects. Such a body is a batch of events, not one; any other object stays one event.
    /// Looks ahead on a copy of <paramref name="reader"/> (on the root StartObject), so the events are read once more after.
    /// </summary>
    private static bool IsLogsWrapper(Utf8JsonReader reader)
    {
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("logs"u8)) return false;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) return false;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject) return false;
                reader.Skip();
            }
            return reader.Read() && reader.TokenType == JsonTokenType.EndObject;
        }
        catch (JsonException)
        {
            return false; // the main pass reports it, at its place
        }
    }

    /// <summary>Appends each event of a <c>{"logs":[…]}</c> body (see <see cref="IsLogsWrapper"/>) and closes the object.</summary>
    private static int AppendLogs(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant,
        RecordBatch batch, ref Scratch scratch)
    {
        Next(ref reader); // "logs"
        Next(ref reader); // [
        int count = 0;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            AppendEvent(ref reader, body, receivedNs, tenant, batch, ref scratch);
            count++;
        }
        Next(ref reader); // }
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        // With the whole body as the final block, Read only returns false after a complete root value.
        if (!reader.Read()) FailRoot(ref reader);
        return reader.TokenType;
    }

    // ---- NDJSON: one object per non-blank line ----

    private static int ParseNdjson(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch, ref Scratch scratch)
    {
        int count = 0;
        var lines = new LineFramer(body);
        while (lines.MoveNext())
        {
            var line = lines.Current;
            var reader = new Utf8JsonReader(line, ReaderOptions);
            try
            {
                // The line is not blank, so Read either finds a token or throws.
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject) FailLine(ref reader, lines.LineNumber);
                AppendEvent(ref reader, line, receivedNs, tenant, batch, ref scratch);
                if (reader.Read()) FailLine(ref reader, lines.LineNumber); // Read throws on a second value
            }
            catch (JsonException e)
            {
                throw new RequestRejectedException(RejectReason.InvalidJson, $"Invalid JSON at line {lines.LineNumber}: {ReaderMessage(e)}");
            }
            count++;
        }
        return count;
    }

    /// <summary>Octet-stream detection: NDJSON when every non-blank line starts with '{' and is one JSON object.</summary>
    private static bool IsNdjson(ReadOnlySpan<byte> body)
    {
        // Cheap look at the first byte of every line before reading any of them as JSON.
        foreach (var line in new LineFramer(body))
        {
            if (line[line.IndexOfAnyExcept(" \t"u8)] != (byte)'{') return false;
        }
        foreach (var line in new LineFramer(body))
        {
            if (!IsOneObject(line)) return false;
        }
        return true;
    }

    private static bool IsOneObject(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line, ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            reader.Skip();
            return !reader.Read(); // Read throws on a second value
        }
        catch (JsonException)
        {
            return false; // cold: the body is text after all
        }
    }

    // ---- the envelope of one JSON event ----

    /// <summary>
    /// Reads the event object the reader is on (its StartObject), picks the envelope fields and
    /// appends the record. <paramref name="source"/> is the span the reader reads.
    /// </summary>
    private static void AppendEvent(ref Utf8JsonReader reader, ReadOnlySpan<byte> source, long receivedNs,
        ReadOnlySpan<byte> tenant, RecordBatch batch, ref Scratch scratch)
    {
        int start = (int)reader.TokenStartIndex;
        int timestampRank = NoCandidate, levelRank = NoCandidate, serviceRank = NoCandidate;
        int timestampStart = 0, timestampLength = 0;
        long eventNs = receivedNs;
        JsonValue level = default, service = default;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int code = JsonStrings.Identify<Names>(ref reader);
            reader.Read();
            bool isNumber = reader.TokenType == JsonTokenType.Number;
            if (code == 0 || (reader.TokenType != JsonTokenType.String && !isNumber))
            {
                reader.Skip(); // other members, and envelope names with other values, only stay in the JSON
                continue;
            }
            int rank = code & 3;
            switch (code & KindMask)
            {
                case KindTimestamp:
                    if (rank < timestampRank && reader.ValueSpan.Length <= MaxRawTimestampLength)
                    {
                        timestampRank = rank;
                        timestampStart = (int)reader.TokenStartIndex + (isNumber ? 0 : 1);
                        timestampLength = reader.ValueSpan.Length;
                        // Guardian accepts any log: a timestamp it cannot read leaves the receive time, and the text is kept.
                        // A number is epoch time in the unit its magnitude implies (pino's and bunyan's time: milliseconds).
                        bool parsed = isNumber ? EpochTime.TryParse(reader.ValueSpan, out eventNs) : ParseTimestamp(ref reader, ref scratch, out eventNs);
                        if (!parsed) eventNs = receivedNs;
                    }
                    break;
                case KindLevel:
                    // A numeric level: pino's 10–60 or syslog's 0–7 under "level", syslog's under "severity".
                    if (rank < levelRank && (isNumber
                            ? LevelNumbers.TryCapture(ref reader, rank == 0 ? LevelScale.SyslogOrPino : LevelScale.Syslog, ref scratch.Fields, Scratch.LevelSlot, MaxLevelLength, out var l)
                            : scratch.Fields.TryCapture(ref reader, MaxLevelLength, Scratch.LevelSlot, out l)))
                    {
                        levelRank = rank;
                        level = l;
                    }
                    break;
                case KindService:
                    if (!isNumber && rank < serviceRank && scratch.Fields.TryCapture(ref reader, MaxServiceLength, Scratch.ServiceSlot, out var s))
                    {
                        serviceRank = rank;
                        service = s;
                    }
                    break;
            }
        }
        int end = (int)reader.TokenStartIndex + 1;

        // Levels are compared lower-case (read --level); non-ASCII ones are kept as sent.
        Span<byte> lower = stackalloc byte[MaxLevelLength];
        scoped ReadOnlySpan<byte> levelText = level.Span(source, scratch.Fields.Rented);
        if (Ascii.ToLower(levelText, lower, out int lowered) == OperationStatus.Done) levelText = lower[..lowered];

        batch.Append(receivedNs, eventNs, Dialect.Guardian, RecordKind.Log, tenant, levelText,
            service.Span(source, scratch.Fields.Rented), source.Slice(timestampStart, timestampLength), source[start..end]);
    }

    private static bool ParseTimestamp(ref Utf8JsonReader reader, ref Scratch scratch, out long eventNs)
    {
        eventNs = 0;
        var raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped) return raw.Length <= MaxTimestampLength && TimestampParser.TryParse(raw, out eventNs);
        var temp = scratch.Fields.Temp;
        return JsonStrings.TryCopyString(ref reader, temp, out int length)
            && length <= MaxTimestampLength && TimestampParser.TryParse(temp[..length], out eventNs);
    }

    private readonly struct Names : IJsonNameTable
    {
        public static int Match(ReadOnlySpan<byte> name) => name.Length switch
        {
            2 when name.SequenceEqual("ts"u8) => KindTimestamp | 3,
            3 when name.SequenceEqual("app"u8) => KindService | 2,
            4 when name.SequenceEqual("time"u8) => KindTimestamp | 2,
            5 when name.SequenceEqual("level"u8) => KindLevel | 0,
            6 when name.SequenceEqual("source"u8) => KindService | 1,
            7 when name.SequenceEqual("service"u8) => KindService | 0,
            8 when name.SequenceEqual("severity"u8) => KindLevel | 1,
            9 when name.SequenceEqual("timestamp"u8) => KindTimestamp | 0,
            10 when name.SequenceEqual("@timestamp"u8) => KindTimestamp | 1,
            _ => 0,
        };
    }
    // ---- plain text: one event per non-blank line ----

    private static int ParseText(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch, ref Scratch scratch)
    {
        int count = 0;
        var lines = new LineFramer(body);
        while (lines.MoveNext())
        {
            var line = lines.Current;
            int timestampLength = GuardianTextLine.TimestampPrefix(line, out long eventNs);
            if (timestampLength == 0) eventNs = receivedNs;
            var level = GuardianTextLine.Level(line[timestampLength..]);

            long jsonLength = GuardianTextLine.MessageJsonLength(line);
            if (jsonLength > int.MaxValue) ThrowLineTooLong(lines.LineNumber);
            var json = scratch.Json((int)jsonLength);
            int written = GuardianTextLine.WriteMessageJson(line, json);

            batch.Append(receivedNs, eventNs, Dialect.Guardian, RecordKind.Log, tenant, level,
                ReadOnlySpan<byte>.Empty, line[..timestampLength], json[..written]);
            count++;
        }
        return count;
    }

    // ---- scratch ----

    /// <summary>Pooled arrays rented on first need only: for unescaping envelope fields, and for text lines' JSON.</summary>
    private struct Scratch : IDisposable
    {
        // Layout of Array: [temp: 6 × 1024][level: 64][service: 1024]
        public const int LevelSlot = TempSize;
        public const int ServiceSlot = TempSize + MaxLevelLength;
        private const int Size = ServiceSlot + MaxServiceLength;

        public JsonScratch Fields = new(Size, 0, TempSize);
        private byte[]? _json;

        public Scratch() { }

        public Span<byte> Json(int length)
        {
            if (_json is null || _json.Length < length)
            {
                if (_json is not null) ArrayPool<byte>.Shared.Return(_json);
                _json = null; // not left pointing at a returned array if Rent throws
                _json = ArrayPool<byte>.Shared.Rent(Math.Max(length, 4096));
            }
            return _json.AsSpan(0, length);
        }

        public void Dispose()
        {
            Fields.Dispose();
            if (_json is not null) ArrayPool<byte>.Shared.Return(_json);
            _json = null;
        }
    }

    // ---- cold path ----

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailRoot(ref Utf8JsonReader reader)
    {
        // A syntax error anywhere outranks a content error: read to the end first so that it surfaces as invalid JSON.
        JsonErrors.ReadToEnd(ref reader);
        throw new RequestRejectedException(RejectReason.InvalidEvent, "Body must be a JSON object or an array of JSON objects");
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailElement(ref Utf8JsonReader reader, int index)
    {
        JsonErrors.ReadToEnd(ref reader);
        throw new RequestRejectedException(RejectReason.InvalidEvent, $"Invalid event at index {index}: must be a JSON object") { EventIndex = index };
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailLine(ref Utf8JsonReader reader, int line)
    {
        JsonErrors.ReadToEnd(ref reader);
        throw new RequestRejectedException(RejectReason.InvalidEvent, $"Line {line} must be a JSON object");
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLineTooLong(int line)
        => throw new RequestRejectedException(RejectReason.InvalidEvent, $"Line {line} is too long");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalidUtf8(ReadOnlySpan<byte> body, GuardianFormat format)
    {
        int at = JsonErrors.FirstInvalidUtf8(body);
        string detail = format switch
        {
            GuardianFormat.Json => $"Invalid JSON at byte {at}: invalid UTF-8",
            GuardianFormat.Ndjson => $"Invalid JSON at line {body[..at].Count((byte)'\n') + 1}: invalid UTF-8",
            _ => "Body is not valid UTF-8 text",
        };
        throw new RequestRejectedException(format is GuardianFormat.Json or GuardianFormat.Ndjson ? RejectReason.InvalidJson : RejectReason.InvalidEvent, detail);
    }

    private static RequestRejectedException InvalidJsonAtByte(ReadOnlySpan<byte> body, JsonException e, long bytesConsumed)
        => new(RejectReason.InvalidJson, $"Invalid JSON at byte {JsonErrors.ErrorOffset(body, e, bytesConsumed)}: {ReaderMessage(e)}");

    private static string ReaderMessage(JsonException e) => JsonErrors.ReaderMessage(e);
}
