using System.Text;
using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>RFC 9110 / RFC 9112 rules on Host, chunk extensions, methods and Content-Type, over a real socket.</summary>
public class HttpConformanceTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    private static string Event(string marker) =>
        $$"""{"project_id":"conformance","timestamp":"2024-05-31T15:30:45Z","level":"warn","service":"http","message":"{{marker}}"}""";

    private static string Drain(string marker) => $$"""{"events":[{{Event(marker)}}]}""";

    private static string NewMarker() => "conf-" + Guid.NewGuid().ToString("N");

    private static string PostDrain(string host, string body, string headers = "") =>
        $"POST /v1/drain HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    private static string ErrorCode(RawHttp.Reply reply) =>
        JsonDocument.Parse(reply.Body).RootElement.GetProperty("error").GetString()!;

    private List<JsonElement> StoredWith(string marker) =>
        IngestdCli.ReadRecords(Daemon.DataDir, "--tenant", "conformance")
            .Where(r => r.GetProperty("event").GetProperty("message").GetString() == marker).ToList();

    private RawHttp.Reply SendExpectingClose(string request)
    {
        using var http = new RawHttp(Daemon.Port);
        http.Send(request);
        var reply = http.Receive();
        Assert.NotNull(reply);
        Assert.True(http.ServerClosed(), "the connection should be closed after the answer");
        return reply!;
    }

    private RawHttp.Reply SendExpectingKeepAlive(string request)
    {
        using var http = new RawHttp(Daemon.Port);
        http.Send(request);
        var reply = http.Receive();
        Assert.NotNull(reply);
        http.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, http.Receive()!.Status);
        return reply!;
    }

    // ---- Host (RFC 9112 §3.2) ------------------------------------------------------------

    public static TheoryData<string> InvalidHosts =>
    [
        "user@127.0.0.1:18200",
        "127.0.0.1:18200/path",
        "127.0.0.1:18200, other.example.com",
        "127.0.0.1:port",
        "[::1",
    ];

    public static TheoryData<string> ValidHosts => ["localhost", "127.0.0.1:80", "[::1]:8080", "a,b", ""];

    [Theory]
    [MemberData(nameof(InvalidHosts))]
    public void Invalid_host_on_a_get_gets_400_and_the_connection_closed(string host)
    {
        var reply = SendExpectingClose($"GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n");
        Assert.Equal(400, reply.Status);
        Assert.Equal("invalid_host", ErrorCode(reply));
    }

    [Theory]
    [MemberData(nameof(InvalidHosts))]
    public void Invalid_host_on_a_drain_post_gets_400_stores_nothing_and_closes(string host)
    {
        string marker = NewMarker();
        var reply = SendExpectingClose(PostDrain(host, Drain(marker)));
        Assert.Equal(400, reply.Status);
        Assert.Equal("invalid_host", ErrorCode(reply));
        Assert.Empty(StoredWith(marker));
    }

    [Theory]
    [MemberData(nameof(ValidHosts))]
    public void Valid_host_forms_are_served_on_a_kept_connection(string host)
    {
        string marker = NewMarker();
        using var http = new RawHttp(Daemon.Port);
        http.Send($"GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n");
        Assert.Equal(200, http.Receive()!.Status);
        http.Send(PostDrain(host, Drain(marker)));
        Assert.Equal(202, http.Receive()!.Status);

        var stored = Assert.Single(StoredWith(marker));
        Assert.Equal("conformance", stored.GetProperty("tenant").GetString());
        Assert.Equal("astralog", stored.GetProperty("dialect").GetString());
        Assert.Equal("warn", stored.GetProperty("level").GetString());
        Assert.StartsWith("2024-05-31T15:30:45", stored.GetProperty("time").GetString());
    }

    [Fact]
    public void Two_host_fields_get_400_and_the_connection_closed()
    {
        var reply = SendExpectingClose("GET /health HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n");
        Assert.Equal(400, reply.Status);
        Assert.Equal("invalid_header", ErrorCode(reply));
    }

    // ---- chunk extensions (RFC 9112 §7.1.1) ----------------------------------------------

    private static string ChunkedDrain(string marker, string extension)
    {
        var body = Encoding.UTF8.GetBytes(Drain(marker));
        return $"POST /v1/drain HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{body.Length:x}{extension}\r\n{Drain(marker)}\r\n0\r\n\r\n";
    }

    [Theory]
    [InlineData(";")]
    [InlineData(";bad[=x")]
    [InlineData(";a=\"unterminated")]
    public void Malformed_chunk_extension_gets_400_stores_nothing_and_closes(string extension)
    {
        string marker = NewMarker();
        var reply = SendExpectingClose(ChunkedDrain(marker, extension));
        Assert.Equal(400, reply.Status);
        Assert.Equal("invalid_chunk_size", ErrorCode(reply));
        Assert.Empty(StoredWith(marker));
    }

    [Fact]
    public void Well_formed_chunk_extensions_are_skipped_and_the_body_stored()
    {
        string marker = NewMarker();
        var reply = SendExpectingKeepAlive(ChunkedDrain(marker, " ; name ; sig=\"a;b\\\"c\" ; n=1"));
        Assert.Equal(202, reply.Status);
        Assert.Single(StoredWith(marker));
    }

    // ---- methods (RFC 9110 §15.5.6, §15.6.2) ---------------------------------------------

    [Fact]
    public void Unknown_method_on_a_known_route_gets_501_and_keeps_the_connection()
    {
        string marker = NewMarker();
        var reply = SendExpectingKeepAlive(PostDrain("x", Drain(marker)).Replace("POST ", "PROPFIND "));
        Assert.Equal(501, reply.Status);
        Assert.Equal("not_implemented", ErrorCode(reply));
        Assert.Empty(StoredWith(marker));
    }

    [Fact]
    public void Known_method_the_route_does_not_take_still_gets_405_with_allow()
    {
        var reply = SendExpectingKeepAlive("DELETE /v1/drain HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(405, reply.Status);
        Assert.Equal("POST", reply.Header("Allow"));
    }

    [Fact]
    public void Unknown_method_on_an_unknown_path_gets_404()
    {
        var reply = SendExpectingKeepAlive("PROPFIND /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(404, reply.Status);
    }

    [Fact]
    public void Guardian_preflight_carries_allow()
    {
        var reply = SendExpectingKeepAlive("OPTIONS /api/ingest HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\nAccess-Control-Request-Method: POST\r\n\r\n");
        Assert.Equal(204, reply.Status);
        Assert.Equal("POST, OPTIONS", reply.Header("Allow"));
    }

    // ---- Content-Type (RFC 9110 §8.3) ----------------------------------------------------

    [Fact]
    public void Two_different_content_types_get_400_store_nothing_and_close()
    {
        string marker = NewMarker();
        var reply = SendExpectingClose(PostDrain("x", Drain(marker), "Content-Type: application/json\r\nContent-Type: text/plain\r\n"));
        Assert.Equal(400, reply.Status);
        Assert.Equal("conflicting_content_type", ErrorCode(reply));
        Assert.Empty(StoredWith(marker));
    }

    [Fact]
    public void Repeated_identical_content_type_is_accepted()
    {
        string marker = NewMarker();
        var reply = SendExpectingKeepAlive(PostDrain("x", Drain(marker), "Content-Type: application/json\r\nContent-Type: application/json\r\n"));
        Assert.Equal(202, reply.Status);
        Assert.Single(StoredWith(marker));
    }
}
