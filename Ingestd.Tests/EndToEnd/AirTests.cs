using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>Air /v1/ingest/{type} and /v1/subscribe/{type} as seed 004 documents them, with JWT auth.</summary>
public class AirTests(SecuredDaemonFixture fixture) : IClassFixture<SecuredDaemonFixture>
{
    private static string Token(string sub = "air-tenant") => Jwt.Hs256("air-secret-1", Jwt.Claims(sub, exp: Jwt.Now + 3600));

    private RawHttp.Reply Post(string type, string body, string? token)
    {
        var headers = new List<(string, string)> { ("Content-Type", "application/json") };
        if (token is not null) headers.Add(("Authorization", "Bearer " + token));
        return RawHttp.Once(fixture.Daemon.Port, "POST", "/v1/ingest/" + type, body, headers.ToArray());
    }

    private static JsonElement Data(RawHttp.Reply r) => JsonDocument.Parse(r.Body).RootElement.GetProperty("data");

    [Theory]
    [InlineData("messages", """{"timestamp":"2025-01-15T10:30:00Z","message":"hello","attributes":{"k":"v"}}""", "message")]
    [InlineData("events", """{"timestamp":"2025-01-15T10:30:00Z","name":"workflow_started"}""", "event")]
    [InlineData("logs", """{"timestamp":"2025-01-15T10:30:00Z","level":"warn","message":"disk"}""", "log")]
    [InlineData("metrics", """{"timestamp":"2025-01-15T10:30:00Z","name":"http_request_duration_ms","value":12.5,"tags":{"route":"/"}}""", "metric")]
    [InlineData("traces", """{"timestamp":"2025-01-15T10:30:00Z","trace_id":"t1","span_id":"s1","name":"GET /","duration_ms":3.2,"status":"ok"}""", "trace")]
    public void Each_type_accepts_a_valid_entry_and_stores_it_under_the_jwt_subject(string type, string entry, string kind)
    {
        string sub = "air-" + type;
        var r = Post(type, $$"""{"entries":[{{entry}}]}""", Token(sub));
        Assert.Equal(200, r.Status);
        Assert.Equal("""{"data":{"accepted":1,"rejected":0}}""", r.Body);
        var stored = IngestdCli.ReadRecords(fixture.DataDir, "--tenant", sub);
        Assert.Single(stored);
        Assert.Equal(kind, stored[0].GetProperty("kind").GetString());
        Assert.Equal("air", stored[0].GetProperty("dialect").GetString());
        Assert.Equal(entry, stored[0].GetProperty("event").GetRawText());
    }

