using System.Text;
using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>POST /api/ingest exactly as seed 002 documents it.</summary>
public class GuardianTests(SecuredDaemonFixture fixture) : IClassFixture<SecuredDaemonFixture>
{
    private const string Jsonl = """
        {"timestamp": "2025-10-08T12:00:00Z", "level": "info", "message": "User logged in", "userId": 123}
        {"timestamp": "2025-10-08T12:00:01Z", "level": "warn", "message": "High memory usage", "memoryMB": 1024}
        {"timestamp": "2025-10-08T12:00:02Z", "level": "error", "message": "API timeout", "endpoint": "/api/users"}
        """;

    private RawHttp.Reply Post(string? body, params (string, string)[] headers) => Post(body is null ? null : Encoding.UTF8.GetBytes(body), headers);

    private RawHttp.Reply Post(byte[]? body, params (string, string)[] headers)
    {
        using var http = new RawHttp(fixture.Daemon.Port);
        return http.Exchange("POST", "/api/ingest", body, headers);
    }

    private static JsonElement Json(RawHttp.Reply r) => JsonDocument.Parse(r.Body).RootElement;

    private static void AssertCommonHeaders(RawHttp.Reply r)
    {
        Assert.True(Guid.TryParse(r.Header("X-Request-ID"), out _));
        Assert.True(Guid.TryParse(r.Header("X-Trace-ID"), out _));
        Assert.NotNull(r.Header("X-RateLimit-Limit"));
        Assert.NotNull(r.Header("X-RateLimit-Remaining"));
        Assert.True(long.Parse(r.Header("X-RateLimit-Reset")!) >= DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1);
        Assert.Equal("nosniff", r.Header("X-Content-Type-Options"));
        Assert.Equal("DENY", r.Header("X-Frame-Options"));
        Assert.NotNull(r.Header("Content-Security-Policy"));
    }

    [Fact]
    public void Jsonl_is_accepted_with_the_seed_body_and_headers_and_stored()
    {
        var r = Post(Jsonl + "\n", ("Authorization", "Bearer tok-123"), ("Content-Type", "application/x-ndjson"), ("X-Session-ID", "my-session-123"));
        Assert.Equal(202, r.Status);
        AssertCommonHeaders(r);
        var json = Json(r);
        Assert.Equal("accepted", json.GetProperty("status").GetString());
        Assert.Equal("Ingest pipeline running", json.GetProperty("message").GetString());
        Assert.Equal(r.Header("X-Trace-ID"), json.GetProperty("traceId").GetString());
        Assert.Equal("my-session-123", json.GetProperty("sessionId").GetString());

        var stored = IngestdCli.ReadRecords(fixture.DataDir, "--dialect", "guardian")
            .Where(x => x.GetProperty("event").TryGetProperty("memoryMB", out _)).ToList();
        Assert.Single(stored);
        Assert.Equal("org-xyz", stored[0].GetProperty("tenant").GetString());
        Assert.Equal("warn", stored[0].GetProperty("level").GetString());
        Assert.Equal("""{"timestamp": "2025-10-08T12:00:01Z", "level": "warn", "message": "High memory usage", "memoryMB": 1024}""", stored[0].GetProperty("event").GetRawText());
    }

    [Fact]
    public void Plain_text_lines_become_events_with_parsed_time_and_level()
    {
        string text = "2025-10-08 12:00:00 INFO User logged in\n2025-10-08 12:00:01 WARN High memory usage: 1024MB guardian-text-test\n";
        var r = Post(text, ("X-API-Key", "tok-123"), ("Content-Type", "text/plain"));
        Assert.Equal(202, r.Status);
        var stored = IngestdCli.ReadRecords(fixture.DataDir, "--dialect", "guardian")
            .Single(x => x.GetProperty("event").GetProperty("message").GetString()!.Contains("guardian-text-test"));
        Assert.Equal("warn", stored.GetProperty("level").GetString());
        Assert.Equal("2025-10-08T12:00:01.000000000Z", stored.GetProperty("time").GetString());
        Assert.Equal("2025-10-08 12:00:01 WARN High memory usage: 1024MB guardian-text-test", stored.GetProperty("event").GetProperty("message").GetString());
    }

    [Fact]
    public void Gzip_ndjson_is_accepted()
    {
        var body = DrainBodies.Encode(Encoding.UTF8.GetBytes("{\"message\":\"gz-guardian\"}\n"), "gzip");
        var r = Post(body, ("Authorization", "Bearer tok-123"), ("Content-Type", "application/x-ndjson"), ("Content-Encoding", "gzip"));
        Assert.Equal(202, r.Status);
    }

    [Fact]
    public void Missing_key_gets_401_with_trace_id()
    {
        var r = Post("{}", ("Content-Type", "application/json"));
        Assert.Equal(401, r.Status);
        AssertCommonHeaders(r);
        var json = Json(r);
        Assert.Equal("Missing authentication. Provide Authorization: Bearer <token> or x-api-key header", json.GetProperty("error").GetString());
        Assert.Equal(r.Header("X-Trace-ID"), json.GetProperty("traceId").GetString());
    }

    [Fact]
    public void Wrong_key_gets_403_invalid_api_key()
    {
        var r = Post("{}", ("X-API-Key", "nope"));
        Assert.Equal(403, r.Status);
        Assert.Equal("Invalid API key", Json(r).GetProperty("error").GetString());
        Assert.True(Guid.TryParse(Json(r).GetProperty("traceId").GetString(), out _));
    }

