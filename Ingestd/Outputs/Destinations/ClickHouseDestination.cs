using System.Buffers;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ingestd.Config;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// <c>type = "clickhouse"</c>: one <c>INSERT INTO {table} FORMAT JSONEachRow</c> per batch over ClickHouse's HTTP
/// interface, one row per event in the documented schema (<see cref="CreateStatement"/>): the event id is the
/// <c>ReplacingMergeTree</c> key, so a redelivery after a crash collapses into one row on merge (or with
/// <c>FINAL</c>). ClickHouse takes or refuses an INSERT whole: 2xx acknowledges the batch; a refusal of the rows'
/// content is permanent (the runner halves the batch to find the row, then dead-letters it); anything else —
/// the server down, busy, out of memory, a missing table, a wrong password — is retried without losing a row.
/// </summary>
internal sealed class ClickHouseDestination : IDestination
{
    // The row's columns that are copied as written from the line the batch holds (strings, the number, the array).
    private static readonly byte[][] CopiedColumns =
        ["id"u8.ToArray(), "seq"u8.ToArray(), "tenant"u8.ToArray(), "stream"u8.ToArray(), "dialect"u8.ToArray(),
         "kind"u8.ToArray(), "level"u8.ToArray(), "service"u8.ToArray(), "routes"u8.ToArray()];

    // What must be escaped to put the event's JSON text inside a JSON string.
    private static readonly SearchValues<byte> NeedsEscape = SearchValues.Create(BuildNeedsEscape());

    // ClickHouse exception codes that speak of the rows sent, not of the server or the setup (Common/ErrorCodes.cpp).
    private static readonly int[] RowErrorCodes =
    [
        6,   // CANNOT_PARSE_TEXT
        25,  // CANNOT_PARSE_ESCAPE_SEQUENCE
        26,  // CANNOT_PARSE_QUOTED_STRING
        27,  // CANNOT_PARSE_INPUT_ASSERTION_FAILED
        38,  // CANNOT_PARSE_DATE
        41,  // CANNOT_PARSE_DATETIME
        53,  // TYPE_MISMATCH
        69,  // ARGUMENT_OUT_OF_BOUND
        70,  // CANNOT_CONVERT_TYPE
        72,  // CANNOT_PARSE_NUMBER
        117, // INCORRECT_DATA
        128, // TOO_LARGE_ARRAY_SIZE
        130, // CANNOT_READ_ARRAY_FROM_TEXT
        131, // TOO_LARGE_STRING_SIZE
        321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
        349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
        376, // CANNOT_PARSE_UUID
        441, // CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING
        467, // CANNOT_PARSE_BOOL
        469, // VIOLATED_CONSTRAINT
        691, // UNKNOWN_ELEMENT_OF_ENUM
    ];

    // Codes that may carry "(at row N)" because they struck while a row was read, but are the server's trouble.
    private static readonly int[] ServerErrorCodes =
    [
        23,  // CANNOT_READ_FROM_ISTREAM
        32,  // ATTEMPT_TO_READ_AFTER_EOF (a body cut short)
        33,  // CANNOT_READ_ALL_DATA
        173, // CANNOT_ALLOCATE_MEMORY
        241, // MEMORY_LIMIT_EXCEEDED
        243, // NOT_ENOUGH_SPACE
    ];

    private const int UnknownTable = 60;

    private static readonly MediaTypeHeaderValue TextType = new("text/plain") { CharSet = "utf-8" };

    private readonly HttpClient _client;
    private readonly Uri _insertUrl;
    private readonly Uri _queryUrl;
    private readonly string _table;
    private readonly bool _createTable;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _headers;
    private readonly RequestBody _insertBody;
    private readonly RequestBody _statementBody = new(gzip: false, TextType);
    private readonly ArrayBufferWriter<byte> _body = new(64 * 1024);
    private bool _tableReady;

