using System.Net.Sockets;
using System.Text;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>Random and truncated input from many connections never takes the daemon down or corrupts what it stored.</summary>
public class HostileInputTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private static readonly string[] Paths = ["/v1/drain", "/api/ingest", "/v1/streams/ingest", "/events/logs", "/v1/ingest/logs", "/_bulk", "/loki/api/v1/push", "/v1/logs", "/services/collector", "/health", "/x"];
    private static readonly string[] Encodings = ["gzip", "deflate", "br", "zstd", "identity", "snappy", "bogus"];
    private static readonly string[] Types = ["application/json", "application/x-ndjson", "text/plain", "application/x-protobuf", "application/octet-stream", ""];

    private static byte[] RandomRequest(Random rng)
    {
        var body = new byte[rng.Next(0, 4000)];
        rng.NextBytes(body);
        if (rng.Next(3) == 0) body = Encoding.UTF8.GetBytes("{\"events\":[{\"project_id\":\"" + new string('x', rng.Next(0, 50)) + "\",\"timestamp\":" + rng.Next() + "}" + new string('[', rng.Next(0, 300)));
        var head = new StringBuilder($"POST {Paths[rng.Next(Paths.Length)]} HTTP/1.1\r\nHost: x\r\n");
        if (rng.Next(2) == 0) head.Append($"Content-Encoding: {Encodings[rng.Next(Encodings.Length)]}\r\n");
        head.Append($"Content-Type: {Types[rng.Next(Types.Length)]}\r\n");
        switch (rng.Next(4))
        {
            case 0: head.Append($"Content-Length: {body.Length}\r\n\r\n"); break;
            case 1: head.Append($"Content-Length: {body.Length + rng.Next(1, 100)}\r\n\r\n"); break; // promises more than it sends
            case 2:
                head.Append("Transfer-Encoding: chunked\r\n\r\n");
                body = [.. Encoding.ASCII.GetBytes($"{body.Length:x}\r\n"), .. body, .. Encoding.ASCII.GetBytes(rng.Next(2) == 0 ? "\r\n0\r\n\r\n" : "\r\nzz\r\n")];
                break;
            default:
                var junk = new byte[rng.Next(1, 300)];
                rng.NextBytes(junk);
                return junk; // not even HTTP
        }
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }

    [Fact]
    public async Task Random_requests_from_many_connections_leave_the_daemon_serving()
    {
        var tasks = Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            var rng = new Random(1234 + worker);
            for (int i = 0; i < 60; i++)
            {
                try
                {
                    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    socket.Connect("127.0.0.1", fixture.Daemon.Port);
                    socket.Send(RandomRequest(rng));
                    if (rng.Next(2) == 0) socket.Send(RandomRequest(rng)); // pipelined garbage
                    socket.ReceiveTimeout = 200;
                    try { socket.Receive(new byte[8192]); } catch (SocketException) { }
                }
                catch (SocketException) { }
            }
        })).ToArray();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.False(fixture.Daemon.HasExited, fixture.Daemon.Output);
        Assert.Equal(200, RawHttp.Once(fixture.Daemon.Port, "GET", "/health", (string?)null).Status);
        using (var http = new RawHttp(fixture.Daemon.Port))
        {
            http.Send(DrainBodies.Request(Encoding.UTF8.GetBytes(DrainBodies.Body("after-hostile", "ok", 3))));
            Assert.Equal(202, http.Receive()!.Status);
        }
        Assert.Equal(3, IngestdCli.ReadRecords(fixture.Daemon.DataDir, "--tenant", "after-hostile").Count);
        // No error lines at all: every bad request was refused by design, none escaped as an exception.
        Assert.DoesNotContain("<3>", fixture.Daemon.Output);
        var verify = IngestdCli.Run("verify", "--data-dir", fixture.Daemon.DataDir);
        Assert.Equal(0, verify.ExitCode);
    }
}
