using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingestd.Parsing.Records;

namespace Ingestd.Query;

/// <summary>
/// Writes a page of records into a buffer in one of the <see cref="AnswerFormat"/>s, each record through the one
/// <see cref="RecordJsonWriter"/>, and reports the page full once it holds <c>maxBytes</c>.
/// </summary>
internal sealed class RecordAnswer : IRecordSink, IDisposable
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private readonly IBufferWriter<byte> _output;
    private readonly AnswerFormat _format;
    private readonly long _maxBytes;
    private readonly Utf8JsonWriter _json;
    private readonly RecordJsonWriter _record = new();
    private long _ndjsonBytes;

    public RecordAnswer(IBufferWriter<byte> output, AnswerFormat format, long maxBytes)
    {
        _output = output;
        _format = format;
        _maxBytes = maxBytes;
        _json = new Utf8JsonWriter(output, Options);
        if (format == AnswerFormat.Json)
        {
            _json.WriteStartObject();
            _json.WriteStartArray("records"u8);
        }
        else if (format == AnswerFormat.AirEntries)
        {
            _json.WriteStartObject();
            _json.WriteStartObject("data"u8);
            _json.WriteStartArray("entries"u8);
        }
    }

    private long Written => _format == AnswerFormat.Ndjson ? _ndjsonBytes : _json.BytesCommitted + _json.BytesPending;

    public bool Add(long sequence, in RecordView view)
    {
        switch (_format)
        {
            case AnswerFormat.Ndjson:
                _json.WriteStartObject();
                _record.WriteMembers(_json, sequence, view);
                _json.WriteEndObject();
                _json.Flush();
                _ndjsonBytes += _json.BytesCommitted;
                _json.Reset();
                _output.Write("\n"u8);
                _ndjsonBytes++;
                break;
            case AnswerFormat.Json:
                _json.WriteStartObject();
                _record.WriteMembers(_json, sequence, view);
                _json.WriteEndObject();
                break;
            default:
                // The entry exactly as it was sent (or as a pipeline rewrote it).
                if (view.Json.IsEmpty) _json.WriteNullValue();
                else _json.WriteRawValue(view.Json, skipInputValidation: true);
                break;
        }
        return Written < _maxBytes;
    }

    /// <summary>Closes the document (JSON formats) with the cursor and the cap that cut the page short, if any.</summary>
    public void Finish(QueryOutcome outcome)
    {
        if (_format == AnswerFormat.Ndjson) return;
        _json.WriteEndArray();
        if (outcome.Next is { } next) _json.WriteString("next_cursor"u8, next.Encode());
        else _json.WriteNull("next_cursor"u8);
        if (outcome.Truncated is { } why) _json.WriteString("truncated"u8, why);
        if (_format == AnswerFormat.AirEntries) _json.WriteEndObject();
        _json.WriteEndObject();
        _json.Flush();
    }

    public void Dispose() => _json.Dispose();
}
