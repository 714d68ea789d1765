using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Query;

/// <summary>
/// A daemon with two tenants (tenant-a: key-a, tenant-b: key-b), an admin key (admin-key-1) and an Air HS256 secret
/// (q-secret), shared by the query tests; each test writes under its own marker (service name or text).
/// </summary>
public sealed class QueryFixture : IDisposable
{
    private readonly TempDir _dir = new("ingestd-query");

    public const string Admin = "admin-key-1";
    public const string KeyA = "key-a";
    public const string KeyB = "key-b";

    public QueryFixture()
    {
        DataDir = _dir.File("data");
        Config = ConfigText();
        Daemon = DaemonProcess.Start(DataDir, Config);
    }

    public static string ConfigText(string extra = "") => $"""
        [auth]
        jwt_hs256_secrets = ["q-secret"]
        admin_keys = ["{Admin}"]

        [[tenants]]
        id = "tenant-a"
        keys = ["{KeyA}"]

        [[tenants]]
        id = "tenant-b"
        keys = ["{KeyB}"]
        {extra}
        """;

    public string DataDir { get; }
    public string Config { get; }
    public DaemonProcess Daemon { get; }

    public void Dispose()
    {
        Daemon.Dispose();
        _dir.Dispose();
    }
}

/// <summary>Writing and reading back through the daemon's HTTP API, for the query tests.</summary>
public static class QueryHttp
{
    public static string AirToken(string tenant) => Jwt.Hs256("q-secret", Jwt.Claims(tenant, exp: Jwt.Now + 3600));

    /// <summary>Astralog events of <paramref name="tenant"/>, one request; asserts the 202.</summary>
    public static void Drain(int port, string key, string tenant, string service, params (string Time, string Level, string Message)[] events)
    {
        var body = new StringBuilder("{\"events\":[");
        for (int i = 0; i < events.Length; i++)
        {
            if (i > 0) body.Append(',');
            var (time, level, message) = events[i];
            body.Append($$"""{"project_id":"{{tenant}}","timestamp":"{{time}}","level":"{{level}}","service":"{{service}}","message":"{{message}}"}""");
        }
        body.Append("]}");
        var headers = key.Length == 0 ? new[] { ("Content-Type", "application/json") } : new[] { ("Content-Type", "application/json"), ("Authorization", key) };
        var r = RawHttp.Once(port, "POST", "/v1/drain", body.ToString(), headers);
        Assert.True(r.Status == 202, $"drain: {r.Status} {r.Body}");
    }

    public static RawHttp.Reply Get(int port, string pathAndQuery, string? key, params (string Name, string Value)[] headers)
    {
        var all = new List<(string, string)>(headers);
        if (key is not null) all.Add(("Authorization", "Bearer " + key));
        return RawHttp.Once(port, "GET", pathAndQuery, null, all.ToArray());
    }

    /// <summary>The NDJSON records of a 200 answer.</summary>
    public static List<JsonElement> Records(RawHttp.Reply reply)
    {
        Assert.True(reply.Status == 200, $"{reply.Status} {reply.Body}");
        var list = new List<JsonElement>();
        foreach (var line in reply.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            list.Add(JsonDocument.Parse(line).RootElement.Clone());
        return list;
    }

    public static List<JsonElement> QueryRecords(int port, string query, string? key = QueryFixture.Admin)
        => Records(Get(port, "/v1/query?" + query, key));

    public static string Q(string text) => Uri.EscapeDataString(text);

    /// <summary>
    /// Opens <c>/v1/tail</c> (or another SSE route) on a raw socket and waits for the stream's opening comment, so
    /// that anything stored from now on is offered to it.
    /// </summary>
    public static Socket OpenStream(int port, string pathAndQuery, string? key, int receiveBufferSize = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBufferSize > 0) socket.ReceiveBufferSize = receiveBufferSize;
        socket.Connect("127.0.0.1", port);
        string auth = key is null ? "" : $"Authorization: Bearer {key}\r\n";
        socket.Send(Encoding.ASCII.GetBytes($"GET {pathAndQuery} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n{auth}\r\n"));
        var head = new byte[8192];
        int got = 0;
        socket.ReceiveTimeout = 10_000;
        for (int i = 0; i < 100 && !Encoding.ASCII.GetString(head, 0, got).Contains(": subscribed"); i++)
        {
            int n = socket.Receive(head, got, head.Length - got, SocketFlags.None);
            if (n == 0) break;
            got += n;
        }
        string text = Encoding.ASCII.GetString(head, 0, got);
        Assert.True(text.StartsWith("HTTP/1.1 200", StringComparison.Ordinal), text);
        return socket;
    }

    /// <summary>Reads SSE frames until <paramref name="count"/> have arrived, the stream ends or <paramref name="within"/> passed.</summary>
    public static List<(string Event, string Data)> ReadFrames(Socket socket, int count, TimeSpan within)
    {
        var frames = new List<(string, string)>();
        var buffer = new StringBuilder();
        var bytes = new byte[65536];
        var deadline = DateTime.UtcNow + within;
        socket.ReceiveTimeout = 500;
        while (frames.Count < count && DateTime.UtcNow < deadline)
        {
            int n;
            try { n = socket.Receive(bytes); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut) { continue; }
            catch (SocketException) { break; }
            if (n == 0) break;
            buffer.Append(Encoding.UTF8.GetString(bytes, 0, n));
            string text = buffer.ToString();
            int end;
            while ((end = text.IndexOf("\n\n", StringComparison.Ordinal)) >= 0)
            {
                string ev = "message", data = "";
                foreach (var line in text[..end].Split('\n'))
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal)) ev = line[7..];
                    else if (line.StartsWith("data: ", StringComparison.Ordinal)) data += line[6..];
                }
                if (data.Length > 0) frames.Add((ev, data));
                text = text[(end + 2)..];
            }
            buffer.Clear().Append(text);
        }
        return frames;
    }
}
