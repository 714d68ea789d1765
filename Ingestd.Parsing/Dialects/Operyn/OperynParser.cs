using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Dialects.Levels;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;

namespace Ingestd.Parsing.Dialects.Operyn;

/// <summary>
/// The Operyn bodies (seed 003): <c>POST /events/logs</c> (one object), <c>/events/logs/batch</c>
/// (an array of them), <c>/events/metrics</c> and <c>/events/deployments</c>. The reference service
/// validates with Zod, so this parser mimics Zod's behaviour: strict types (null is not "absent"),
/// unknown members allowed (and kept, since each record stores the object's bytes as received),
/// the last of duplicate members wins (as after <c>JSON.parse</c>), and the first problem reported
/// is the first in schema order, as in Zod's issue list. One pass of <see cref="Utf8JsonReader"/>;
/// nothing is allocated on success. All-or-nothing: any problem throws and the caller drops the batch.
/// </summary>
internal static class OperynParser
{
    public const int MaxBatchSize = 10_000;
    public const int MaxServiceLength = 1024;  // bytes, after unescaping (before trimming)
    public const int MaxTimestampLength = 64;  // bytes, as sent

    private const string Root = "(root)";

    private enum Rule : byte
    {
        Service,        // required string, trimmed (envelope service), non-empty after trimming
        Level,          // required enum debug|info|warn|error|fatal (envelope level)
        String,
        NonEmptyString,
        Number,         // finite JSON number
        Timestamp,      // ISO 8601 string (envelope event time)
        Object,
        StringRecord,   // object whose values are all strings
    }

    private sealed class Schema(string noun, RecordKind kind, SchemaField<Rule>[] fields)
    {
        public readonly string Noun = noun;
        public readonly RecordKind Kind = kind;
        public readonly SchemaField<Rule>[] Fields = fields;
    }

    // Field order is the schema's order, which decides which problem is reported first.
    private static readonly Schema LogSchema = new("log", RecordKind.Log,
    [
        new("service", Rule.Service, true),
        new("level", Rule.Level, true),
        new("message", Rule.String, true),
        new("timestamp", Rule.Timestamp, false),
        new("traceId", Rule.String, false),
        new("spanId", Rule.String, false),
        new("metadata", Rule.Object, false),
    ]);

    private static readonly Schema MetricSchema = new("metric", RecordKind.Metric,
    [
        new("service", Rule.Service, true),
        new("name", Rule.NonEmptyString, true),
        new("value", Rule.Number, true),
        new("unit", Rule.String, true),
        new("timestamp", Rule.Timestamp, false),
        new("labels", Rule.StringRecord, false),
    ]);

    private static readonly Schema DeploymentSchema = new("deployment", RecordKind.Deployment,
    [
        new("service", Rule.Service, true),
        new("version", Rule.NonEmptyString, true),
        new("environment", Rule.NonEmptyString, true),
        new("gitHash", Rule.String, false),
        new("timestamp", Rule.Timestamp, false),
        new("metadata", Rule.Object, false),
    ]);

    private const string LevelChoices = "'debug' | 'info' | 'warn' | 'error' | 'fatal'";

    /// <summary><c>POST /events/logs</c>: one log object, appended as a <see cref="RecordKind.Log"/> record.</summary>
    public static void ParseLog(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch)
        => ParseSingle(body, receivedNs, tenant, batch, LogSchema);

    /// <summary><c>POST /events/metrics</c>: one metric object, appended as a <see cref="RecordKind.Metric"/> record.</summary>
    public static void ParseMetric(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch)
        => ParseSingle(body, receivedNs, tenant, batch, MetricSchema);

    /// <summary><c>POST /events/deployments</c>: one deployment object, appended as a <see cref="RecordKind.Deployment"/> record.</summary>
    public static void ParseDeployment(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch)
        => ParseSingle(body, receivedNs, tenant, batch, DeploymentSchema);

