using System.Diagnostics;
using System.Net.Http;
using System.Text;
using System.Text.Json;

namespace Ingestd.Tests.Support;

/// <summary>
/// A real <c>clickhouse-server</c> (Debian's 18.16, scripts/install-test-deps.sh) on 127.0.0.1, from a config this
/// class writes: free ports for HTTP, native TCP and interserver, data and temp files in the given directory, the
/// <c>default</c> user without a password and a <c>writer</c> user with <see cref="WriterPassword"/>. Killed on dispose.
/// </summary>
public sealed class ClickHouseServer : IDisposable
{
    public const string WriterPassword = "ch-secret";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly Process _process;
    private readonly StringBuilder _log;

    private ClickHouseServer(Process process, StringBuilder log, string dir, int port)
    {
        _process = process;
        _log = log;
        Directory = dir;
        HttpPort = port;
    }

    /// <summary>The installed server binary, or null (its tests are skipped then).</summary>
    public static string? Executable { get; } = Find();

    public string Directory { get; }
    public int HttpPort { get; }
    public string Url => $"http://127.0.0.1:{HttpPort}";

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    private static string? Find()
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/usr/bin", "/usr/local/bin"]);
        return dirs.Where(d => d.Length > 0).Select(d => Path.Combine(d, "clickhouse-server")).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// Starts a server keeping its data in <paramref name="dir"/> (a restart on the same directory and port finds its
    /// tables again); returns once <c>/ping</c> answers. 18.16 needs little: ports, paths, <c>mark_cache_size</c> (it
    /// refuses to start without it) and users, which may live in the same file.
    /// </summary>
    public static ClickHouseServer Start(string dir, int? httpPort = null)
    {
        int port = httpPort ?? TestPorts.FreePort();
        string config = Path.Combine(dir, "config.xml");
        File.WriteAllText(config, $"""
            <?xml version="1.0"?>
            <yandex>
                <logger><level>warning</level><console>1</console></logger>
                <listen_host>127.0.0.1</listen_host>
                <http_port>{port}</http_port>
                <tcp_port>{TestPorts.FreePort()}</tcp_port>
                <interserver_http_port>{TestPorts.FreePort()}</interserver_http_port>
                <path>{dir}/data/</path>
                <tmp_path>{dir}/data/tmp/</tmp_path>
                <user_files_path>{dir}/data/user_files/</user_files_path>
                <format_schema_path>{dir}/data/format_schemas/</format_schema_path>
                <mark_cache_size>67108864</mark_cache_size>
                <timezone>UTC</timezone>
                <users_config>{config}</users_config>
                <profiles><default/></profiles>
                <quotas><default/></quotas>
                <users>
                    <default><password/><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
                    <writer><password>{WriterPassword}</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></writer>
                </users>
            </yandex>
            """);
        var log = new StringBuilder();
        var process = ExternalProcess.Start(Executable ?? throw new InvalidOperationException("clickhouse-server is not installed"),
            ["--config-file=" + config], log);
        for (int i = 0; i < 600; i++)
        {
            try
            {
                using var ping = Http.GetAsync($"http://127.0.0.1:{port}/ping").GetAwaiter().GetResult();
                if (ping.IsSuccessStatusCode) return new ClickHouseServer(process, log, dir, port);
            }
            catch (HttpRequestException)
            {
            }
            if (process.HasExited) break;
            Thread.Sleep(50);
        }
        if (!process.HasExited) process.Kill();
        process.WaitForExit(10_000);
        lock (log) throw new InvalidOperationException($"clickhouse-server did not start on port {port}:\n{log}");
    }

    /// <summary>Runs one statement as the default user; the answer's body, or an exception with ClickHouse's error.</summary>
    public string Query(string sql)
    {
        // 64-bit integers as JSON numbers, not strings.
        using var response = Http.PostAsync(Url + "/?output_format_json_quote_64bit_integers=0", new StringContent(sql)).GetAwaiter().GetResult();
        string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"ClickHouse answered {(int)response.StatusCode} to {sql}: {body}");
        return body;
    }

    /// <summary>The rows of a <c>SELECT … FORMAT JSON</c> (the format is added).</summary>
    public List<JsonElement> Rows(string select)
    {
        using var doc = JsonDocument.Parse(Query(select + " FORMAT JSON"));
        return doc.RootElement.GetProperty("data").EnumerateArray().Select(r => r.Clone()).ToList();
    }

    public long Count(string table, bool final = false)
        => long.Parse(Query($"SELECT count() FROM {table}{(final ? " FINAL" : "")}").Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>SIGKILL: no shutdown, as a crash or an OOM kill would do.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill();
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}

/// <summary>A test against a real clickhouse-server: skipped, with the reason, where it is not installed.</summary>
public sealed class ClickHouseFactAttribute : FactAttribute
{
    public ClickHouseFactAttribute()
    {
        if (ClickHouseServer.Executable is null)
            Skip = "needs Debian's clickhouse-server (scripts/install-test-deps.sh installs it when run as root)";
    }
}

/// <summary>The Theory counterpart of <see cref="ClickHouseFactAttribute"/>.</summary>
public sealed class ClickHouseTheoryAttribute : TheoryAttribute
{
    public ClickHouseTheoryAttribute()
    {
        if (ClickHouseServer.Executable is null)
            Skip = "needs Debian's clickhouse-server (scripts/install-test-deps.sh installs it when run as root)";
    }
}

/// <summary>One clickhouse-server shared by the tests of a class, started on first use (each test uses its own table).</summary>
public sealed class ClickHouseFixture : IDisposable
{
    private readonly TempDir _dir = new("ingestd-clickhouse");
    private readonly Lazy<ClickHouseServer> _server;

    public ClickHouseFixture() => _server = new Lazy<ClickHouseServer>(() => ClickHouseServer.Start(_dir.Path));

    public ClickHouseServer Server => _server.Value;

    public void Dispose()
    {
        if (_server.IsValueCreated) _server.Value.Dispose();
        _dir.Dispose();
    }
}
