using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>POST /v1/streams/ingest exactly as seed 001 documents it, with tenants configured.</summary>
public class StreamsTests(SecuredDaemonFixture fixture) : IClassFixture<SecuredDaemonFixture>
{
    // The seed's example stream; tenant "piped" lists it, tenants without a streams list may use any stream.
    private const string SeedStreamId = "a0c3b4de-1923-4ff1-8dba-f92ad912d20f";

    private const string SeedBody = """
        {
        "timestamp": "2025-02-12T14:32:15Z",
        "source": "payments-app",
        "event": {
        "transactionId": "txn_30921",
        "status": "approved",
        "latency_ms": 182,
        "amount": 499,
        "currency": "USD"
        },
        "metadata": {
        "env": "prod",
        "team": "payments"
        }
        }
        """;

    private RawHttp.Reply Post(string body, string? token = "Bearer tok-stream", string? stream = "stream-a", string contentType = "application/json")
    {
        var headers = new List<(string, string)> { ("Content-Type", contentType) };
        if (token is not null) headers.Add(("Authorization", token));
        if (stream is not null) headers.Add(("X-Stream-Id", stream));
        return RawHttp.Once(fixture.Daemon.Port, "POST", "/v1/streams/ingest", body, headers.ToArray());
    }

    private static (string error, string detail) Error(RawHttp.Reply r)
    {
        var json = JsonDocument.Parse(r.Body).RootElement;
        return (json.GetProperty("error").GetString()!, json.GetProperty("detail").GetString()!);
    }

    [Fact]
    public void Seed_example_is_accepted_with_ingested_bytes_and_stream_id_and_stored()
    {
        var reply = Post(SeedBody);
        Assert.Equal(200, reply.Status);
        Assert.Equal($$"""{"status":"accepted","ingested_bytes":{{System.Text.Encoding.UTF8.GetByteCount(SeedBody)}},"stream_id":"stream-a"}""", reply.Body);
        var stored = IngestdCli.ReadRecords(fixture.DataDir, "--dialect", "streams")
            .Single(r => r.GetProperty("event").GetProperty("event").GetProperty("transactionId").GetString() == "txn_30921");
        Assert.Equal("stream-a", stored.GetProperty("tenant").GetString());
        Assert.Equal("stream-a", stored.GetProperty("stream").GetString());
        Assert.Equal("payments-app", stored.GetProperty("service").GetString());
        Assert.Equal("event", stored.GetProperty("kind").GetString());
        Assert.Equal("2025-02-12T14:32:15.000000000Z", stored.GetProperty("time").GetString());
        // `read` prints one line per record: the event's line breaks (whitespace between tokens) become spaces.
        Assert.Equal(SeedBody.Trim().Replace("\n", " "), stored.GetProperty("event").GetRawText());
    }

    [Fact]
    public void Invalid_timestamp_gets_the_seed_error()
    {
        var reply = Post("""{"timestamp":"12/02/2025","source":"a","event":{}}""");
        Assert.Equal(400, reply.Status);
        Assert.Equal("""{"error":"invalid_format","detail":"The 'timestamp' field must be a valid ISO 8601 string."}""", reply.Body);
    }

    [Theory]
    [InlineData("""{"timestamp":"2025-02-12T14:32:15Z","event":{}}""", "The 'source' field is required.")]
    [InlineData("""{"timestamp":"2025-02-12T14:32:15Z","source":"a"}""", "The 'event' field is required.")]
    [InlineData("""{"source":"a","event":[]}""", "The 'event' field must be an object.")]
    public void Missing_or_wrong_fields_get_invalid_format_naming_them(string body, string detail)
    {
        var reply = Post(body);
        Assert.Equal(400, reply.Status);
        Assert.Equal(("invalid_format", detail), Error(reply));
    }

    [Fact]
    public void Invalid_json_gets_invalid_format()
    {
        var reply = Post("""{"source":"a",""");
        Assert.Equal(400, reply.Status);
        var (error, detail) = Error(reply);
        Assert.Equal("invalid_format", error);
        Assert.Contains("not valid JSON", detail);
    }

    [Fact]
    public void Payload_over_1_MB_gets_400_invalid_format()
    {
        var big = "{\"source\":\"a\",\"event\":{\"blob\":\"" + new string('x', 1_100_000) + "\"}}";
        var reply = Post(big);
        Assert.Equal(400, reply.Status);
        var (error, detail) = Error(reply);
        Assert.Equal("invalid_format", error);
        Assert.Contains("maximum size", detail);
    }

    [Fact]
    public void Missing_stream_id_gets_400()
    {
        var reply = Post(SeedBody, stream: null);
        Assert.Equal(400, reply.Status);
        Assert.Equal(("invalid_format", "The 'X-Stream-Id' header is required."), Error(reply));
    }

    [Fact]
    public void Missing_token_gets_401()
    {
        var reply = Post(SeedBody, token: null);
        Assert.Equal(401, reply.Status);
        Assert.Equal("unauthorized", Error(reply).error);
    }

