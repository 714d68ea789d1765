using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ingestd.Tests.Support;

/// <summary>
/// A throwaway certificate authority made with the openssl command line at test time: a CA, server certificates for
/// 127.0.0.1 and client certificates (clientAuth), as PEM files in a directory, the way an operator would make them.
/// </summary>
public sealed class TestPki
{
    private readonly string _dir;
    private int _serial;

    public TestPki(string dir, string name = "ca")
    {
        _dir = dir;
        CaKey = Path.Combine(dir, name + ".key");
        Ca = Path.Combine(dir, name + ".pem");
        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", CaKey, "-out", Ca,
            "-days", "2", "-subj", $"/CN=ingestd test {name}");
    }

    /// <summary>The CA certificate (PEM): what clients trust and what <c>client_ca</c> names.</summary>
    public string Ca { get; }

    public string CaKey { get; }

    public sealed record Issued(string Certificate, string Key)
    {
        /// <summary>SHA-256 fingerprint, 64 upper-case hex digits (as <c>client_certificate_sha256</c> wants it).</summary>
        public string Sha256 => X509Certificate2.CreateFromPem(File.ReadAllText(Certificate)).GetCertHashString(HashAlgorithmName.SHA256);
    }

    /// <summary>A server certificate for 127.0.0.1 and localhost.</summary>
    public Issued Server(string name) => Issue(name, "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");

    /// <summary>A client certificate for TLS client authentication (mTLS).</summary>
    public Issued Client(string name) => Issue(name, name, "extendedKeyUsage=clientAuth\n");

    private Issued Issue(string name, string commonName, string extensions)
    {
        string key = Path.Combine(_dir, name + ".key"), csr = Path.Combine(_dir, name + ".csr");
        string pem = Path.Combine(_dir, name + ".pem"), ext = Path.Combine(_dir, name + ".ext");
        File.WriteAllText(ext, extensions);
        OpenSsl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr, "-subj", $"/CN={commonName}");
        OpenSsl("x509", "-req", "-in", csr, "-CA", Ca, "-CAkey", CaKey, "-set_serial", (++_serial + 1000).ToString(), "-out", pem,
            "-days", "2", "-extfile", ext);
        return new Issued(pem, key);
    }

    private static void OpenSsl(params string[] args)
    {
        var r = ExternalProcess.Run("openssl", args, timeoutMs: 60_000);
        Assert.True(r.ExitCode == 0, $"openssl {string.Join(' ', args)} failed:\n{r.Stderr}");
    }
}
