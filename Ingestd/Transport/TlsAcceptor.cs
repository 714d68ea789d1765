using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ingestd.Diagnostics;

namespace Ingestd.Transport;

/// <summary>
/// Turns an accepted socket of a TLS listener into a <see cref="TlsConnection"/>: TLS 1.2 or 1.3 only, ALPN
/// http/1.1 only, the listener's current certificate, and the client certificate checked against the listener's own
/// CA. Handshakes are bounded in time and, through a <see cref="TlsHandshakeGate"/> shared by all listeners, in
/// number: a client that opens connections and never finishes handshaking cannot use up the daemon.
/// </summary>
internal sealed class TlsAcceptor(TlsCredentials credentials, TlsClientCertificates clientCertificates, byte[]? hsts,
    TlsHandshakeGate gate, Metrics metrics)
{
    // OID of the "TLS client authentication" extended key usage (RFC 5280 §4.2.1.12).
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    private static readonly List<SslApplicationProtocol> Http11Only = [SslApplicationProtocol.Http11];

    public TlsCredentials Credentials => credentials;

    /// <summary>The handshake's connection, or null when it was refused, failed or timed out (the socket is closed then).</summary>
    public async Task<TlsConnection?> HandshakeAsync(Socket socket)
    {
        if (!gate.TryEnter())
        {
            metrics.CountTlsHandshake(TlsHandshakeOutcome.Refused);
            socket.Dispose();
            return null;
        }
        socket.NoDelay = true;
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        using var timeout = new CancellationTokenSource(gate.Timeout);
        try
        {
            await tls.AuthenticateAsServerAsync(Options(), timeout.Token).ConfigureAwait(false);
            string? fingerprint = tls.RemoteCertificate is X509Certificate2 client
                ? client.GetCertHashString(HashAlgorithmName.SHA256)
                : null;
            metrics.CountTlsHandshake(TlsHandshakeOutcome.Ok);
            return new TlsConnection(socket, tls, new TransportSecurity(hsts, fingerprint));
        }
        catch (OperationCanceledException)
        {
            metrics.CountTlsHandshake(TlsHandshakeOutcome.Timeout);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // AuthenticationException (versions, certificates, ALPN), IOException (peer gone, not TLS) and anything
            // else: this one connection fails, the socket is released below, the daemon goes on.
            metrics.CountTlsHandshake(TlsHandshakeOutcome.Failed);
        }
        finally
        {
            gate.Exit();
        }
        await tls.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    // Built per handshake so a reload's certificate and CA apply from the next connection on.
    private SslServerAuthenticationOptions Options()
    {
        var ca = credentials.ClientCa;
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = credentials.ServerCertificate,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = Http11Only,
            ClientCertificateRequired = clientCertificates != TlsClientCertificates.None,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowRenegotiation = false,
        };
        if (ca is not null)
            options.RemoteCertificateValidationCallback = (_, certificate, chain, _) => Verify(certificate, chain, ca);
        return options;
    }

    private bool Verify(X509Certificate? certificate, X509Chain? presented, X509Certificate2Collection ca)
    {
        if (certificate is null) return clientCertificates == TlsClientCertificates.Optional;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        // Intermediates the client sent along are candidates for the path, never anchors.
        if (presented is not null)
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}

/// <summary>A listener's client-certificate policy, as the transport sees it.</summary>
internal enum TlsClientCertificates { None, Optional, Required }
