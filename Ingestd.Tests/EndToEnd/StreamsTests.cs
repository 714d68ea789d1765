using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>POST /v1/streams/ingest exactly as seed 001 documents it.</summary>
public class StreamsTests(SecuredDaemonFixture fixture) : IClassFixture<SecuredDaemonFixture>
{
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
    public void Token_of_another_tenant_gets_403()
    {
        Assert.Equal(403, Post(SeedBody, token: "Bearer tok-123").Status);
    }
}
