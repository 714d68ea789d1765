using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ingestd.Diagnostics;

namespace Ingestd.Transport;

/// <summary>
/// The certificate a TLS listener presents and the CA its clients must chain to, loaded from PEM files.
/// <see cref="Reload"/> re-reads the files and swaps both in at once; a handshake reads the current pair once,
/// so connections already open keep what they were made with, and a bad file leaves the old pair in force.
/// </summary>
internal sealed class TlsCredentials
{
    private sealed record Loaded(SslStreamCertificateContext Server, X509Certificate2 Leaf, X509Certificate2Collection? ClientCa);

    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly string? _clientCaPath;
    private Loaded _current;

    /// <summary>Loads the files; throws <see cref="TlsCertificateException"/> naming the file that is wrong.</summary>
    public TlsCredentials(string certificatePath, string keyPath, string? clientCaPath)
    {
        _certificatePath = certificatePath;
        _keyPath = keyPath;
        _clientCaPath = clientCaPath;
        _current = Load();
    }

    public SslStreamCertificateContext ServerCertificate => Volatile.Read(ref _current).Server;

    /// <summary>The CA certificates client certificates are verified against (a custom trust, never the system store); null without mTLS.</summary>
    public X509Certificate2Collection? ClientCa => Volatile.Read(ref _current).ClientCa;

    /// <summary>SHA-256 of the server certificate in force, for logs.</summary>
    public string Fingerprint => Volatile.Read(ref _current).Leaf.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>Re-reads the files (SIGHUP); on any problem keeps the pair in force and returns why, else null.</summary>
    public string? Reload()
    {
        try
        {
            Volatile.Write(ref _current, Load());
            return null;
        }
        catch (TlsCertificateException e)
        {
            return e.Message;
        }
    }

    private Loaded Load()
    {
        X509Certificate2 leaf;
        var chain = new X509Certificate2Collection();
        try
        {
            // The key must belong to the first certificate of the file; the rest of the file is its chain.
            leaf = X509Certificate2.CreateFromPemFile(_certificatePath, _keyPath);
            chain.ImportFromPemFile(_certificatePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new TlsCertificateException($"TLS certificate {_certificatePath} with key {_keyPath}: {e.Message}", e);
        }
        if (!leaf.HasPrivateKey)
            throw new TlsCertificateException($"TLS key {_keyPath}: no private key found for the certificate in {_certificatePath}");
        var intermediates = new X509Certificate2Collection();
        for (int i = 1; i < chain.Count; i++) intermediates.Add(chain[i]);
        if (leaf.NotAfter < DateTime.Now)
            Log.Warn($"TLS certificate {_certificatePath} expired on {leaf.NotAfter:u}; clients will refuse it");

        X509Certificate2Collection? clientCa = null;
        if (_clientCaPath is not null)
        {
            clientCa = new X509Certificate2Collection();
            try
            {
                clientCa.ImportFromPemFile(_clientCaPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                throw new TlsCertificateException($"TLS client_ca {_clientCaPath}: {e.Message}", e);
            }
            if (clientCa.Count == 0)
                throw new TlsCertificateException($"TLS client_ca {_clientCaPath}: no PEM certificate in the file");
        }
        // offline: never fetch intermediates or OCSP from the network on the handshake path.
        var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
        return new Loaded(context, leaf, clientCa);
    }
}
