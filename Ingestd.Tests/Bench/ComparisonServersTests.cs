using System.Diagnostics;
using System.Text;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Bench;

/// <summary>
/// The comparison servers of <c>Ingestd.Bench compare</c> answer like the daemon: one seed body
/// in, 202 out, the event stored. Runs the built Ingestd.Bench (the solution build makes it).
/// </summary>
public sealed class ComparisonServersTests
{
    [Fact]
    public async Task Ordinary_kestrel_server_accepts_a_drain_body_and_appends_one_ndjson_line()
    {
        using var dir = new TempDir("ingestd-compare");
        string outFile = dir.File("events.ndjson");
        using var server = BenchServer.Start("kestrel-ordinary", "--out", outFile);

        var response = await server.PostDrainAsync(DrainBodies.Body("org-xyz", "cmp", 1));

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal("""{"status":"accepted"}""", await response.Content.ReadAsStringAsync());
        // The writer appends after the answer (acknowledged at the channel): wait, bounded.
        string[] lines = [];
        for (int i = 0; i < 100 && lines.Length == 0; i++)
        {
            await Task.Delay(50);
            lines = File.Exists(outFile) ? File.ReadAllLines(outFile) : [];
        }
        var line = Assert.Single(lines);
        Assert.Contains("\"message\":\"cmp-0\"", line);
        Assert.Contains("\"project_id\":\"org-xyz\"", line);
    }

    [Fact]
    public async Task Kestrel_hosted_ingestd_accepts_a_drain_body_into_a_segment()
    {
        using var dir = new TempDir("ingestd-compare");
        string dataDir = dir.File("data");
        using var server = BenchServer.Start("kestrel-ingestd", "--data-dir", dataDir);

        var response = await server.PostDrainAsync(DrainBodies.Body("org-xyz", "cmp", 3));

        Assert.Equal(202, (int)response.StatusCode);
        // durability = write: the block is in the segment file before the answer.
        var segment = Assert.Single(Directory.GetFiles(dataDir, "*.seg"));
        Assert.True(new FileInfo(segment).Length > 32 + 52);
    }

    private sealed class BenchServer : IDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

        private BenchServer(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public static BenchServer Start(string command, params string[] args)
        {
            string dll = BenchDll();
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { dll, command, "--listen", "127.0.0.1:0" }.Concat(args)) psi.ArgumentList.Add(a);
            var process = Process.Start(psi)!;
            var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var log = new StringBuilder();
            void OnLine(string? line)
            {
                if (line is null) return;
                lock (log) log.AppendLine(line);
                const string marker = "Now listening on: http://127.0.0.1:";
                int at = line.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0 && int.TryParse(line.AsSpan(at + marker.Length).Trim(), out int p)) port.TrySetResult(p);
            }
            process.OutputDataReceived += (_, e) => OnLine(e.Data);
            process.ErrorDataReceived += (_, e) => OnLine(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!port.Task.Wait(TimeSpan.FromSeconds(60)))
            {
                process.Kill();
                lock (log) throw new TimeoutException($"{command} did not report its port:\n{log}");
            }
            return new BenchServer(process, port.Task.Result);
        }

        public Task<HttpResponseMessage> PostDrainAsync(string body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{Port}/v1/drain")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("Authorization", "tok-bench");
            return _http.SendAsync(request);
        }

        // Ingestd.Bench is built beside the tests by the solution build, same configuration.
        private static string BenchDll()
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));   // Ingestd.Tests/bin/<Config>/net10.0
            string config = testBin.Parent!.Name;
            string repo = testBin.Parent.Parent!.Parent!.Parent!.FullName;
            string dll = Path.Combine(repo, "Ingestd.Bench", "bin", config, "net10.0", "Ingestd.Bench.dll");
            if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} not built: run `make build` (builds the whole solution) first");
            return dll;
        }

        public void Dispose()
        {
            _http.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(10_000);
            }
            _process.Dispose();
        }
    }
}