    public ClickHouseDestination(OutputConfig config)
    {
        _table = config.Table;
        _createTable = config.CreateTable;
        _tableReady = !config.CreateTable;
        _insertBody = new RequestBody(config.Gzip, TextType);
        _headers = AuthHeaders(config).Concat(config.Headers).ToList();
        _queryUrl = new Uri(config.Url!);
        // Unknown members are skipped so that a table may leave out columns it does not want.
        _insertUrl = WithQuery(_queryUrl, "query=" + Uri.EscapeDataString($"INSERT INTO {_table} FORMAT JSONEachRow")
            + "&input_format_skip_unknown_fields=1");
        _client = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            Timeout = config.Timeout,
        };
    }

    /// <summary>The documented schema (README, Outputs): what <c>create_table = true</c> creates.</summary>
    internal static string CreateStatement(string table) =>
        $"CREATE TABLE IF NOT EXISTS {table} (id String, seq UInt64, time DateTime, time_ns Int64, tenant String, "
        + "dialect String, kind String, service String, level String, stream String, routes Array(String), event String) "
        + "ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(time) ORDER BY id";

    public DeliveryResult Send(OutputBatch batch, IReadOnlyList<int> items, CancellationToken ct)
    {
        if (!_tableReady)
        {
            var created = Post(_queryUrl, _statementBody.For(Encoding.UTF8.GetBytes(CreateStatement(_table))), ct, out _);
            if (created.Status != DeliveryStatus.Acknowledged) return DeliveryResult.Transient($"creating table {_table}: {created.Reason}");
            _tableReady = true;
        }
        _body.ResetWrittenCount();
        foreach (int i in items) WriteRow(batch, i);
        var result = Post(_insertUrl, _insertBody.For(_body.WrittenMemory), ct, out int code);
        // The table was dropped meanwhile: created again before the retry.
        if (code == UnknownTable && _createTable) _tableReady = false;
        return result;
    }

    private DeliveryResult Post(Uri url, HttpContent content, CancellationToken ct, out int code)
    {
        code = 0;
        using var request = new HttpRequestMessage(System.Net.Http.HttpMethod.Post, url) { Content = content };
        foreach (var (name, value) in _headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content.Headers.TryAddWithoutValidation(name, value);
        }
        try
        {
            using var response = _client.Send(request, HttpCompletionOption.ResponseContentRead, ct);
            int status = (int)response.StatusCode;
            if (status is >= 200 and < 300) return DeliveryResult.Acknowledged;
            byte[] answer = response.Content.ReadAsByteArrayAsync(ct).GetAwaiter().GetResult();
            string? header = response.Headers.TryGetValues("X-ClickHouse-Exception-Code", out var values) ? values.FirstOrDefault() : null;
            return ReadRefusal(status, header, Encoding.UTF8.GetString(answer, 0, Math.Min(answer.Length, 2048)), out code);
        }
        catch (Exception e) when (HttpDelivery.IsTransient(e, _client, ct, out var retry))
        {
            return retry;
        }
    }

    /// <summary>
    /// A non-2xx answer. ClickHouse 18.16 answers a row it cannot read with 400 or 500 alike (by exception), so the
    /// exception code (the <c>X-ClickHouse-Exception-Code</c> header of newer servers, else <c>Code: N</c> at the
    /// start of the body) and the "(at row N)" / "value of key" context it adds to row errors decide: the rows' fault
    /// is permanent, any other is retried (a missing table or a wrong password is the same for every row: dead-
    /// lettering would empty the output into the dead-letter file). Without a ClickHouse code (a proxy's answer),
    /// only 400 and 413 blame the batch.
    /// </summary>
    internal static DeliveryResult ReadRefusal(int status, string? codeHeader, string body, out int code)
    {
        string reason = $"ClickHouse HTTP {status}: {body.ReplaceLineEndings(" ").Trim()}";
        if (reason.Length > 600) reason = reason[..600] + "…";
        if (!int.TryParse(codeHeader, out code)) code = CodeInBody(body);
        if (code == 0) return status is 400 or 413 ? DeliveryResult.Permanent(reason) : DeliveryResult.Transient(reason);
        if (Array.IndexOf(ServerErrorCodes, code) >= 0) return DeliveryResult.Transient(reason);
        bool rows = Array.IndexOf(RowErrorCodes, code) >= 0
            || body.Contains("(at row ", StringComparison.Ordinal)
            || body.Contains(" the value of key ", StringComparison.Ordinal);
        return rows || status == 413 ? DeliveryResult.Permanent(reason) : DeliveryResult.Transient(reason);
    }

    // "Code: 27, e.displayText() = …" (18.16) or "Code: 27. DB::Exception: …" (current versions).
    private static int CodeInBody(string body)
    {
        if (!body.StartsWith("Code: ", StringComparison.Ordinal)) return 0;
        int end = 6;
        while (end < body.Length && end < 12 && char.IsAsciiDigit(body[end])) end++;
        return int.TryParse(body.AsSpan(6, end - 6), out int code) ? code : 0;
    }

    /// <summary>
    /// One row: the line's id, seq, tenant, stream, dialect, kind, level, service and routes copied as they are
    /// (valid JSON tokens already), the event time as <c>time</c> (seconds, clamped to DateTime's range) and
    /// <c>time_ns</c> (exact), and the event's JSON text as the string <c>event</c>.
    /// </summary>
    private void WriteRow(OutputBatch batch, int index)
    {
        ReadOnlySpan<byte> line = batch.Line(index);
        var body = _body;
        body.Write("{"u8);
        var reader = new Utf8JsonReader(line);
        reader.Read(); // StartObject
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int column = -1;
            for (int c = 0; c < CopiedColumns.Length && column < 0; c++)
                if (reader.ValueTextEquals(CopiedColumns[c])) column = c;
            bool isEvent = column < 0 && reader.ValueTextEquals("event"u8);
            reader.Read();
            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            ReadOnlySpan<byte> value = line[start..(int)reader.BytesConsumed];
            if (column >= 0)
            {
                body.Write("\""u8);
                body.Write(CopiedColumns[column]);
                body.Write("\":"u8);
                body.Write(value);
                body.Write(","u8);
            }
            else if (isEvent)
            {
                body.Write("\"event\":\""u8);
                if (reader.TokenType != JsonTokenType.Null) WriteEscaped(value);
                body.Write("\","u8);
            }
        }
        long ns = batch.EventNsAt(index);
        long seconds = Math.Clamp(Math.DivRem(ns, 1_000_000_000L, out long fraction) - (fraction < 0 ? 1 : 0), 0, uint.MaxValue);
        Span<byte> digits = stackalloc byte[20];
        body.Write("\"time\":"u8);
        seconds.TryFormat(digits, out int n, default, System.Globalization.CultureInfo.InvariantCulture);
        body.Write(digits[..n]);
        body.Write(",\"time_ns\":"u8);
        ns.TryFormat(digits, out n, default, System.Globalization.CultureInfo.InvariantCulture);
        body.Write(digits[..n]);
        body.Write("}\n"u8);
    }

    /// <summary>JSON text as the content of a JSON string: quote, backslash and control bytes escaped, the rest as is.</summary>
    private void WriteEscaped(ReadOnlySpan<byte> text)
    {
        Span<byte> hex = stackalloc byte[6];
        while (!text.IsEmpty)
        {
            int at = text.IndexOfAny(NeedsEscape);
            if (at < 0)
            {
                _body.Write(text);
                return;
            }
            _body.Write(text[..at]);
            byte b = text[at];
            if (b == (byte)'"') _body.Write("\\\""u8);
            else if (b == (byte)'\\') _body.Write("\\\\"u8);
            else
            {
                "\\u00"u8.CopyTo(hex);
                hex[4] = (byte)"0123456789abcdef"[b >> 4];
                hex[5] = (byte)"0123456789abcdef"[b & 0xF];
                _body.Write(hex);
            }
            text = text[(at + 1)..];
        }
    }

    private static byte[] BuildNeedsEscape()
    {
        var bytes = new List<byte> { (byte)'"', (byte)'\\' };
        for (int b = 0; b < 0x20; b++) bytes.Add((byte)b);
        return bytes.ToArray();
    }

    private static List<KeyValuePair<string, string>> AuthHeaders(OutputConfig config)
    {
        if (config.User is null && config.Password is null) return [];
        string user = config.User ?? "default", password = config.Password ?? "";
        if (config.BasicAuth)
            return [new("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)))];
        return [new("X-ClickHouse-User", user), new("X-ClickHouse-Key", password)];
    }

    private static Uri WithQuery(Uri url, string query)
    {
        var builder = new UriBuilder(url);
        builder.Query = builder.Query.Length > 1 ? builder.Query[1..] + "&" + query : query;
        return builder.Uri;
    }

    public void Dispose()
    {
        _client.Dispose();
        _insertBody.Dispose();
        _statementBody.Dispose();
    }
}
