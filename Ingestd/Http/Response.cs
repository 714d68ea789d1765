using System.Buffers.Text;
using System.Text;
using Ingestd.Parsing.Buffers;

namespace Ingestd.Http;

/// <summary>
/// The response to the current request: status, extra headers and body, serialised into
/// one pooled buffer so a response goes out in a single send. Reused per connection.
/// </summary>
internal sealed class Response : IDisposable
{
    private readonly PooledBuffer _headers = new(512);
    private readonly PooledBuffer _body = new(512);

    public int StatusCode { get; private set; }

    /// <summary>Set when this response must end the connection (framing errors, shutdown, unread body).</summary>
    public bool CloseConnection { get; set; }

    /// <summary>The body follows as a stream (SSE): no Content-Length, and the connection ends with it.</summary>
    public bool Streaming { get; set; }

    public void Reset()
    {
        StatusCode = 0;
        CloseConnection = false;
        Streaming = false;
        _headers.Reset();
        _body.Reset();
    }

    /// <summary>Starts over with a new status, dropping headers and body written so far.</summary>
    public void SetStatus(int status)
    {
        StatusCode = status;
        _headers.Reset();
        _body.Reset();
    }

    public void AddHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        _headers.Write(name);
        _headers.Write(": "u8);
        _headers.Write(value);
        _headers.Write("\r\n"u8);
    }

    public void AddHeader(ReadOnlySpan<byte> name, string value)
    {
        _headers.Write(name);
        _headers.Write(": "u8);
        var span = _headers.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
        _headers.Advance(Encoding.UTF8.GetBytes(value, span));
        _headers.Write("\r\n"u8);
    }

    // Bodies are application/json behind nosniff, never HTML: no need to escape ' < > &.
    private static readonly System.Text.Json.JsonWriterOptions JsonOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Starts a JSON body for <paramref name="status"/>: write it with a Utf8JsonWriter over <see cref="Body"/>.</summary>
    public System.Text.Json.Utf8JsonWriter JsonWriter(int status)
    {
        SetStatus(status);
        return new System.Text.Json.Utf8JsonWriter(_body, JsonOptions);
    }

    public void AddHeader(ReadOnlySpan<byte> name, long value)
    {
        Span<byte> tmp = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, tmp, out int n);
        AddHeader(name, tmp[..n]);
    }

    /// <summary>The body writer; content is JSON unless a different Content-Type header was added.</summary>
    public PooledBuffer Body => _body;

    public void Json(int status, ReadOnlySpan<byte> json)
    {
        SetStatus(status);
        _body.Write(json);
    }

    /// <summary>Once the response is sent: empties the body and gives a buffer larger than <paramref name="maxRetained"/> back to the pool.</summary>
    public void TrimBody(int maxRetained)
    {
        _body.Reset();
        _body.TrimTo(maxRetained);
    }

    /// <summary>Serialises status line, headers and body into <paramref name="output"/>.</summary>
    public void WriteTo(PooledBuffer output, bool keepAliveHeader, bool headRequest, ReadOnlySpan<byte> date)
    {
        output.Write("HTTP/1.1 "u8);
        WriteInt(output, StatusCode);
        output.Write(" "u8);
        output.Write(ReasonPhrase(StatusCode));
        output.Write("\r\nServer: ingestd\r\nDate: "u8);
        output.Write(date);
        output.Write("\r\n"u8);
        if (Streaming)
        {
            output.Write("Cache-Control: no-cache\r\nConnection: close\r\n"u8);
            output.Write(_headers.WrittenSpan);
            output.Write("\r\n"u8);
            return;
        }
        // RFC 9110 §15.4.5: a 304 has no content, and its Content-Length (if any) would have to be the full one's.
        if (StatusCode != 204 && StatusCode != 304 && StatusCode >= 200)
        {
            if (!HasContentType()) output.Write("Content-Type: application/json\r\n"u8);
            output.Write("Content-Length: "u8);
            WriteInt(output, _body.Length);
            output.Write("\r\n"u8);
        }
        if (CloseConnection) output.Write("Connection: close\r\n"u8);
        else if (keepAliveHeader) output.Write("Connection: keep-alive\r\n"u8);
        output.Write(_headers.WrittenSpan);
        output.Write("\r\n"u8);
        if (!headRequest && StatusCode != 204 && StatusCode != 304) output.Write(_body.WrittenSpan);
    }

    private bool HasContentType() => _headers.WrittenSpan.IndexOf("Content-Type:"u8) >= 0;

    private static void WriteInt(PooledBuffer output, long value)
    {
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out int n);
        output.Advance(n);
    }

    public static ReadOnlySpan<byte> ReasonPhrase(int status) => status switch
    {
        100 => "Continue"u8,
        200 => "OK"u8,
        202 => "Accepted"u8,
        204 => "No Content"u8,
        304 => "Not Modified"u8,
        400 => "Bad Request"u8,
        401 => "Unauthorized"u8,
        403 => "Forbidden"u8,
        404 => "Not Found"u8,
        405 => "Method Not Allowed"u8,
        408 => "Request Timeout"u8,
        411 => "Length Required"u8,
        413 => "Content Too Large"u8,
        414 => "URI Too Long"u8,
        415 => "Unsupported Media Type"u8,
        429 => "Too Many Requests"u8,
        431 => "Request Header Fields Too Large"u8,
        500 => "Internal Server Error"u8,
        501 => "Not Implemented"u8,
        503 => "Service Unavailable"u8,
        505 => "HTTP Version Not Supported"u8,
        507 => "Insufficient Storage"u8,
        _ => "Unknown"u8,
    };

    public void Dispose()
    {
        _headers.Dispose();
        _body.Dispose();
    }
}
