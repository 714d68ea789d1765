using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ingestd.Bench.Load;
using Ingestd.Bench.Micro;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Bench;

/// <summary>The load generator counts correctly against the real daemon and against odd but valid responses.</summary>
public class LoadGeneratorTests
{
    [Fact]
    public async Task Counts_every_request_the_daemon_stored()
    {
        using var dir = new TempDir("ingestd-load");
        using var daemon = DaemonProcess.Start(dir.File("data"));
        var body = BenchData.Drain500;

        var result = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = new Uri(daemon.BaseUrl + "/v1/drain"),
            Body = body,
            Connections = 4,
            Duration = TimeSpan.FromSeconds(1),
        });

        Assert.True(result.Requests > 0);
        Assert.Equal(result.Requests, result.Ok2xx);
        Assert.Empty(result.NonSuccessByStatus);
        Assert.Equal(0, result.Errors);
        Assert.Equal(500, result.EventsPerRequest);
        Assert.NotNull(result.ServerCpuSeconds); // the daemon's PID was found from its listening port
        Assert.Equal(0, daemon.Terminate());
        var stored = IngestdCli.Run("read", "--data-dir", daemon.DataDir);
        Assert.Equal(0, stored.ExitCode);
        Assert.Equal(result.Requests * 500, stored.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LongLength);
    }

    [Theory]
    [InlineData("HTTP/1.1 202 Accepted\r\nContent-Length: 21\r\n\r\n{\"status\":\"accepted\"}")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\n")]
    [InlineData("HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("HTTP/1.0 202 Accepted\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("HTTP/1.1 202 Accepted\r\n\r\nbody until close")]
    [InlineData("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")]
    public async Task Counts_each_response_however_it_is_framed(string response)
    {
        await using var server = new CannedServer(response);
        var result = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = new Uri($"http://127.0.0.1:{server.Port}/x"),
            Body = "{\"events\":[{},{}]}"u8.ToArray(),
            Connections = 2,
            // Long enough for a reconnecting (HTTP/1.0, close) client to finish a request on a loaded 2-core machine.
            Duration = TimeSpan.FromSeconds(1.5),
            ServerPid = Environment.ProcessId,
        });

        Assert.True(result.Requests > 0);
        Assert.Equal(0, result.Errors);
        Assert.Equal(result.Requests, result.Ok2xx);
        Assert.Equal(server.Answered, result.Requests);
        Assert.Equal(2, result.EventsPerRequest);
    }

    [Fact]
    public async Task Counts_non_2xx_responses_by_status()
    {
        await using var server = new CannedServer("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n");
        var result = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = new Uri($"http://127.0.0.1:{server.Port}/x"),
            Body = "{}"u8.ToArray(),
            Connections = 1,
            // Long enough for at least one answer while the rest of the suite loads the machine (200 ms once got none).
            Duration = TimeSpan.FromSeconds(1),
        });

        Assert.True(result.Requests > 0);
        Assert.Equal(0, result.Ok2xx);
        Assert.Equal(0, result.EventsPerSecond);
        Assert.Equal(result.Requests, Assert.Single(result.NonSuccessByStatus).Value);
        Assert.Equal(429, result.NonSuccessByStatus.Keys.Single());
    }

    [Fact]
    public async Task Paced_run_sends_about_rate_times_duration_requests()
    {
        await using var server = new CannedServer("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
        var result = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = new Uri($"http://127.0.0.1:{server.Port}/x"),
            Body = "{}"u8.ToArray(),
            Connections = 4,
            Duration = TimeSpan.FromSeconds(1),
            Rate = 40,
        });

        // The schedule has exactly rate × duration intended sends; none is dropped or added.
        Assert.Equal(40, result.Requests);
        Assert.Equal(40, server.Answered);
    }

    [Fact]
    public async Task Warmup_requests_are_sent_but_not_counted()
    {
        await using var server = new CannedServer("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
        var result = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = new Uri($"http://127.0.0.1:{server.Port}/x"),
            Body = "{}"u8.ToArray(),
            Connections = 2,
            Duration = TimeSpan.FromSeconds(0.5),
            Warmup = TimeSpan.FromSeconds(0.5),
            Rate = 20,
        });

        Assert.Equal(10, result.Requests);
        Assert.Equal(20, server.Answered);
    }

    [Fact]
    public async Task Refused_connections_count_as_errors()
    {
        int port = TestPorts.FreePort(); // nothing listens there, and no other process is given it meanwhile

        var result = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = new Uri($"http://127.0.0.1:{port}/x"),
            Body = "{}"u8.ToArray(),
            Connections = 1,
            Duration = TimeSpan.FromMilliseconds(300),
        });

        Assert.Equal(0, result.Requests);
        Assert.True(result.Errors > 0);
        Assert.Null(result.ServerCpuSeconds);
    }

    [Fact]
    public void Request_is_built_once_with_framing_and_extra_headers()
    {
        var request = LoadGenerator.BuildRequest(new LoadOptions
        {
            Url = new Uri("http://127.0.0.1:8080/v1/drain?x=1"),
            Body = "abc"u8.ToArray(),
            ContentEncoding = "gzip",
            Headers = [new("Authorization", "tok-bench")],
        });

        Assert.Equal(
            "POST /v1/drain?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\nContent-Length: 3\r\n"
            + "Content-Encoding: gzip\r\nAuthorization: tok-bench\r\n\r\nabc",
            Encoding.ASCII.GetString(request));
    }

    [Fact]
    public void Header_values_with_line_breaks_are_refused()
    {
        Assert.Throws<ArgumentException>(() => LoadGenerator.BuildRequest(new LoadOptions
        {
            Url = new Uri("http://127.0.0.1:8080/"),
            Body = [],
            Headers = [new("X-Evil", "a\r\nInjected: 1")],
        }));
    }

    [Fact]
    public void Reference_bodies_carry_500_events_each()
    {
        Assert.Equal(500, EventCounter.Count(BenchData.Drain500));
        Assert.Equal(500, EventCounter.Count(BenchData.Ndjson500));
        Assert.Equal(500, EventCounter.Count(BenchData.Ndjson500Gzip));
    }

    [Theory]
    [InlineData("{\"events\":[{\"a\":1},{\"a\":2},{\"a\":3}]}", 3)]
    [InlineData("{\"entries\":[{\"a\":1},{\"a\":2}]}", 2)]
    [InlineData("{\"events\":[]}", 0)]
    [InlineData("[{\"a\":1},{\"a\":2},{\"a\":3},{\"a\":4}]", 4)]
    [InlineData("{\n  \"message\": \"one pretty-printed event\"\n}", 1)]
    [InlineData("{\"a\":1}\n{\"a\":2}\n\n{\"a\":3}\n", 3)]
    [InlineData("{\"a\":1}\r\n{\"a\":2}\r\n", 2)]
    [InlineData("2025-10-08 12:00:00 INFO one\n2025-10-08 12:00:01 WARN two\n   \n", 2)]
    public void Events_per_request_are_counted_from_the_body(string body, int expected)
    {
        Assert.Equal(expected, EventCounter.Count(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Gzip_ndjson_is_decompressed_before_counting()
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n{\"a\":4}\n{\"a\":5}\n"u8);
        Assert.Equal(5, EventCounter.Count(output.ToArray()));
    }

    [Fact]
    public void Brotli_body_is_decompressed_when_its_encoding_is_given()
    {
        var output = new MemoryStream();
        using (var br = new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true))
            br.Write("{\"events\":[{},{},{}]}"u8);
        Assert.Equal(3, EventCounter.Count(output.ToArray(), "br"));
    }

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("3", 3_000)]
    public void Durations_take_ms_s_m_suffixes(string text, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), LoadCommand.ParseDuration("--duration", text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ten seconds")]
    [InlineData("-1s")]
    [InlineData("0s")]
    public void Bad_durations_are_refused(string text)
    {
        Assert.Throws<ArgumentException>(() => LoadCommand.ParseDuration("--duration", text));
    }

    [Theory]
    [InlineData("--body x")]
    [InlineData("--url https://example.com/ --body x")]
    [InlineData("--url http://127.0.0.1:1/ --body x --connections 0")]
    [InlineData("--url http://127.0.0.1:1/ --body x --encoding lz4")]
    [InlineData("--url http://127.0.0.1:1/ --body x --frobnicate")]
    [InlineData("--url http://127.0.0.1:1/ --body /nonexistent/body.json")]
    public void Bad_command_lines_exit_non_zero(string commandLine)
    {
        Assert.NotEqual(0, LoadCommand.Run(commandLine.Split(' ')));
    }

    /// <summary>
    /// A tiny HTTP server that reads each request (head plus Content-Length body) and answers with
    /// the same canned bytes; when the canned response closes the connection, it closes it too.
    /// </summary>
    private sealed class CannedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly byte[] _response;
        private readonly bool _close;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private long _answered;

        public CannedServer(string response)
        {
            _response = Encoding.ASCII.GetBytes(response);
            _close = response.Contains("Connection: close") || response.StartsWith("HTTP/1.0") || !response.Contains("Content-Length") && !response.Contains("chunked") && !response.Contains(" 204 ");
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public long Answered => Interlocked.Read(ref _answered);

        private async Task AcceptAsync()
        {
            var connections = new List<Task>();
            try
            {
                while (true) connections.Add(ServeAsync(await _listener.AcceptSocketAsync(_stop.Token)));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
            await Task.WhenAll(connections);
        }

        private async Task ServeAsync(Socket socket)
        {
            using (socket)
            {
                var buffer = new byte[64 * 1024];
                int have = 0;
                try
                {
                    while (true)
                    {
                        int headEnd;
                        while ((headEnd = buffer.AsSpan(0, have).IndexOf("\r\n\r\n"u8)) < 0)
                        {
                            int n = await socket.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None, _stop.Token);
                            if (n == 0) return;
                            have += n;
                        }
                        string head = Encoding.ASCII.GetString(buffer, 0, headEnd);
                        int length = int.Parse(head.Split("\r\n").First(l => l.StartsWith("Content-Length:")).Split(':')[1].Trim());
                        int total = headEnd + 4 + length;
                        while (have < total)
                        {
                            int n = await socket.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None, _stop.Token);
                            if (n == 0) return;
                            have += n;
                        }
                        Buffer.BlockCopy(buffer, total, buffer, 0, have - total);
                        have -= total;
                        await socket.SendAsync(_response, SocketFlags.None);
                        Interlocked.Increment(ref _answered);
                        if (_close)
                        {
                            socket.Shutdown(SocketShutdown.Both);
                            return;
                        }
                    }
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException) { }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }
}
