using System.Net;

namespace Ingestd.Config;

/// <summary>Whether a TLS listener asks for a client certificate (mTLS) and what happens without one.</summary>
internal enum ClientCertificateMode
{
    /// <summary>No client certificate is requested.</summary>
    None,

    /// <summary>Requested; a client without one is served (and authenticates with an API key as usual).</summary>
    Optional,

    /// <summary>Requested; a client without a valid one fails the handshake.</summary>
    Required,
}

/// <summary>One <c>[[server.tls]]</c> block: a TLS listener with its certificate, key and client-certificate policy.</summary>
internal sealed record TlsListenerConfig
{
    /// <summary>HSTS max-age when <c>hsts_max_age</c> is not set: one year, the value browsers' preload lists ask for.</summary>
    public static readonly TimeSpan DefaultHstsMaxAge = TimeSpan.FromDays(365);

    /// <summary><c>listen</c>: "host:port".</summary>
    public required IPEndPoint Listen { get; init; }

    /// <summary><c>certificate</c>: PEM file, the server certificate first, then its intermediates.</summary>
    public required string CertificatePath { get; init; }

    /// <summary><c>key</c>: PEM file with the certificate's private key (PKCS#8, PKCS#1 or SEC1).</summary>
    public required string KeyPath { get; init; }

    /// <summary><c>client_ca</c>: PEM file of the CA certificates client certificates must chain to; null = no mTLS.</summary>
    public string? ClientCaPath { get; init; }

    /// <summary><c>client_certificates</c>: optional or required; only with <c>client_ca</c>.</summary>
    public ClientCertificateMode ClientCertificates { get; init; } = ClientCertificateMode.None;

    /// <summary><c>hsts_max_age</c>: the Strict-Transport-Security max-age; zero turns the header off (except on Guardian's route).</summary>
    public TimeSpan HstsMaxAge { get; init; } = DefaultHstsMaxAge;
}

/// <summary><c>server.plain_http</c>: what a plain (non-TLS) listener does with Guardian's route, whose seed says HTTPS only.</summary>
internal enum PlainHttpPolicy
{
    /// <summary>Serve it as on TLS (the default, as before TLS existed).</summary>
    Serve,

    /// <summary>Answer 308 Permanent Redirect to the same URL over https (the first TLS listener's port).</summary>
    Redirect,

    /// <summary>Answer 426 Upgrade Required.</summary>
    UpgradeRequired,
}
