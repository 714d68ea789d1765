using System.Net.Sockets;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Tls;

/// <summary>TLS listeners across their life: start-up checks, certificate reload on SIGHUP, handshake timeout and cap.</summary>
public class TlsLifecycleTests
{
    private static string Config(TestPki.Issued server, string extra = "", string limits = "", string listener = "") => $"""
        [server]
        {extra}

        [limits]
        {limits}

        [[server.tls]]
        listen = "127.0.0.1:0"
        certificate = "{server.Certificate}"
        key = "{server.Key}"
        {listener}
        """;

    private static string Metrics(DaemonProcess daemon) => RawHttp.Once(daemon.Port, "GET", "/metrics", null).Body;

    [Fact]
    public void Reload_serves_the_new_certificate_to_new_connections_and_keeps_open_ones_working()
    {
        using var dir = new TempDir("ingestd-tls-reload");
        var pki = new TestPki(dir.Path);
        var first = pki.Server("first");
        var second = pki.Server("second");
        string live = dir.File("live.pem"), liveKey = dir.File("live.key");
        File.Copy(first.Certificate, live);
        File.Copy(first.Key, liveKey);
        using var daemon = DaemonProcess.Start(dir.File("data"), Config(new TestPki.Issued(live, liveKey)));

        using var old = new TlsHttp(daemon.TlsPort(), pki.Ca);
        Assert.Equal(first.Sha256, old.ServerCertificateSha256);
        Assert.Equal(200, old.Exchange("GET", "/health", null).Status);

        File.Copy(second.Certificate, live, overwrite: true);
        File.Copy(second.Key, liveKey, overwrite: true);
        daemon.Signal(1); // SIGHUP
        daemon.WaitForOutput("certificate re-read");

        using (var fresh = new TlsHttp(daemon.TlsPort(), pki.Ca))
            Assert.Equal(second.Sha256, fresh.ServerCertificateSha256);
        Assert.Equal(200, old.Exchange("GET", "/health", null).Status);
        Assert.Equal(first.Sha256, old.ServerCertificateSha256);
    }

    [Fact]
    public void Reload_with_a_bad_certificate_file_keeps_the_old_certificate_and_says_why()
    {
        using var dir = new TempDir("ingestd-tls-badreload");
        var pki = new TestPki(dir.Path);
        var first = pki.Server("first");
        string live = dir.File("live.pem"), liveKey = dir.File("live.key");
        File.Copy(first.Certificate, live);
        File.Copy(first.Key, liveKey);
        using var daemon = DaemonProcess.Start(dir.File("data"), Config(new TestPki.Issued(live, liveKey)));

        File.WriteAllText(live, "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n");
        daemon.Signal(1);
        daemon.WaitForOutput("keeps its current certificate");
        Assert.Contains(live, daemon.Output);

        using var fresh = new TlsHttp(daemon.TlsPort(), pki.Ca);
        Assert.Equal(first.Sha256, fresh.ServerCertificateSha256);
        Assert.Equal(200, fresh.Exchange("GET", "/health", null).Status);
    }

    [Fact]
    public void Certificates_are_re_read_even_when_the_reloaded_config_file_is_rejected()
    {
        using var dir = new TempDir("ingestd-tls-reload-badconf");
        var pki = new TestPki(dir.Path);
        var first = pki.Server("first");
        var second = pki.Server("second");
        string live = dir.File("live.pem"), liveKey = dir.File("live.key");
        File.Copy(first.Certificate, live);
        File.Copy(first.Key, liveKey);
        using var daemon = DaemonProcess.Start(dir.File("data"), Config(new TestPki.Issued(live, liveKey)));

        File.Copy(second.Certificate, live, overwrite: true);
        File.Copy(second.Key, liveKey, overwrite: true);
        File.AppendAllText(daemon.ConfigPath, "\nnot_a_key = 1\n");
        daemon.Signal(1);
        daemon.WaitForOutput("certificate re-read");
        Assert.Contains("reload rejected", daemon.Output);

        using var fresh = new TlsHttp(daemon.TlsPort(), pki.Ca);
        Assert.Equal(second.Sha256, fresh.ServerCertificateSha256);
    }

    [Fact]
    public void A_key_that_does_not_match_the_certificate_stops_start_up_naming_the_files()
    {
        using var dir = new TempDir("ingestd-tls-badstart");
        var pki = new TestPki(dir.Path);
        var a = pki.Server("a");
        var b = pki.Server("b");
        var e = Assert.ThrowsAny<Exception>(() => DaemonProcess.Start(dir.File("data"), Config(new TestPki.Issued(a.Certificate, b.Key))));
        Assert.True(e.ToString().Contains("cannot start: TLS certificate " + a.Certificate), e.ToString());
    }