    [Fact]
    public void Unsupported_content_type_gets_415()
    {
        var r = Post("<xml/>", ("X-API-Key", "tok-123"), ("Content-Type", "application/xml"));
        Assert.Equal(415, r.Status);
        Assert.Contains("Unsupported Content-Type", Json(r).GetProperty("error").GetString());
    }

    [Fact]
    public void Payload_over_the_limit_gets_413_in_the_seed_shape()
    {
        using var http = new RawHttp(fixture.Daemon.Port);
        http.Send("POST /api/ingest HTTP/1.1\r\nHost: x\r\nX-API-Key: tok-123\r\nContent-Length: 60000000\r\n\r\n");
        var r = http.Receive()!;
        Assert.Equal(413, r.Status);
        Assert.Equal("Payload too large: 60000000 bytes (max: 52428800)", Json(r).GetProperty("error").GetString());
        Assert.NotNull(Json(r).GetProperty("traceId").GetString());
    }

    [Fact]
    public void Invalid_idempotency_key_gets_400()
    {
        var r = Post("{}", ("X-API-Key", "tok-123"), ("Idempotency-Key", "not-a-uuid"));
        Assert.Equal(400, r.Status);
        Assert.Contains("UUID v4", Json(r).GetProperty("error").GetString());
    }

    [Fact]
    public void Idempotent_repeat_is_replayed_and_stores_nothing_even_after_a_restart()
    {
        string key = Guid.NewGuid().ToString();
        string body = "{\"message\":\"idem-" + key + "\"}";
        var first = Post(body, ("X-API-Key", "tok-123"), ("Idempotency-Key", key), ("Content-Type", "application/json"));
        Assert.Equal(202, first.Status);
        Assert.Null(first.Header("X-Idempotent-Replay"));

        var second = Post(body, ("X-API-Key", "tok-123"), ("Idempotency-Key", key), ("Content-Type", "application/json"));
        Assert.Equal(202, second.Status);
        Assert.Equal("true", second.Header("X-Idempotent-Replay"));
        Assert.Equal(first.Body, second.Body);

        fixture.Restart();
        var third = Post(body, ("X-API-Key", "tok-123"), ("Idempotency-Key", key), ("Content-Type", "application/json"));
        Assert.Equal("true", third.Header("X-Idempotent-Replay"));
        Assert.Equal(first.Body, third.Body);

        // Another API key with the same Idempotency-Key is a different request.
        var other = Post("{\"message\":\"idem-other-" + key + "\"}", ("Authorization", "Bearer tok-limited"), ("Idempotency-Key", key));
        Assert.Null(other.Header("X-Idempotent-Replay"));

        var stored = IngestdCli.ReadRecords(fixture.DataDir, "--dialect", "guardian")
            .Count(x => x.GetProperty("event").GetProperty("message").GetString() == "idem-" + key);
        Assert.Equal(1, stored);
    }

    [Fact]
    public void Rate_limit_headers_count_down_and_an_empty_bucket_gets_429_with_retry_after()
    {
        // Tenant "limited" has rate_limit_per_minute = 3 (the other test using it takes at most one token first).
        var remaining = new List<int>();
        RawHttp.Reply? refused = null;
        for (int i = 0; i < 6 && refused is null; i++)
        {
            var r = Post("{\"message\":\"rl\"}", ("X-API-Key", "tok-limited"));
            Assert.Equal("3", r.Header("X-RateLimit-Limit"));
            if (r.Status == 429) refused = r;
            else remaining.Add(int.Parse(r.Header("X-RateLimit-Remaining")!));
        }
        Assert.NotNull(refused);
        Assert.Equal(remaining.OrderDescending().ToList(), remaining);
        Assert.Equal(0, remaining[^1]);
        int retryAfter = int.Parse(refused!.Header("Retry-After")!);
        Assert.InRange(retryAfter, 1, 60);
        var json = Json(refused);
        Assert.Equal("Too many requests", json.GetProperty("error").GetString());
        Assert.Equal(retryAfter, json.GetProperty("retryAfter").GetInt32());
    }

    [Fact]
    public void Cors_preflight_is_answered()
    {
        using var http = new RawHttp(fixture.Daemon.Port);
        var r = http.Exchange("OPTIONS", "/api/ingest", (byte[]?)null, ("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "authorization, content-type, idempotency-key"));
        Assert.Equal(204, r.Status);
        Assert.Equal("*", r.Header("Access-Control-Allow-Origin"));
        Assert.Contains("POST", r.Header("Access-Control-Allow-Methods"));
        Assert.Contains("Idempotency-Key", r.Header("Access-Control-Allow-Headers"));
    }

    [Fact]
    public void Invalid_ndjson_line_gets_400_naming_the_line_and_stores_nothing()
    {
        var r = Post("{\"message\":\"ok-line-guardian-bad\"}\n{broken\n", ("X-API-Key", "tok-123"), ("Content-Type", "application/x-ndjson"));
        Assert.Equal(400, r.Status);
        Assert.Contains("line 2", Json(r).GetProperty("error").GetString());
        Assert.DoesNotContain(IngestdCli.ReadRecords(fixture.DataDir, "--dialect", "guardian"),
            x => x.GetProperty("event").TryGetProperty("message", out var m) && m.GetString() == "ok-line-guardian-bad");
    }
}
