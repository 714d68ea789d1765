using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Tls;

/// <summary>
/// One daemon with a plain listener (plain_http = "redirect") and two TLS listeners made from a CA created with openssl
/// at test time: #0 asks for client certificates (optional), #1 requires them. Tenants: one by API key, one by a
/// client certificate's SHA-256 fingerprint.
/// </summary>
public sealed class TlsFixture : IDisposable
{
    private readonly TempDir _dir = new("ingestd-tls");

    public TlsFixture()
    {
        Pki = new TestPki(_dir.Path);
        var server = Pki.Server("server");
        MappedClient = Pki.Client("client-mapped");
        UnmappedClient = Pki.Client("client-unmapped");
        Stranger = new TestPki(_dir.Path, "other-ca").Client("stranger");
        Daemon = DaemonProcess.Start(_dir.File("data"), $"""
            [server]
            plain_http = "redirect"

            [[server.tls]]
            listen = "127.0.0.1:0"
            certificate = "{server.Certificate}"
            key = "{server.Key}"
            client_ca = "{Pki.Ca}"
            client_certificates = "optional"

            [[server.tls]]
            listen = "127.0.0.1:0"
            certificate = "{server.Certificate}"
            key = "{server.Key}"
            client_ca = "{Pki.Ca}"
            client_certificates = "required"
            hsts_max_age = "1h"

            [[tenants]]
            id = "org-key"
            keys = ["tok-tls"]

            [[tenants]]
            id = "org-cert"
            client_certificate_sha256 = ["{MappedClient.Sha256}"]
            """);
    }

    public TestPki Pki { get; }
    public TestPki.Issued MappedClient { get; }
    public TestPki.Issued UnmappedClient { get; }
    public TestPki.Issued Stranger { get; }
    public DaemonProcess Daemon { get; }
    public string HttpsUrl => $"https://127.0.0.1:{Daemon.TlsPort(0)}";
    public string MtlsUrl => $"https://127.0.0.1:{Daemon.TlsPort(1)}";

    public void Dispose()
    {
        Daemon.Dispose();
        _dir.Dispose();
    }
}

public class TlsListenerTests(TlsFixture fixture) : IClassFixture<TlsFixture>
{
    private const string Jsonl = """{"timestamp": "2025-10-08T12:00:00Z", "level": "info", "message": "MESSAGE"}""";

    private static ExternalProcess.Result Curl(params string[] args) => ExternalProcess.Run("curl", ["-sS", "--max-time", "30", .. args], timeoutMs: 60_000);

    private ExternalProcess.Result CurlGuardian(string url, string message, params string[] extra) =>
        Curl(["--cacert", fixture.Pki.Ca, "-o", "-", "-w", "\n%{http_code}", "-H", "Content-Type: application/x-ndjson",
            "--data-binary", Jsonl.Replace("MESSAGE", message), .. extra, url + "/api/ingest"]);

    private static int StatusOf(ExternalProcess.Result r) => int.Parse(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last());

    private List<JsonElement> Stored(string message) =>
        IngestdCli.ReadRecords(fixture.Daemon.DataDir, "--dialect", "guardian")
            .Where(x => x.GetProperty("event").TryGetProperty("message", out var m) && m.GetString() == message).ToList();

    private ExternalProcess.Result SClient(int port, params string[] args) =>
        ExternalProcess.Run("sh", ["-c", $"echo | openssl s_client -connect 127.0.0.1:{port} -CAfile {fixture.Pki.Ca} {string.Join(' ', args)} 2>&1"], timeoutMs: 60_000);

    [Fact]
    public void Events_posted_with_curl_over_TLS_land_in_the_segment_with_the_key_tenant()
    {
        var r = CurlGuardian(fixture.HttpsUrl, "over-tls-curl", "-H", "X-API-Key: tok-tls");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(202, StatusOf(r));
        var stored = Assert.Single(Stored("over-tls-curl"));
        Assert.Equal("org-key", stored.GetProperty("tenant").GetString());
    }

    [Theory]
    [InlineData("-tls1_2", "TLSv1.2")]
    [InlineData("-tls1_3", "TLSv1.3")]
    public void TLS_1_2_and_1_3_are_both_accepted(string flag, string protocol)
    {
        var r = SClient(fixture.Daemon.TlsPort(0), flag);
        Assert.Contains($"New, {protocol}, Cipher is", r.Stdout);
        Assert.Contains("Verify return code: 0 (ok)", r.Stdout);
    }

    [Fact]
    public void TLS_1_1_is_refused_by_the_server()
    {
        // SECLEVEL=0 lets the local OpenSSL offer TLS 1.1 at all, so the refusal seen is the server's alert.
        var r = Curl("--cacert", fixture.Pki.Ca, "--tlsv1.1", "--tls-max", "1.1", "--ciphers", "DEFAULT@SECLEVEL=0", fixture.HttpsUrl + "/health");
        Assert.Equal(35, r.ExitCode);
        Assert.Contains("protocol version", r.Stderr);
    }

    [Fact]
    public void ALPN_negotiates_http_1_1_and_never_h2()
    {
        Assert.Contains("ALPN protocol: http/1.1", SClient(fixture.Daemon.TlsPort(0), "-alpn", "h2,http/1.1").Stdout);
        Assert.DoesNotContain("ALPN protocol: h2", SClient(fixture.Daemon.TlsPort(0), "-alpn", "h2").Stdout);
    }

    [Fact]
    public void Curl_speaks_HTTP_1_1_over_TLS()
    {
        var r = Curl("--cacert", fixture.Pki.Ca, "-o", "/dev/null", "-w", "%{http_version} %{http_code}", fixture.HttpsUrl + "/health");
        Assert.Equal("1.1 200", r.Stdout);
    }

