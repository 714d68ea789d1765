using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ingestd.Tests.Shippers;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>The calls besides <c>_bulk</c> that Elasticsearch clients make, answered as Elasticsearch 8.x answers them.</summary>
public class ElasticApiTests(ShipperFixture fixture) : IClassFixture<ShipperFixture>
{
    private static readonly (string, string) Auth = ("Authorization", "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("elastic:tok-ship")));
    private const string Ndjson = "application/x-ndjson";

    private int Port => fixture.Daemon.Port;

    private RawHttp.Reply Send(string method, string path, string? body = null, params (string, string)[] headers)
        => RawHttp.Once(Port, method, path, body, [Auth, .. headers]);

    /// <summary>The raw response (head, body), to see every header line as sent and to choose the Host header.</summary>
    private (string Head, string Body) Raw(string method, string path, string host = "x")
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect("127.0.0.1", Port);
        socket.Send(Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {Auth.Item2}\r\nConnection: close\r\n\r\n"));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = socket.Receive(buffer)) > 0) received.Write(buffer, 0, n);
        var text = Encoding.UTF8.GetString(received.ToArray());
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (text[..end], text[(end + 4)..]);
    }

    [Theory]
    [InlineData("GET", "/pino-logs/_refresh")]
    [InlineData("POST", "/pino-logs/_refresh")]
    [InlineData("GET", "/_refresh")]
    [InlineData("POST", "/_refresh")]
    [InlineData("GET", "/app-logs/_flush")]
    [InlineData("POST", "/_flush")]
    public void Refresh_and_flush_report_every_shard_done(string method, string path)
    {
        var reply = Send(method, path);
        Assert.Equal(200, reply.Status);
        Assert.Equal("Elasticsearch", reply.Header("X-Elastic-Product"));
        var shards = JsonDocument.Parse(reply.Body).RootElement.GetProperty("_shards");
        Assert.Equal(0, shards.GetProperty("failed").GetInt32());
        Assert.Equal(shards.GetProperty("total").GetInt32(), shards.GetProperty("successful").GetInt32());
    }

    [Theory]
    [InlineData("GET", "/pino-logs/_refresh")]
    [InlineData("GET", "/_cat/health")]
    [InlineData("GET", "/_nodes/http")]
    [InlineData("HEAD", "/pino-logs")]
    public void Cluster_calls_need_the_same_credentials_as_bulk(string method, string path)
    {
        var reply = RawHttp.Once(Port, method, path, (string?)null);
        Assert.Equal(401, reply.Status);
        Assert.Equal("Elasticsearch", reply.Header("X-Elastic-Product"));
    }

    [Fact]
    public void Cat_health_answers_one_green_line_of_text()
    {
        var reply = Send("GET", "/_cat/health");
        Assert.Equal(200, reply.Status);
        Assert.StartsWith("text/plain", reply.Header("Content-Type"));
        var columns = reply.Body.TrimEnd('\n').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("ingestd", columns[2]);
        Assert.Equal("green", columns[3]);
        Assert.Equal("100.0%", columns[^1]);
        Assert.InRange(long.Parse(columns[0]), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
    }

    [Fact]
    public void Cat_health_with_v_starts_with_the_column_names()
    {
        var lines = Send("GET", "/_cat/health?v").Body.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("epoch", lines[0]);
        Assert.Contains(" status ", lines[0]);
    }

    [Fact]
    public void Cat_health_with_format_json_answers_an_array_of_string_columns()
    {
        var reply = Send("GET", "/_cat/health?format=json");
        Assert.Equal(200, reply.Status);
        Assert.Equal("application/json", reply.Header("Content-Type"));
        var row = Assert.Single(JsonDocument.Parse(reply.Body).RootElement.EnumerateArray().ToList());
        Assert.Equal("green", row.GetProperty("status").GetString());
        Assert.Equal("1", row.GetProperty("node.total").GetString());
    }

    [Fact]
    public void A_text_answer_carries_one_content_type()
    {
        var (head, _) = Raw("GET", "/_cat/health");
        Assert.Single(head.Split("\r\n"), l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Nodes_http_publishes_the_address_the_client_used()
    {
        var (head, body) = Raw("GET", "/_nodes/http", host: $"127.0.0.1:{Port}");
        Assert.StartsWith("HTTP/1.1 200", head);
        var nodes = JsonDocument.Parse(body).RootElement.GetProperty("nodes").EnumerateObject().ToList();
        var node = Assert.Single(nodes).Value;
        Assert.Equal($"127.0.0.1:{Port}", node.GetProperty("http").GetProperty("publish_address").GetString());
        Assert.Equal("8.17.0", node.GetProperty("version").GetString());
    }

    [Fact]
    public void Head_of_a_valid_index_name_says_it_exists()
    {
        var reply = Send("HEAD", "/logs-winston");
        Assert.Equal(200, reply.Status);
        Assert.Equal("Elasticsearch", reply.Header("X-Elastic-Product"));
    }

    [Theory]
    [InlineData("/Upper")]
    [InlineData("/_private")]
    public void Head_of_an_invalid_index_name_is_404(string path) => Assert.Equal(404, Send("HEAD", path).Status);

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public void Other_methods_on_a_bare_name_stay_an_unknown_path(string method)
    {
        var reply = Send(method, "/nowhere", method == "POST" ? "{}" : null);
        Assert.Equal(404, reply.Status);
        Assert.Equal("not_found", JsonDocument.Parse(reply.Body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public void Bulk_action_line_with_extra_keys_is_stored_with_a_deprecation_warning()
    {
        var reply = Send("POST", "/_bulk", "{\"index\":{\"_index\":\"logs-extra\",\"pipeline\":null},\"attempts\":0}\n{\"message\":\"extra-keys-1\"}\n", ("Content-Type", Ndjson));
        Assert.Equal(200, reply.Status);
        Assert.False(JsonDocument.Parse(reply.Body).RootElement.GetProperty("errors").GetBoolean());
        Assert.StartsWith("299 Elasticsearch-8.17.0-", reply.Header("Warning"));
        Assert.Contains("multiple keys", reply.Header("Warning"));
        Assert.Single(fixture.Records("elastic"), r => r.GetProperty("event").GetProperty("message").GetString() == "extra-keys-1");
    }

    [Fact]
    public void Well_formed_bulk_has_no_warning()
    {
        var reply = Send("POST", "/_bulk", "{\"index\":{\"_index\":\"logs-plain\"}}\n{\"message\":\"plain-1\"}\n", ("Content-Type", Ndjson));
        Assert.Equal(200, reply.Status);
        Assert.Null(reply.Header("Warning"));
    }

    [Fact]
    public void Compatible_with_7_bulk_items_name_type_doc_and_the_answer_its_media_type()
    {
        const string v7 = "application/vnd.elasticsearch+json;compatible-with=7";
        var reply = Send("POST", "/_bulk", "{\"index\":{\"_index\":\"logs-v7\"}}\n{\"message\":\"v7-1\"}\n",
            ("Content-Type", "application/vnd.elasticsearch+x-ndjson;compatible-with=7"), ("Accept", v7));
        Assert.Equal(200, reply.Status);
        Assert.Equal(v7, reply.Header("Content-Type"));
        var item = JsonDocument.Parse(reply.Body).RootElement.GetProperty("items")[0].GetProperty("index");
        Assert.Equal("_doc", item.GetProperty("_type").GetString());
        Assert.Equal(201, item.GetProperty("status").GetInt32());
    }

    [Fact]
    public void Plain_json_bulk_items_have_no_type()
    {
        var reply = Send("POST", "/_bulk", "{\"index\":{\"_index\":\"logs-v8\"}}\n{\"message\":\"v8-1\"}\n", ("Content-Type", Ndjson));
        Assert.Equal("application/json", reply.Header("Content-Type"));
        Assert.False(JsonDocument.Parse(reply.Body).RootElement.GetProperty("items")[0].GetProperty("index").TryGetProperty("_type", out _));
    }
}
