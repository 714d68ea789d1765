using System.Net;
using System.Text;
using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>Events accepted by POST /v1/drain come back from `ingestd read` with the same content.</summary>
public class DrainRoundTripTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    private static void AssertSameEvents(string tenant, string tag, int count, List<JsonElement> records)
    {
        var mine = records.Where(r => r.GetProperty("event").GetProperty("message").GetString()!.StartsWith(tag + "-")).ToList();
        Assert.Equal(count, mine.Count);
        for (int i = 0; i < count; i++)
        {
            var r = mine[i];
            Assert.Equal(tenant, r.GetProperty("tenant").GetString());
            Assert.Equal("astralog", r.GetProperty("dialect").GetString());
            Assert.Equal("info", r.GetProperty("level").GetString());
            Assert.Equal("api-gateway", r.GetProperty("service").GetString());
            // Byte-identical: the stored event is exactly the JSON that was sent.
            Assert.Equal(DrainBodies.Event(tenant, tag, i), r.GetProperty("event").GetRawText());
        }
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    [InlineData("zstd")]
    public void Encoded_bodies_round_trip(string coding)
    {
        string tenant = "t-enc-" + coding, tag = "enc-" + coding;
        var body = DrainBodies.Encode(Encoding.UTF8.GetBytes(DrainBodies.Body(tenant, tag, 200)), coding);
        using var http = new RawHttp(Daemon.Port);
        http.Send(DrainBodies.Request(body, coding == "identity" ? null : coding));
        var reply = http.Receive()!;
        Assert.Equal(202, reply.Status);
        Assert.Equal("""{"status":"accepted"}""", reply.Body);
        AssertSameEvents(tenant, tag, 200, IngestdCli.ReadRecords(Daemon.DataDir, "--tenant", tenant));
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("gzip")]
    [InlineData("zstd")]
    public void Chunked_bodies_round_trip(string coding)
    {
        string tenant = "t-chunked-" + coding, tag = "chunked-" + coding;
        var body = DrainBodies.Encode(Encoding.UTF8.GetBytes(DrainBodies.Body(tenant, tag, 150)), coding);
        using var http = new RawHttp(Daemon.Port);
        http.Send(DrainBodies.Request(body, coding == "identity" ? null : coding, chunked: true, chunkSize: 777));
        Assert.Equal(202, http.Receive()!.Status);
        AssertSameEvents(tenant, tag, 150, IngestdCli.ReadRecords(Daemon.DataDir, "--tenant", tenant));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Requests_split_into_small_writes_at_odd_boundaries_round_trip(bool chunked)
    {
        string tenant = "t-split-" + chunked, tag = "split-" + chunked;
        var request = DrainBodies.Request(Encoding.UTF8.GetBytes(DrainBodies.Body(tenant, tag, 40)), chunked: chunked, chunkSize: 333);
        using var http = new RawHttp(Daemon.Port);
        http.SendInPieces(request, [1, 7, 2, 13, 64, 3, 511, 1, 29], pauseMs: 0);
        Assert.Equal(202, http.Receive()!.Status);
        AssertSameEvents(tenant, tag, 40, IngestdCli.ReadRecords(Daemon.DataDir, "--tenant", tenant));
    }

    [Fact]
    public void Many_requests_on_one_connection_come_back_in_order()
    {
        string tenant = "t-order";
        using var http = new RawHttp(Daemon.Port);
        for (int r = 0; r < 30; r++)
        {
            http.Send(DrainBodies.Request(Encoding.UTF8.GetBytes(DrainBodies.Body(tenant, $"order{r:00}", 10))));
            Assert.Equal(202, http.Receive()!.Status);
        }
        var messages = IngestdCli.ReadRecords(Daemon.DataDir, "--tenant", tenant)
            .Select(r => r.GetProperty("event").GetProperty("message").GetString()!).ToList();
        var expected = Enumerable.Range(0, 30).SelectMany(r => Enumerable.Range(0, 10).Select(i => $"order{r:00}-{i}")).ToList();
        Assert.Equal(expected, messages);
    }

    [Fact]
    public void Pipelined_requests_are_answered_in_order()
    {
        string tenant = "t-pipelined";
        var bytes = new List<byte>();
        for (int r = 0; r < 5; r++) bytes.AddRange(DrainBodies.Request(Encoding.UTF8.GetBytes(DrainBodies.Body(tenant, $"pipe{r}", 3))));
        bytes.AddRange(Encoding.ASCII.GetBytes("GET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
        using var http = new RawHttp(Daemon.Port);
        http.Send(bytes.ToArray());
        for (int r = 0; r < 5; r++) Assert.Equal(202, http.Receive()!.Status);
        Assert.Equal(404, http.Receive()!.Status);
        Assert.Equal(200, http.Receive()!.Status);
        Assert.Equal(15, IngestdCli.ReadRecords(Daemon.DataDir, "--tenant", tenant).Count);
    }

    [Fact]
    public async Task HttpClient_posts_are_accepted_over_keep_alive()
    {
        string tenant = "t-httpclient";
        using var client = new HttpClient { BaseAddress = new Uri(Daemon.BaseUrl) };
        for (int r = 0; r < 20; r++)
        {
            using var content = new StringContent(DrainBodies.Body(tenant, $"hc{r}", 5), Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("/v1/drain", content);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        Assert.Equal(100, IngestdCli.ReadRecords(Daemon.DataDir, "--tenant", tenant).Count);
    }

    [Fact]
    public void Curl_with_expect_100_continue_is_accepted()
    {
        string tenant = "t-curl";
        using var dir = new TempDir();
        var file = dir.File("body.json");
        File.WriteAllText(file, DrainBodies.Body(tenant, "curl", 50)); // well over 1 KiB: curl sends Expect: 100-continue
        var psi = new System.Diagnostics.ProcessStartInfo("curl", ["-sS", "-o", "-", "-w", "\n%{http_code}", "-H", "Content-Type: application/json",
            "-H", "Expect: 100-continue", "--data-binary", "@" + file, $"{Daemon.BaseUrl}/v1/drain"])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(30_000));
        Assert.EndsWith("202", output.Trim());
        Assert.StartsWith("""{"status":"accepted"}""", output);
        Assert.Equal(50, IngestdCli.ReadRecords(Daemon.DataDir, "--tenant", tenant).Count);
    }

    [Fact]
    public void Http10_request_is_answered_and_closed()
    {
        using var http = new RawHttp(Daemon.Port);
        http.Send("GET /health HTTP/1.0\r\n\r\n");
        var reply = http.Receive()!;
        Assert.Equal(200, reply.Status);
        Assert.Equal("""{"status":"ok"}""", reply.Body);
        Assert.True(http.ServerClosed());
    }

    [Fact]
    public void Connection_close_is_honoured()
    {
        using var http = new RawHttp(Daemon.Port);
        http.Send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        var reply = http.Receive()!;
        Assert.Equal(200, reply.Status);
        Assert.Equal("close", reply.Header("Connection"));
        Assert.True(http.ServerClosed());
    }

    [Fact]
    public void Events_stored_at_a_fast_zstd_level_read_back_the_same()
    {
        using var dir = new TempDir();
        var data = dir.File("data");
        using (var daemon = DaemonProcess.Start(data, "[storage]\ncompression_level = -3\n"))
        {
            using var http = new RawHttp(daemon.Port);
            http.Send(DrainBodies.Request(Encoding.UTF8.GetBytes(DrainBodies.Body("t-fast", "fast", 300))));
            Assert.Equal(202, http.Receive()!.Status);
        }
        AssertSameEvents("t-fast", "fast", 300, IngestdCli.ReadRecords(data, "--tenant", "t-fast"));
    }
}
