using System.Globalization;
using System.Text;

namespace Ingestd.Transport;

/// <summary>
/// What a TLS connection tells the layers above about itself: that it is encrypted (so responses carry HSTS) and
/// which client certificate, if any, the handshake verified (so auth can map it to a tenant). Fixed per connection.
/// </summary>
internal sealed class TransportSecurity
{
    /// <summary>The HSTS value used where a listener turned HSTS off but the route requires it (Guardian): one year.</summary>
    public static readonly byte[] DefaultHsts = HstsValue(TimeSpan.FromDays(365))!;

    public TransportSecurity(byte[]? hsts, string? clientCertificateSha256)
    {
        Hsts = hsts;
        ClientCertificateSha256 = clientCertificateSha256;
        if (clientCertificateSha256 is not null) ClientCertificateScope = Encoding.ASCII.GetBytes("cert:" + clientCertificateSha256);
    }

    /// <summary>"cert:" + fingerprint: stands in for an API key where per-credential state is kept (rate limits, idempotency).</summary>
    public byte[]? ClientCertificateScope { get; }

    /// <summary>The <c>Strict-Transport-Security</c> value of this listener ("max-age=N"), or null when configured off.</summary>
    public byte[]? Hsts { get; }

    /// <summary>SHA-256 of the verified client certificate (DER), 64 upper-case hex digits; null without one.</summary>
    public string? ClientCertificateSha256 { get; }

    /// <summary>"max-age=N" for a max-age; null for zero (header off).</summary>
    public static byte[]? HstsValue(TimeSpan maxAge)
        => maxAge <= TimeSpan.Zero ? null : Encoding.ASCII.GetBytes("max-age=" + ((long)maxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture));
}
