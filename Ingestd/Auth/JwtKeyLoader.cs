using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ingestd.Auth;

/// <summary>
/// Reads one public key from a PEM file for RS256/ES256 verification (cold path, start-up only).
/// Accepted blocks: <c>PUBLIC KEY</c> (SubjectPublicKeyInfo, RSA or EC P-256), <c>RSA PUBLIC KEY</c> (PKCS#1)
/// and <c>CERTIFICATE</c> (its subject public key; the first block wins, so a chain file yields the leaf).
/// </summary>
internal static class JwtKeyLoader
{
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string P256Oid = "1.2.840.10045.3.1.7";

    // RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used with these algorithms."
    private const int MinRsaBits = 2048;

    /// <summary>Returns an <see cref="RSA"/> or an <see cref="ECDsa"/> (P-256) holding the file's public key.</summary>
    public static AsymmetricAlgorithm Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new JwtKeyException($"auth.jwt_public_keys: cannot read '{path}': {ex.Message}", ex);
        }

        if (!PemEncoding.TryFind(text, out PemFields fields))
            throw Invalid(path, "no PEM block found");

        string label = text[fields.Label];
        byte[] der = new byte[fields.DecodedDataLength];
        if (!Convert.TryFromBase64Chars(text.AsSpan()[fields.Base64Data], der, out int written) || written != der.Length)
            throw Invalid(path, $"the {label} block is not valid base64");

        try
        {
            return label switch
            {
                "PUBLIC KEY" => FromSubjectPublicKeyInfo(path, der),
                "RSA PUBLIC KEY" => FromPkcs1(path, der),
                "CERTIFICATE" => FromCertificate(path, der),
                "PRIVATE KEY" or "RSA PRIVATE KEY" or "EC PRIVATE KEY" or "ENCRYPTED PRIVATE KEY" =>
                    throw Invalid(path, $"holds a private key ({label}); configure the public key instead"),
                _ => throw Invalid(path, $"unsupported PEM block '{label}' (expected PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE)"),
            };
        }
        catch (CryptographicException ex)
        {
            throw new JwtKeyException($"auth.jwt_public_keys: '{path}': invalid {label}: {ex.Message}", ex);
        }
    }

    private static AsymmetricAlgorithm FromSubjectPublicKeyInfo(string path, byte[] der)
    {
        var key = PublicKey.CreateFromSubjectPublicKeyInfo(der, out int read);
        if (read != der.Length) throw Invalid(path, "trailing data after the public key");
        return FromPublicKey(path, key);
    }

    private static AsymmetricAlgorithm FromPkcs1(string path, byte[] der)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportRSAPublicKey(der, out int read);
            if (read != der.Length) throw Invalid(path, "trailing data after the public key");
            return CheckRsa(path, rsa);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    private static AsymmetricAlgorithm FromCertificate(string path, byte[] der)
    {
        using var cert = X509CertificateLoader.LoadCertificate(der);
        return FromPublicKey(path, cert.PublicKey);
    }

    private static AsymmetricAlgorithm FromPublicKey(string path, PublicKey key)
    {
        switch (key.Oid.Value)
        {
            case RsaOid:
                return CheckRsa(path, key.GetRSAPublicKey() ?? throw Invalid(path, "unreadable RSA key"));
            case EcPublicKeyOid:
                var ec = key.GetECDsaPublicKey() ?? throw Invalid(path, "unreadable EC key");
                return CheckP256(path, ec);
            default:
                throw Invalid(path, $"unsupported key type (OID {key.Oid.Value}); expected RSA or EC P-256");
        }
    }

    private static RSA CheckRsa(string path, RSA rsa)
    {
        if (rsa.KeySize >= MinRsaBits) return rsa;
        int bits = rsa.KeySize;
        rsa.Dispose();
        throw Invalid(path, $"RSA key of {bits} bits is too small for RS256 (RFC 7518 §3.3 requires at least {MinRsaBits})");
    }

    // ES256 is ECDSA over P-256 only (RFC 7518 §3.4); any other curve is a configuration mistake.
    private static ECDsa CheckP256(string path, ECDsa ec)
    {
        ECCurve curve = ec.ExportParameters(includePrivateParameters: false).Curve;
        if (curve.IsNamed && (curve.Oid.Value == P256Oid || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "prime256v1" or "secp256r1"))
            return ec;
        string name = curve.Oid.FriendlyName ?? curve.Oid.Value ?? "explicit parameters";
        ec.Dispose();
        throw Invalid(path, $"EC key is on curve {name}; ES256 needs P-256");
    }

    private static JwtKeyException Invalid(string path, string problem) =>
        new($"auth.jwt_public_keys: '{path}': {problem}");
}
