using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Dialects.Levels;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Time;
using Ingestd.Parsing.Records;

namespace Ingestd.Parsing.Dialects.Gelf;

/// <summary>
/// A GELF HTTP body, as a Graylog GELF HTTP input takes it: one GELF 1.1 JSON object per request
/// (<c>version</c>, <c>host</c>, <c>short_message</c>, <c>full_message</c>, <c>timestamp</c> as
/// epoch seconds with an optional fraction, <c>level</c> as a syslog severity 0–7, extras prefixed
/// with <c>_</c>). The record keeps the object's bytes as received; level from <c>level</c>, service
/// from <c>_service</c>, event time from <c>timestamp</c> (else the receive time). Allocates nothing.
/// </summary>
internal static class GelfParser
{
    public const int MaxServiceLength = 1024; // _service after unescaping; longer values are not used
    private const int MaxTimestampLength = 64;

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    private const int FieldHost = 1, FieldShortMessage = 2, FieldTimestamp = 3, FieldLevel = 4, FieldService = 5, FieldId = 6;

    /// <summary>Parses the one message in <paramref name="body"/> and appends it to <paramref name="batch"/>.</summary>
    /// <exception cref="RequestRejectedException">InvalidJson for bad JSON, InvalidEvent for a message GELF does not allow.</exception>
    public static void Parse(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch)
    {
        var scratch = new JsonScratch(7 * MaxServiceLength, 0, 6 * MaxServiceLength);
        try
        {
            ParseMessage(body, receivedNs, tenant, batch, ref scratch);
        }
        catch (JsonException e)
        {
            Rejection.Throw(RejectReason.InvalidJson, "GELF: " + JsonErrors.ReaderMessage(e));
        }
        finally
        {
            scratch.Dispose();
        }
    }

    private static void ParseMessage(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch, ref JsonScratch scratch)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) Invalid("the body must be one GELF JSON object");
        int start = (int)reader.TokenStartIndex;
        bool hasHost = false, hasMessage = false, hasService = false;
        long eventNs = receivedNs;
        ReadOnlySpan<byte> level = default, timeText = default;
        JsonValue service = default;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int field = JsonStrings.Identify<Names>(ref reader);
            reader.Read();
            switch (field)
            {
                case FieldHost:
                    hasHost = reader.TokenType == JsonTokenType.String && !reader.ValueSpan.IsEmpty;
                    if (!hasHost) Invalid("host must be a non-empty string");
                    break;
                case FieldShortMessage:
                    hasMessage = reader.TokenType == JsonTokenType.String && !reader.ValueSpan.IsEmpty;
                    if (!hasMessage) Invalid("short_message must be a non-empty string");
                    break;
                case FieldTimestamp:
                    var raw = reader.ValueSpan;
                    if (reader.TokenType != JsonTokenType.Number || raw.Length > MaxTimestampLength || !EpochTime.TryParse(raw, out eventNs))
                        Invalid("timestamp must be epoch seconds as a number, e.g. 1385053862.3072");
                    timeText = body.Slice((int)reader.TokenStartIndex, raw.Length);
                    break;
                case FieldLevel:
                    if (reader.TokenType != JsonTokenType.Number || !Utf8Parser.TryParse(reader.ValueSpan, out int severity, out int used)
                        || used != reader.ValueSpan.Length || (level = SyslogSeverity.LevelName(severity)).IsEmpty)
                        Invalid("level must be a syslog severity, a number from 0 to 7");
                    break;
                case FieldService:
                    // Extras are strings or numbers (GELF 1.1); a _service that is neither, or too long, is kept but not used.
                    if (reader.TokenType == JsonTokenType.String) hasService = scratch.TryCapture(ref reader, MaxServiceLength, 6 * MaxServiceLength, out service);
                    else reader.Skip();
                    break;
                case FieldId:
                    Invalid("_id is not allowed as an additional field (GELF 1.1)");
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        int end = (int)reader.TokenStartIndex + 1;
        // Exactly one message per request: only whitespace may follow it.
        if (body[end..].IndexOfAnyExcept(" \t\r\n"u8) >= 0) Invalid("one GELF message per request: bytes follow the JSON object");
        if (!hasHost) Invalid("host is required");
        if (!hasMessage) Invalid("short_message is required");
        var json = body[start..end];
        // Stored verbatim, and Utf8JsonReader does not check the bytes inside strings.
        if (!Utf8.IsValid(json)) Rejection.Throw(RejectReason.InvalidJson, "GELF: invalid UTF-8");

        scoped ReadOnlySpan<byte> serviceText = hasService ? service.Span(body, scratch.Rented) : default;
        batch.Append(receivedNs, eventNs, Dialect.Gelf, RecordKind.Log, tenant, level, serviceText, timeText, json);
    }

    private static void Invalid(string detail) => Rejection.Throw(RejectReason.InvalidEvent, "GELF: " + detail);

    private readonly struct Names : IJsonNameTable
    {
        public static int Match(ReadOnlySpan<byte> name) => name.Length switch
        {
            3 when name.SequenceEqual("_id"u8) => FieldId,
            4 when name.SequenceEqual("host"u8) => FieldHost,
            5 when name.SequenceEqual("level"u8) => FieldLevel,
            8 when name.SequenceEqual("_service"u8) => FieldService,
            9 when name.SequenceEqual("timestamp"u8) => FieldTimestamp,
            13 when name.SequenceEqual("short_message"u8) => FieldShortMessage,
            _ => 0,
        };
    }
}