    [Fact]
    public void Partial_acceptance_stores_exactly_the_valid_entries_and_lists_the_rejected()
    {
        string sub = "air-partial";
        var r = Post("events", """
            {"entries":[
              {"timestamp":"2025-01-15T10:30:00Z","name":"a"},
              {"timestamp":"yesterday","name":"b"},
              {"timestamp":"2025-01-15T10:30:01Z"},
              {"timestamp":"2025-01-15T10:30:02Z","name":"d"}
            ]}
            """, Token(sub));
        Assert.Equal(200, r.Status);
        var data = Data(r);
        Assert.Equal(2, data.GetProperty("accepted").GetInt32());
        Assert.Equal(2, data.GetProperty("rejected").GetInt32());
        Assert.Equal([1, 2], data.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("index").GetInt32()).ToArray());
        var names = IngestdCli.ReadRecords(fixture.DataDir, "--tenant", sub).Select(x => x.GetProperty("service").GetString()).ToList();
        Assert.Equal(["a", "d"], names);
    }

    [Fact]
    public void More_than_1000_entries_get_400()
    {
        var entries = string.Join(",", Enumerable.Repeat("""{"timestamp":"2025-01-15T10:30:00Z","message":"m"}""", 1001));
        var r = Post("messages", $$"""{"entries":[{{entries}}]}""", Token("air-1001"));
        Assert.Equal(400, r.Status);
        Assert.Empty(IngestdCli.ReadRecords(fixture.DataDir, "--tenant", "air-1001"));
    }

    [Fact]
    public void Unknown_type_gets_404() => Assert.Equal(404, Post("widgets", """{"entries":[]}""", Token()).Status);

    [Fact]
    public void Rs256_token_is_accepted()
    {
        var token = Jwt.Rs256(fixture.RsaKey, Jwt.Claims("air-rs256", exp: Jwt.Now + 600));
        Assert.Equal(200, Post("logs", """{"entries":[{"timestamp":"2025-01-15T10:30:00Z","message":"m"}]}""", token).Status);
    }

    public static TheoryData<string, string?> BadTokens => new()
    {
        { "missing", null },
        { "expired", Jwt.Hs256("air-secret-1", Jwt.Claims("x", exp: Jwt.Now - 3600)) },
        { "not_yet_valid", Jwt.Hs256("air-secret-1", Jwt.Claims("x", exp: Jwt.Now + 3600, nbf: Jwt.Now + 3600)) },
        { "wrong_secret", Jwt.Hs256("other-secret", Jwt.Claims("x", exp: Jwt.Now + 3600)) },
        { "alg_none", Jwt.None(Jwt.Claims("x", exp: Jwt.Now + 3600)) },
        { "unknown_alg", Jwt.Hs256("air-secret-1", Jwt.Claims("x", exp: Jwt.Now + 3600), alg: "HS512") },
        { "unknown_rsa_key", Jwt.Rs256(System.Security.Cryptography.RSA.Create(2048), Jwt.Claims("x", exp: Jwt.Now + 3600)) },
        { "garbage", "not.a.jwt" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public void Bad_tokens_get_401(string name, string? token)
    {
        var r = Post("logs", """{"entries":[{"timestamp":"2025-01-15T10:30:00Z","message":"m"}]}""", token);
        Assert.True(r.Status == 401, $"{name}: {r.Status} {r.Body}");
        Assert.Equal("unauthorized", JsonDocument.Parse(r.Body).RootElement.GetProperty("error").GetString());
    }

    // Reads SSE frames from a raw socket until `count` data lines arrived or the deadline passed.
    private static List<string> ReadSseData(Socket socket, int count, TimeSpan within)
    {
        var data = new List<string>();
        var buffer = new StringBuilder();
        var bytes = new byte[8192];
        var deadline = DateTime.UtcNow + within;
        socket.ReceiveTimeout = 500;
        while (data.Count < count && DateTime.UtcNow < deadline)
        {
            int n;
            try { n = socket.Receive(bytes); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut) { continue; }
            if (n == 0) break;
            buffer.Append(Encoding.UTF8.GetString(bytes, 0, n));
            string text = buffer.ToString();
            int end;
            while ((end = text.IndexOf("\n\n", StringComparison.Ordinal)) >= 0)
            {
                foreach (var line in text[..end].Split('\n'))
                    if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Add(line[6..]);
                text = text[(end + 2)..];
            }
            buffer.Clear().Append(text);
        }
        return data;
    }

    private Socket Subscribe(string query, string token)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect("127.0.0.1", fixture.Daemon.Port);
        socket.Send(Encoding.ASCII.GetBytes($"GET /v1/subscribe/{query} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nAuthorization: Bearer {token}\r\n\r\n"));
        // Wait for the head and the opening comment before publishing.
        var head = new byte[4096];
        int got = 0;
        socket.ReceiveTimeout = 10_000;
        while (!Encoding.ASCII.GetString(head, 0, got).Contains(": subscribed")) got += socket.Receive(head, got, head.Length - got, SocketFlags.None);
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(head, 0, got));
        Assert.Contains("text/event-stream", Encoding.ASCII.GetString(head, 0, got));
        return socket;
    }

    [Fact]
    public void Subscriber_receives_entries_accepted_after_it_connected_filtered_by_name()
    {
        string sub = "air-sse";
        using var socket = Subscribe("events?name=wanted", Token(sub));
        var r = Post("events", """
            {"entries":[{"timestamp":"2025-01-15T10:30:00Z","name":"wanted","attributes":{"n":1}},
                        {"timestamp":"2025-01-15T10:30:00Z","name":"other"},
                        {"timestamp":"2025-01-15T10:30:01Z","name":"wanted","attributes":{"n":2}}]}
            """, Token(sub));
        Assert.Equal(200, r.Status);
        // Another tenant's events never reach this subscriber.
        Post("events", """{"entries":[{"timestamp":"2025-01-15T10:30:00Z","name":"wanted"}]}""", Token("someone-else"));
        var data = ReadSseData(socket, 3, TimeSpan.FromSeconds(5));
        Assert.Equal(2, data.Count);
        Assert.Equal([1, 2], data.Select(d => JsonDocument.Parse(d).RootElement.GetProperty("attributes").GetProperty("n").GetInt32()).ToArray());
    }

    [Fact]
    public void Subscriber_filters_on_attributes()
    {
        string sub = "air-sse-attr";
        using var socket = Subscribe("messages?attributes.room=blue", Token(sub));
        Post("messages", """
            {"entries":[{"timestamp":"2025-01-15T10:30:00Z","message":"one","attributes":{"room":"red"}},
                        {"timestamp":"2025-01-15T10:30:00Z","message":"two","attributes":{"room":"blue"}}]}
            """, Token(sub));
        var data = ReadSseData(socket, 2, TimeSpan.FromSeconds(3));
        Assert.Single(data);
        Assert.Contains("\"two\"", data[0]);
    }

    [Fact]
    public void A_stalled_subscriber_is_dropped_and_does_not_hold_up_ingest()
    {
        string sub = "air-stalled";
        // A subscriber that never reads: a tiny receive buffer so the server-side socket backs up quickly.
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        stalled.Connect("127.0.0.1", fixture.Daemon.Port);
        stalled.Send(Encoding.ASCII.GetBytes($"GET /v1/subscribe/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {Token(sub)}\r\n\r\n"));
        Thread.Sleep(200);

        var message = "{\"timestamp\":\"2025-01-15T10:30:00Z\",\"message\":\"" + new string('m', 2000) + "\"}";
        var body = "{\"entries\":[" + string.Join(",", Enumerable.Repeat(message, 500)) + "]}";
        using var http = new RawHttp(fixture.Daemon.Port);
        for (int i = 0; i < 20; i++)
        {
            var r = http.Exchange("POST", "/v1/ingest/messages", body, ("Authorization", "Bearer " + Token(sub)), ("Content-Type", "application/json"));
            Assert.Equal(200, r.Status);
        }
        // 10 000 entries were accepted and stored while the subscriber read nothing.
        Assert.Equal(10_000, IngestdCli.ReadRecords(fixture.DataDir, "--tenant", sub).Count);

        // The server gave up on it: after draining what was buffered, the stream ends.
        stalled.ReceiveTimeout = 10_000;
        var sink = new byte[65536];
        bool closed = false;
        try
        {
            for (int i = 0; i < 100_000 && !closed; i++) closed = stalled.Receive(sink) == 0;
        }
        catch (SocketException) { closed = true; }
        Assert.True(closed);
    }
}
