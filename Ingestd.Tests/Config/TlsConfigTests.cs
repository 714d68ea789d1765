using System.Net;
using Ingestd.Config;

namespace Ingestd.Tests.Config;

public class TlsConfigTests
{
    private static IngestdConfig Load(string text) => ConfigLoader.Parse(text, "ingestd.conf");

    private static string Fail(string text) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text, "ingestd.conf")).Message;

    private const string Block = "[[server.tls]]\nlisten = \"127.0.0.1:8443\"\ncertificate = \"chain.pem\"\nkey = \"key.pem\"\n";

    [Fact]
    public void A_tls_block_gives_a_listener_with_one_year_HSTS_and_no_client_certificates()
    {
        var tls = Assert.Single(Load(Block).Server.Tls);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8443), tls.Listen);
        Assert.Equal("chain.pem", tls.CertificatePath);
        Assert.Equal("key.pem", tls.KeyPath);
        Assert.Equal(ClientCertificateMode.None, tls.ClientCertificates);
        Assert.Equal(TimeSpan.FromDays(365), tls.HstsMaxAge);
    }

    [Fact]
    public void Client_ca_with_required_mode_and_hsts_max_age_are_read()
    {
        var tls = Assert.Single(Load(Block + "client_ca = \"ca.pem\"\nclient_certificates = \"required\"\nhsts_max_age = \"1h\"\n").Server.Tls);
        Assert.Equal("ca.pem", tls.ClientCaPath);
        Assert.Equal(ClientCertificateMode.Required, tls.ClientCertificates);
        Assert.Equal(TimeSpan.FromHours(1), tls.HstsMaxAge);
    }

    [Fact]
    public void Client_ca_alone_means_optional_client_certificates()
        => Assert.Equal(ClientCertificateMode.Optional, Load(Block + "client_ca = \"ca.pem\"\n").Server.Tls[0].ClientCertificates);

    [Fact]
    public void An_empty_plain_listen_list_is_allowed_with_a_tls_listener()
        => Assert.Empty(Load("[server]\nlisten = []\n" + Block).Server.Listen);

    [Fact]
    public void Tls_limits_have_defaults_and_can_be_set()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), IngestdConfig.Defaults.Limits.TlsHandshakeTimeout);
        Assert.Equal(256, IngestdConfig.Defaults.Limits.MaxTlsHandshakes);
        var limits = Load("[limits]\ntls_handshake_timeout = \"3s\"\nmax_tls_handshakes = 7\n").Limits;
        Assert.Equal(TimeSpan.FromSeconds(3), limits.TlsHandshakeTimeout);
        Assert.Equal(7, limits.MaxTlsHandshakes);
    }

    [Theory]
    [InlineData("serve", "Serve")]
    [InlineData("redirect", "Redirect")]
    [InlineData("upgrade_required", "UpgradeRequired")]
    public void Plain_http_policy_is_read(string value, string expected)
        => Assert.Equal(expected, Load($"[server]\nplain_http = \"{value}\"\n").Server.PlainHttp.ToString());

    [Fact]
    public void Tenant_certificate_fingerprints_are_normalised_to_upper_case_hex()
    {
        string colons = string.Join(':', Enumerable.Repeat("ab", 32));
        var tenant = Assert.Single(Load($"[[tenants]]\nid = \"t\"\nclient_certificate_sha256 = [\"{colons}\"]\n").Tenants);
        Assert.Equal(string.Concat(Enumerable.Repeat("AB", 32)), Assert.Single(tenant.ClientCertificateSha256));
    }

    [Theory]
    [InlineData(Block + "port = 1\n", "ingestd.conf:5: unknown key 'server.tls.port'")]
    [InlineData("[[server.tls]]\nlisten = \"127.0.0.1:8443\"\nkey = \"k.pem\"\n", "ingestd.conf:1: server.tls: missing required key 'certificate' (PEM certificate chain)")]
    [InlineData("[[server.tls]]\nlisten = \"127.0.0.1:8443\"\ncertificate = \"c.pem\"\n", "ingestd.conf:1: server.tls: missing required key 'key' (PEM private key)")]
    [InlineData(Block + "client_certificates = \"required\"\n", "ingestd.conf:5: server.tls.client_certificates: needs client_ca (the CA file client certificates are checked against)")]
    [InlineData(Block + "client_ca = \"ca.pem\"\nclient_certificates = \"maybe\"\n", "ingestd.conf:6: server.tls.client_certificates: expected one of optional, required, got \"maybe\"")]
    [InlineData("[server]\nplain_http = \"drop\"\n", "ingestd.conf:2: server.plain_http: expected one of serve, redirect, upgrade_required, got \"drop\"")]
    [InlineData("[server]\nlisten = \"127.0.0.1:8443\"\n" + Block, "ingestd.conf:1: server.tls.listen: 127.0.0.1:8443 is used by more than one listener")]
    [InlineData("[[tenants]]\nid = \"t\"\nclient_certificate_sha256 = [\"abc\"]\n", "ingestd.conf:3: tenants.client_certificate_sha256: expected a SHA-256 fingerprint (64 hex digits, colons allowed), got \"abc\"")]
    public void Bad_tls_settings_stop_start_up_naming_the_line(string text, string expected)
        => Assert.Equal(expected, Fail(text));
}