    /// <summary><c>POST /events/logs/batch</c>: an array of at most <see cref="MaxBatchSize"/> log objects. Returns how many were appended.</summary>
    public static int ParseLogBatch(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch)
    {
        var schema = LogSchema;
        if (!Utf8.IsValid(body)) ThrowInvalidUtf8(body, schema);
        var reader = NewReader(body);
        byte[]? scratch = null;
        try
        {
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.StartArray) Fail(ref reader, schema, -1, Root, Expected("array", reader.TokenType));
            int count = 0;
            while (Next(ref reader) != JsonTokenType.EndArray)
            {
                // Zod checks the array's length before its elements, so too many outranks a bad element.
                if (++count > MaxBatchSize) Fail(ref reader, schema, -1, Root, $"Array must contain at most {MaxBatchSize} element(s)");
                int index = count - 1;
                if (!TryParseEntry(ref reader, body, receivedNs, tenant, batch, schema, ref scratch, out string? path, out string? problem))
                {
                    string where = path is null ? $"[{index}]" : $"[{index}].{path}";
                    FailAfterCounting(ref reader, schema, count, index, where, problem!);
                }
            }
            reader.Read(); // refuses anything but whitespace after the root array
            return count;
        }
        catch (JsonException e)
        {
            throw InvalidJson(schema, e.Message);
        }
        catch (InvalidOperationException e)
        {
            // CopyString/GetString refuse escapes that decode to invalid UTF-16 (a lone surrogate such as "\uD800").
            throw InvalidJson(schema, e.Message);
        }
        finally
        {
            if (scratch != null) ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static void ParseSingle(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch, Schema schema)
    {
        // JSON text is UTF-8 (RFC 8259 §8.1) but Utf8JsonReader does not check the bytes inside
        // strings; the objects are stored verbatim, so check once here (vectorised, no allocation).
        if (!Utf8.IsValid(body)) ThrowInvalidUtf8(body, schema);
        var reader = NewReader(body);
        byte[]? scratch = null;
        try
        {
            Next(ref reader);
            if (!TryParseEntry(ref reader, body, receivedNs, tenant, batch, schema, ref scratch, out string? path, out string? problem))
                Fail(ref reader, schema, -1, path ?? Root, problem!);
            reader.Read(); // refuses anything but whitespace after the root object
        }
        catch (JsonException e)
        {
            throw InvalidJson(schema, e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw InvalidJson(schema, e.Message);
        }
        finally
        {
            if (scratch != null) ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Validates the value at the reader (positioned on its first token) against <paramref name="schema"/>
    /// and appends it when valid. On a problem returns false with the path below the entry (null: the entry itself).
    /// </summary>
    private static bool TryParseEntry(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, long receivedNs,
        ReadOnlySpan<byte> tenant, RecordBatch batch, Schema schema, ref byte[]? scratch,
        out string? path, out string? problem)
    {
        path = null;
        problem = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            problem = Expected("object", reader.TokenType);
            reader.Skip();
            return false;
        }

        int start = (int)reader.TokenStartIndex;
        var fields = schema.Fields;
        var stateArray = new SchemaFieldStates();
        Span<SchemaFieldState> states = stateArray;
        Span<byte> timestampScratch = stackalloc byte[MaxTimestampLength];

        JsonValue service = default;
        int level = -1;
        long eventNs = receivedNs;
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
            state = new SchemaFieldState { Seen = true };
            var token = reader.TokenType;
            switch (fields[f].Rule)
            {
                case Rule.Service:
                {
                    if (token != JsonTokenType.String) { state.Problem = Expected("string", token); break; }
                    if (!JsonStrings.TryCapture(ref reader, MaxServiceLength, ref scratch, out var value)) { state.Problem = TooLong(MaxServiceLength); break; }
                    var trimmed = TrimWhiteSpace(value.Span(body, scratch), out int leading);
                    if (trimmed.IsEmpty) { state.Problem = "String must not be empty"; break; }
                    service = value.Slice(leading, trimmed.Length);
                    break;
                }
                case Rule.Level:
                    if (token != JsonTokenType.String) { state.Problem = $"Expected {LevelChoices}, received {TypeName(token)}"; break; }
                    level = LogLevels.Match(ref reader);
                    if (level < 0) state.Problem = $"Invalid enum value. Expected {LevelChoices}, received '{reader.GetString()}'";
                    break;
                case Rule.String:
                    if (token != JsonTokenType.String) state.Problem = Expected("string", token);
                    break;
                case Rule.NonEmptyString:
                    if (token != JsonTokenType.String) state.Problem = Expected("string", token);
                    else if (reader.ValueSpan.IsEmpty) state.Problem = "String must not be empty";
                    break;
                case Rule.Number:
                    if (token != JsonTokenType.Number) state.Problem = Expected("number", token);
                    else if (!reader.TryGetDouble(out double d) || !double.IsFinite(d)) state.Problem = "Number must be finite";
                    break;
                case Rule.Timestamp:
                {
                    if (token != JsonTokenType.String) { state.Problem = Expected("string", token); break; }
                    if (!JsonStrings.TryParseTimestamp(ref reader, timestampScratch, out eventNs)) { state.Problem = "Invalid ISO 8601 timestamp"; break; }
                    timestampStart = (int)reader.TokenStartIndex + 1;
                    timestampLength = reader.ValueSpan.Length;
                    break;
                }
                case Rule.Object:
                    if (token != JsonTokenType.StartObject) state.Problem = Expected("object", token);
                    reader.Skip();
                    break;
                case Rule.StringRecord:
                    if (token != JsonTokenType.StartObject) { state.Problem = Expected("object", token); reader.Skip(); break; }
                    CheckStringRecord(ref reader, body, fields[f].Name, ref state);
                    break;
            }
        }
        int end = (int)reader.TokenStartIndex + 1;

        for (int f = 0; f < fields.Length; f++)
        {
            ref var state = ref states[f];
            if (!state.Seen && fields[f].Required) state.Problem = "Required";
            if (state.Problem != null)
            {
                path = state.Path ?? fields[f].Name;
                problem = state.Problem;
                return false;
            }
        }

        batch.Append(receivedNs, eventNs, Dialect.Operyn, schema.Kind, tenant, LogLevels.Name(level), service.Span(body, scratch),
            body.Slice(timestampStart, timestampLength), body[start..end]);
        return true;
    }

    /// <summary>Reads an object whose values must all be strings (Zod's <c>z.record(z.string())</c>); the first offender is recorded.</summary>
    private static void CheckStringRecord(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, string name, ref SchemaFieldState state)
    {
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            int keyStart = (int)reader.TokenStartIndex;
            int keyLength = reader.ValueSpan.Length + 2; // with its quotes
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.String && state.Problem is null)
            {
                state.Problem = Expected("string", reader.TokenType);
                state.Path = $"{name}.{DecodeString(body.Slice(keyStart, keyLength))}";
            }
            reader.Skip();
        }
    }

