using System.Text;
using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>Each kind of bad input gets its status and a JSON error, and the daemon serves the next request.</summary>
public class BadInputTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    private const string Ok = """{"events":[{"project_id":"p","timestamp":"2024-05-31T15:30:45Z","level":"info","service":"s","message":"m"}]}""";

    private static string Post(string body, string headers = "") =>
        $"POST /v1/drain HTTP/1.1\r\nHost: x\r\n{headers}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    private RawHttp.Reply Exchange(string request, bool expectClose)
    {
        using var http = new RawHttp(Daemon.Port);
        http.Send(request);
        var reply = http.Receive();
        Assert.NotNull(reply);
        if (expectClose) Assert.True(http.ServerClosed(), "connection should be closed after a framing error");
        else
        {
            // The same connection still works.
            http.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal(200, http.Receive()!.Status);
        }
        AssertDaemonServes();
        return reply!;
    }

    private void AssertDaemonServes()
    {
        using var http = new RawHttp(Daemon.Port);
        http.Send(Post(Ok));
        Assert.Equal(202, http.Receive()!.Status);
    }

    private static string ErrorCode(RawHttp.Reply reply)
    {
        Assert.StartsWith("application/json", reply.Header("Content-Type"));
        return JsonDocument.Parse(reply.Body).RootElement.GetProperty("error").GetString()!;
    }

    public static TheoryData<string, string, int, string> FramingErrors => new()
    {
        { "content_length_and_transfer_encoding", "POST /v1/drain HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "content_length_with_transfer_encoding" },
        { "differing_content_lengths", "POST /v1/drain HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400, "conflicting_content_length" },
        { "unknown_transfer_coding", "POST /v1/drain HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400, "unsupported_transfer_encoding" },
        { "bad_chunk_size", "POST /v1/drain HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400, "invalid_chunk_size" },
        { "overflowing_chunk_size", "POST /v1/drain HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nabc\r\n", 400, "chunk_size_overflow" },
        { "chunk_beyond_the_body_limit", "POST /v1/drain HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n40000000\r\nabc\r\n", 413, "body_too_large" },
        { "bare_cr", "GET /health HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 400, "bare_cr" },
        { "obs_fold", "GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n", 400, "obsolete_line_folding" },
        { "space_before_colon", "GET /health HTTP/1.1\r\nHost : x\r\n\r\n", 400, "invalid_header" },
        { "malformed_request_line", "GET  /health HTTP/1.1\r\nHost: x\r\n\r\n", 400, "invalid_request_line" },
        { "missing_host", "GET /health HTTP/1.1\r\n\r\n", 400, "missing_host" },
        { "bad_content_length", "POST /v1/drain HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, "invalid_content_length" },
        { "unsupported_version", "GET /health HTTP/2.0\r\nHost: x\r\n\r\n", 505, "unsupported_http_version" },
    };

    [Theory]
    [MemberData(nameof(FramingErrors))]
    public void Framing_errors_get_their_status_and_close_the_connection(string name, string request, int status, string code)
    {
        var reply = Exchange(request, expectClose: true);
        Assert.True(status == reply.Status, $"{name}: got {reply.Status} {reply.Body}");
        Assert.Equal(code, ErrorCode(reply));
    }

    [Fact]
    public void Too_many_headers_get_431()
    {
        var sb = new StringBuilder("GET /health HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 150; i++) sb.Append($"X-H{i}: v\r\n");
        var reply = Exchange(sb.Append("\r\n").ToString(), expectClose: true);
        Assert.Equal(431, reply.Status);
        Assert.Equal("too_many_headers", ErrorCode(reply));
    }

    [Fact]
    public void Oversized_headers_get_431()
    {
        var reply = Exchange($"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 40_000)}\r\n\r\n", expectClose: true);
        Assert.Equal(431, reply.Status);
    }

    [Fact]
    public void Overlong_request_line_gets_414()
    {
        var reply = Exchange($"GET /{new string('a', 10_000)} HTTP/1.1\r\nHost: x\r\n\r\n", expectClose: true);
        Assert.Equal(414, reply.Status);
    }

    [Fact]
    public void Body_over_the_limit_gets_413_before_it_is_sent()
    {
        var reply = Exchange("POST /v1/drain HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n", expectClose: true);
        Assert.Equal(413, reply.Status);
        Assert.Equal("body_too_large", ErrorCode(reply));
    }

    [Fact]
    public void Unknown_path_gets_404()
    {
        var reply = Exchange("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", expectClose: false);
        Assert.Equal(404, reply.Status);
        Assert.Equal("not_found", ErrorCode(reply));
    }

    [Fact]
    public void Wrong_method_gets_405_with_allow()
    {
        var reply = Exchange("GET /v1/drain HTTP/1.1\r\nHost: x\r\n\r\n", expectClose: false);
        Assert.Equal(405, reply.Status);
        Assert.Equal("POST", reply.Header("Allow"));
        Assert.Equal("method_not_allowed", ErrorCode(reply));
    }

    [Fact]
    public void Invalid_json_gets_400_naming_the_position()
    {
        var reply = Exchange(Post("""{"events":[{"project_id":"p",}"""), expectClose: false);
        Assert.Equal(400, reply.Status);
        Assert.Equal("invalid_json", ErrorCode(reply));
        Assert.Contains("byte", JsonDocument.Parse(reply.Body).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public void Invalid_event_gets_400_naming_index_and_field_and_stores_nothing()
    {
        string tenant = "t-invalid-event";
        string body = $$"""{"events":[{"project_id":"{{tenant}}","timestamp":"2024-05-31T15:30:45Z","level":"info","service":"s","message":"good"},{"project_id":"{{tenant}}","timestamp":"yesterday","level":"info","service":"s","message":"bad"}]}""";
        var reply = Exchange(Post(body), expectClose: false);
        Assert.Equal(400, reply.Status);
        var json = JsonDocument.Parse(reply.Body).RootElement;
        Assert.Equal("invalid_event", json.GetProperty("error").GetString());
        Assert.Equal(1, json.GetProperty("index").GetInt32());
        Assert.Equal("timestamp", json.GetProperty("field").GetString());
        Assert.Empty(IngestdCli.ReadRecords(Daemon.DataDir, "--tenant", tenant));
    }

    [Fact]
    public void Missing_required_field_gets_400_naming_it()
    {
        var reply = Exchange(Post("""{"events":[{"project_id":"p","timestamp":"2024-05-31T15:30:45Z","level":"info","message":"m"}]}"""), expectClose: false);
        Assert.Equal(400, reply.Status);
        Assert.Equal("service", JsonDocument.Parse(reply.Body).RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public void Corrupt_gzip_gets_400()
    {
        var reply = Exchange(Post("this is not gzip", "Content-Encoding: gzip\r\n"), expectClose: false);
        Assert.Equal(400, reply.Status);
        Assert.Equal("invalid_encoded_body", ErrorCode(reply));
    }

    [Fact]
    public void Unknown_content_encoding_gets_415()
    {
        var reply = Exchange(Post(Ok, "Content-Encoding: lzma\r\n"), expectClose: false);
        Assert.Equal(415, reply.Status);
        Assert.Equal("unsupported_content_encoding", ErrorCode(reply));
    }

    [Fact]
    public void Decompression_bomb_gets_413()
    {
        // 200 MB of zeros in ~200 KB of gzip, far past the 50 MiB decoded limit.
        var ms = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 200; i++) gz.Write(zeros);
        }
        var body = ms.ToArray();
        using var http = new RawHttp(Daemon.Port);
        var head = Encoding.ASCII.GetBytes($"POST /v1/drain HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: {body.Length}\r\n\r\n");
        http.Send([.. head, .. body]);
        var reply = http.Receive()!;
        Assert.Equal(413, reply.Status);
        Assert.Equal("decoded_body_too_large", ErrorCode(reply));
        AssertDaemonServes();
    }

    [Fact]
    public void Client_closing_mid_body_does_not_disturb_the_daemon()
    {
        using (var http = new RawHttp(Daemon.Port))
            http.Send("POST /v1/drain HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"events\":[");
        AssertDaemonServes();
    }
}