    [Fact]
    public void Raw_token_without_bearer_scheme_gets_401()
    {
        Assert.Equal(401, Post(SeedBody, token: "tok-stream").Status);
    }

    [Fact]
    public void Seed_stream_id_with_an_api_token_is_accepted_and_stored_under_the_token_s_tenant()
    {
        string body = SeedBody.Replace("txn_30921", "txn_seed_stream");
        var reply = Post(body, token: "Bearer tok-123", stream: SeedStreamId);

        Assert.Equal(200, reply.Status);
        Assert.Equal(SeedStreamId, JsonDocument.Parse(reply.Body).RootElement.GetProperty("stream_id").GetString());
        var stored = IngestdCli.ReadRecords(fixture.DataDir, "--stream", SeedStreamId)
            .Single(r => r.GetProperty("event").GetProperty("event").GetProperty("transactionId").GetString() == "txn_seed_stream");
        Assert.Equal("org-xyz", stored.GetProperty("tenant").GetString());
        Assert.Equal(SeedStreamId, stored.GetProperty("stream").GetString());
        Assert.Equal("streams", stored.GetProperty("dialect").GetString());
    }

    [Fact]
    public void Curl_as_in_the_seed_delivers_100_events_each_read_back_once_with_tenant_and_stream()
    {
        // The seed's cURL example, one request per event file, 100 of them on one curl run (--next).
        const string tag = "curl-seed";
        using var dir = new TempDir("ingestd-streams-curl");
        var args = new List<string>();
        for (int i = 0; i < 100; i++)
        {
            string file = dir.File($"event{i}.json");
            File.WriteAllText(file, $$"""
                {
                "timestamp": "2025-02-12T14:{{i / 60:D2}}:{{i % 60:D2}}Z",
                "source": "payments-app",
                "event": { "transactionId": "{{tag}}-{{i}}", "status": "approved" },
                "metadata": { "env": "prod" }
                }
                """);
            if (i > 0) args.Add("--next");
            args.AddRange(["-sS", "-o", "/dev/null", "-w", "%{http_code}\n", "-X", "POST", $"{fixture.Daemon.BaseUrl}/v1/streams/ingest",
                "-H", "Authorization: Bearer tok-piped", "-H", "Content-Type: application/json", "-H", $"X-Stream-Id: {SeedStreamId}",
                "-d", "@" + file]);
        }

        var run = ExternalProcess.Run("curl", args);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(Enumerable.Repeat("200", 100), run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var stored = IngestdCli.ReadRecords(fixture.DataDir, "--stream", SeedStreamId, "--tenant", "piped")
            .Where(r => r.GetProperty("event").GetProperty("event").GetProperty("transactionId").GetString()!.StartsWith(tag + "-"))
            .ToList();
        for (int i = 0; i < 100; i++)
        {
            var record = Assert.Single(stored, r => r.GetProperty("event").GetProperty("event").GetProperty("transactionId").GetString() == $"{tag}-{i}");
            Assert.Equal("piped", record.GetProperty("tenant").GetString());
            Assert.Equal(SeedStreamId, record.GetProperty("stream").GetString());
            Assert.Equal("streams", record.GetProperty("dialect").GetString());
            Assert.Equal("", record.GetProperty("level").GetString()); // the seed's events carry no level
            Assert.Equal($"2025-02-12T14:{i / 60:D2}:{i % 60:D2}.000000000Z", record.GetProperty("time").GetString());
        }
        Assert.Equal(100, stored.Count);
    }

    [Fact]
    public void Stream_listed_for_the_token_s_tenant_is_accepted()
    {
        Assert.Equal(200, Post(SeedBody.Replace("txn_30921", "txn_listed"), token: "Bearer tok-piped", stream: "checkout-events").Status);
    }

    [Fact]
    public void Stream_not_listed_for_the_token_s_tenant_gets_403_naming_both_and_stores_nothing()
    {
        var reply = Post(SeedBody, token: "Bearer tok-piped", stream: "not-a-piped-stream");

        Assert.Equal(403, reply.Status);
        Assert.Equal(
            ("forbidden", "X-Stream-Id: tenant 'piped' may write only to its configured streams, and 'not-a-piped-stream' is not one of them."),
            Error(reply));
        Assert.Empty(IngestdCli.ReadRecords(fixture.DataDir, "--stream", "not-a-piped-stream"));
    }

    [Fact]
    public void Stream_named_like_another_tenant_is_just_a_stream_of_the_token_s_tenant()
    {
        var reply = Post(SeedBody.Replace("txn_30921", "txn_other_name"), token: "Bearer tok-123", stream: "stream-a");

        Assert.Equal(200, reply.Status);
        var stored = IngestdCli.ReadRecords(fixture.DataDir, "--stream", "stream-a")
            .Single(r => r.GetProperty("event").GetProperty("event").GetProperty("transactionId").GetString() == "txn_other_name");
        Assert.Equal("org-xyz", stored.GetProperty("tenant").GetString());
    }
}