    /// <summary>
    /// Trims what JavaScript's <c>String.prototype.trim</c> (which Zod's <c>.trim()</c> uses) trims:
    /// ECMA-262 WhiteSpace and LineTerminator code points. The value is valid UTF-8 here.
    /// </summary>
    internal static ReadOnlySpan<byte> TrimWhiteSpace(ReadOnlySpan<byte> value, out int leading)
    {
        int start = 0, end = value.Length;
        while (start < end)
        {
            Rune.DecodeFromUtf8(value[start..end], out var rune, out int used);
            if (!IsJsWhiteSpace(rune)) break;
            start += used;
        }
        while (end > start)
        {
            Rune.DecodeLastFromUtf8(value[start..end], out var rune, out int used);
            if (!IsJsWhiteSpace(rune)) break;
            end -= used;
        }
        leading = start;
        return value[start..end];
    }

    private static bool IsJsWhiteSpace(Rune rune) => rune.Value switch
    {
        0x09 or 0x0A or 0x0B or 0x0C or 0x0D or 0x20 or 0xA0 or 0xFEFF or 0x2028 or 0x2029 => true,
        < 0x80 => false,
        _ => Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator,
    };

    private static Utf8JsonReader NewReader(ReadOnlySpan<byte> body)
        => new(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        // With the whole body as the final block, Read returns false only after a complete root
        // value, and callers never read past it; an empty body throws inside Read.
        if (!reader.Read()) ThrowUnexpectedEnd();
        return reader.TokenType;
    }

    // ---- cold path ----

    private static string TypeName(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "array",
        _ => "object",
    };

    private static string Expected(string type, JsonTokenType received) => $"Expected {type}, received {TypeName(received)}";

    private static string TooLong(int limit) => $"String must contain at most {limit} byte(s)";

    /// <summary>Decodes a quoted JSON string taken from the body (only for messages).</summary>
    private static string DecodeString(ReadOnlySpan<byte> quoted)
    {
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.GetString()!;
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void Fail(ref Utf8JsonReader reader, Schema schema, int index, string path, string problem)
    {
        JsonErrors.ReadToEnd(ref reader);
        throw new RequestRejectedException(RejectReason.InvalidEvent, $"Invalid {schema.Noun} event: {path}: {problem}")
        {
            Field = path,
            EventIndex = index,
        };
    }

    /// <summary>A bad element of a batch: the rest of the array is still counted, since an over-long array is reported first.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailAfterCounting(ref Utf8JsonReader reader, Schema schema, int count, int index, string path, string problem)
    {
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (++count > MaxBatchSize) Fail(ref reader, schema, -1, Root, $"Array must contain at most {MaxBatchSize} element(s)");
            reader.Skip();
        }
        Fail(ref reader, schema, index, path, problem);
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowUnexpectedEnd() => throw new JsonException("Unexpected end of JSON input.");

    private static RequestRejectedException InvalidJson(Schema schema, string readerMessage)
        => new(RejectReason.InvalidJson, $"Invalid {schema.Noun} event: {Root}: Invalid JSON: {readerMessage}") { Field = Root };

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalidUtf8(ReadOnlySpan<byte> body, Schema schema)
    {
        throw InvalidJson(schema, $"invalid UTF-8 at byte {JsonErrors.FirstInvalidUtf8(body)}");
    }
}