    [Fact]
    public void HSTS_header_is_sent_over_TLS_and_never_over_plain_HTTP()
    {
        using (var tls = new TlsHttp(fixture.Daemon.TlsPort(0), fixture.Pki.Ca))
            Assert.Equal("max-age=31536000", tls.Exchange("GET", "/health", null).Header("Strict-Transport-Security"));
        Assert.Null(RawHttp.Once(fixture.Daemon.Port, "GET", "/health", null).Header("Strict-Transport-Security"));
    }

    [Fact]
    public void HSTS_max_age_follows_the_listener_setting()
    {
        using var tls = new TlsHttp(fixture.Daemon.TlsPort(1), fixture.Pki.Ca, X509Certificate2.CreateFromPemFile(fixture.UnmappedClient.Certificate, fixture.UnmappedClient.Key));
        Assert.Equal("max-age=3600", tls.Exchange("GET", "/health", null).Header("Strict-Transport-Security"));
    }

    [Fact]
    public void Plain_listener_redirects_Guardian_route_to_https_with_308()
    {
        var r = RawHttp.Once(fixture.Daemon.Port, "POST", "/api/ingest?x=1", Jsonl, ("Content-Type", "application/x-ndjson"), ("X-API-Key", "tok-tls"));
        Assert.Equal(308, r.Status);
        Assert.Equal($"https://127.0.0.1:{fixture.Daemon.TlsPort(0)}/api/ingest?x=1", r.Header("Location"));
        Assert.Equal("https_required", JsonDocument.Parse(r.Body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public void Plain_listener_still_serves_other_routes()
        => Assert.Equal(200, RawHttp.Once(fixture.Daemon.Port, "GET", "/health", null).Status);

    [Fact]
    public void Curl_following_the_redirect_stores_the_events_over_TLS()
    {
        var r = CurlGuardian($"http://127.0.0.1:{fixture.Daemon.Port}", "followed-redirect", "-L", "-H", "X-API-Key: tok-tls");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(202, StatusOf(r));
        Assert.Single(Stored("followed-redirect"));
    }

    [Fact]
    public void Mapped_client_certificate_authenticates_as_its_tenant_without_an_API_key()
    {
        var r = CurlGuardian(fixture.HttpsUrl, "by-certificate", "--cert", fixture.MappedClient.Certificate, "--key", fixture.MappedClient.Key);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(202, StatusOf(r));
        Assert.Equal("org-cert", Assert.Single(Stored("by-certificate")).GetProperty("tenant").GetString());
    }

    [Fact]
    public void Unmapped_client_certificate_still_needs_an_API_key()
    {
        var r = CurlGuardian(fixture.HttpsUrl, "unmapped-no-key", "--cert", fixture.UnmappedClient.Certificate, "--key", fixture.UnmappedClient.Key);
        Assert.Equal(401, StatusOf(r));
        Assert.Empty(Stored("unmapped-no-key"));
    }

    [Fact]
    public void Required_client_certificates_refuse_a_client_without_one()
    {
        var r = CurlGuardian(fixture.MtlsUrl, "mtls-no-cert", "-H", "X-API-Key: tok-tls");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Empty(Stored("mtls-no-cert"));
    }

    [Fact]
    public void Required_client_certificates_refuse_one_from_another_CA()
    {
        var r = CurlGuardian(fixture.MtlsUrl, "mtls-stranger", "-H", "X-API-Key: tok-tls", "--cert", fixture.Stranger.Certificate, "--key", fixture.Stranger.Key);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Empty(Stored("mtls-stranger"));
    }

    [Fact]
    public void Required_client_certificates_store_a_mapped_client_under_its_tenant()
    {
        var r = CurlGuardian(fixture.MtlsUrl, "mtls-mapped", "--cert", fixture.MappedClient.Certificate, "--key", fixture.MappedClient.Key);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(202, StatusOf(r));
        Assert.Equal("org-cert", Assert.Single(Stored("mtls-mapped")).GetProperty("tenant").GetString());
    }

    [Fact]
    public void The_official_Elasticsearch_client_ships_over_TLS_trusting_the_test_CA()
    {
        // Node's own TLS stack, trusting the CA the way an operator would tell it to (NODE_EXTRA_CA_CERTS).
        var r = ExternalProcess.Node("elastic.mjs", new Dictionary<string, string> { ["ES_PASSWORD"] = "tok-tls", ["NODE_EXTRA_CA_CERTS"] = fixture.Pki.Ca },
            fixture.HttpsUrl, "logs-over-tls", "50", "es-over-tls");
        Assert.True(r.ExitCode == 0, $"client failed ({r.ExitCode}):\n{r.Stdout}\n{r.Stderr}");
        var stored = IngestdCli.ReadRecords(fixture.Daemon.DataDir, "--dialect", "elastic")
            .Where(x => x.GetProperty("event").TryGetProperty("message", out var m) && m.GetString()!.StartsWith("es-over-tls-", StringComparison.Ordinal)).ToList();
        Assert.Equal(50, stored.Count);
        Assert.All(stored, x => Assert.Equal("org-key", x.GetProperty("tenant").GetString()));
    }

    [Fact]
    public void Handshake_outcomes_are_counted_in_metrics()
    {
        var r = Curl(fixture.HttpsUrl + "/health"); // no --cacert: the client refuses the server, a failed handshake for the server too
        Assert.NotEqual(0, r.ExitCode);
        var metrics = Curl("--cacert", fixture.Pki.Ca, fixture.HttpsUrl + "/metrics").Stdout;
        Assert.Matches(@"ingestd_tls_handshakes_total\{outcome=""ok""\} [1-9]", metrics);
        Assert.Matches(@"ingestd_tls_handshakes_total\{outcome=""failed""\} [1-9]", metrics);
    }
}