    [Fact]
    public void A_silent_client_is_disconnected_after_the_handshake_timeout()
    {
        using var dir = new TempDir("ingestd-tls-timeout");
        var pki = new TestPki(dir.Path);
        using var daemon = DaemonProcess.Start(dir.File("data"), Config(pki.Server("server"), limits: "tls_handshake_timeout = \"1s\""));
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Connect("127.0.0.1", daemon.TlsPort());
        silent.ReceiveTimeout = 30_000;
        Assert.Equal(0, ReceiveOrReset(silent));
        Assert.Contains("ingestd_tls_handshakes_total{outcome=\"timeout\"} 1", Metrics(daemon));
    }

    [Fact]
    public void Connections_beyond_the_handshake_cap_are_closed_at_once_and_counted()
    {
        using var dir = new TempDir("ingestd-tls-cap");
        var pki = new TestPki(dir.Path);
        using var daemon = DaemonProcess.Start(dir.File("data"), Config(pki.Server("server"), limits: "max_tls_handshakes = 2\ntls_handshake_timeout = \"60s\""));
        var silent = new List<Socket>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                s.Connect("127.0.0.1", daemon.TlsPort());
                silent.Add(s);
            }
            // The two silent handshakes must be in progress before the third arrives: wait until the daemon sees a refusal.
            string metrics = "";
            for (int attempt = 0; attempt < 50 && !metrics.Contains("outcome=\"refused\"} 1"); attempt++)
            {
                using var third = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                third.Connect("127.0.0.1", daemon.TlsPort());
                // A third that won the race into a handshake stays open: it is let go and the next one tried.
                third.ReceiveTimeout = 2000;
                ReceiveOrReset(third);
                metrics = Metrics(daemon);
            }
            Assert.Contains("ingestd_tls_handshakes_total{outcome=\"refused\"} ", metrics);
            Assert.Contains("ingestd_tls_handshakes_total{outcome=\"ok\"} 0", metrics);
        }
        finally
        {
            foreach (var s in silent) s.Dispose();
        }
        // With the slow clients gone, a real client gets through (the cap frees as their handshakes fail).
        for (int attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var tls = new TlsHttp(daemon.TlsPort(), pki.Ca);
                Assert.Equal(200, tls.Exchange("GET", "/health", null).Status);
                return;
            }
            catch (IOException) { Thread.Sleep(100); }
        }
        Assert.Fail("no TLS client got through after the silent ones left:\n" + daemon.Output);
    }

    [Fact]
    public void HSTS_turned_off_on_a_listener_stays_on_for_Guardian_route()
    {
        using var dir = new TempDir("ingestd-tls-hsts-off");
        var pki = new TestPki(dir.Path);
        using var daemon = DaemonProcess.Start(dir.File("data"), Config(pki.Server("server"), listener: "hsts_max_age = \"0\""));
        using var tls = new TlsHttp(daemon.TlsPort(), pki.Ca);
        Assert.Null(tls.Exchange("GET", "/health", null).Header("Strict-Transport-Security"));
        Assert.Equal("max-age=31536000", tls.Exchange("POST", "/api/ingest", "{}", ("Content-Type", "application/json")).Header("Strict-Transport-Security"));
    }

    [Fact]
    public void Plain_listener_can_answer_426_on_Guardian_route()
    {
        using var dir = new TempDir("ingestd-tls-426");
        var pki = new TestPki(dir.Path);
        using var daemon = DaemonProcess.Start(dir.File("data"), Config(pki.Server("server"), extra: "plain_http = \"upgrade_required\""));
        var r = RawHttp.Once(daemon.Port, "POST", "/api/ingest", "{}", ("Content-Type", "application/json"));
        Assert.Equal(426, r.Status);
        Assert.Equal("TLS/1.2, HTTP/1.1", r.Header("Upgrade"));
        using var tls = new TlsHttp(daemon.TlsPort(), pki.Ca);
        Assert.NotEqual(426, tls.Exchange("POST", "/api/ingest", "{}", ("Content-Type", "application/json")).Status);
    }

    // 0 when the server closed (FIN or RST), -1 when nothing came within the socket's receive timeout; else the bytes' count.
    private static int ReceiveOrReset(Socket socket)
    {
        try { return socket.Receive(new byte[1024]); }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { return 0; }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut) { return -1; }
    }
}
