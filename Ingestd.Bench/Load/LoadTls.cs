using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Ingestd.Bench.Load;

/// <summary>TLS settings for an https:// load run: what a shipper would negotiate against ingestd.</summary>
internal static class LoadTls
{
    public static SslClientAuthenticationOptions ClientOptions(Uri url, string? caPath)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = url.IdnHost,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        };
        if (caPath is not null)
        {
            var ca = new X509Certificate2Collection();
            try { ca.ImportFromPemFile(caPath); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new ArgumentException($"--cacert: {e.Message}");
            }
            if (ca.Count == 0) throw new ArgumentException($"--cacert: no PEM certificate in {caPath}");
            options.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            options.CertificateChainPolicy.CustomTrustStore.AddRange(ca);
        }
        return options;
    }
}
