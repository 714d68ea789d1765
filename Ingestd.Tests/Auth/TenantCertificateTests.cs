using Ingestd.Auth;
using Ingestd.Config;

namespace Ingestd.Tests.Auth;

/// <summary>Client-certificate fingerprints as tenant credentials (mTLS), beside API keys.</summary>
public class TenantCertificateTests
{
    private static readonly string Fingerprint = string.Concat(Enumerable.Repeat("AB", 32));

    private static TenantDirectory Directory() => new(
    [
        new TenantConfig { Id = "by-key", Keys = ["tok-1"] },
        new TenantConfig { Id = "by-cert", ClientCertificateSha256 = [Fingerprint] },
    ]);

    // What a TLS connection reports: the verified client certificate's fingerprint, or none.
    private static string? Tls(string? fingerprint) => fingerprint;

    [Fact]
    public void A_mapped_certificate_resolves_to_its_tenant()
    {
        Assert.True(Directory().TryResolveCertificate(Tls(Fingerprint), out var tenant));
        Assert.Equal("by-cert", tenant.Id);
    }

    [Fact]
    public void An_unmapped_certificate_or_a_plain_connection_resolves_to_nothing()
    {
        Assert.False(Directory().TryResolveCertificate(Tls(new string('0', 64)), out _));
        Assert.False(Directory().TryResolveCertificate(Tls(null), out _));
        Assert.False(Directory().TryResolveCertificate(null, out _));
    }

    [Fact]
    public void A_mapped_certificate_wins_over_a_key_sent_with_it()
        => Assert.Equal("by-cert", Directory().Require(Tls(Fingerprint), "tok-1"u8, "refused").Id);

    [Fact]
    public void Without_a_mapped_certificate_the_key_decides()
        => Assert.Equal("by-key", Directory().Require(Tls(null), "tok-1"u8, "refused").Id);

    [Fact]
    public void Tenants_known_only_by_certificate_close_the_daemon_to_anonymous_clients()
        => Assert.False(new TenantDirectory([new TenantConfig { Id = "by-cert", ClientCertificateSha256 = [Fingerprint] }]).IsOpen);
}
