using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ingestd.Auth;

/// <summary>
/// Verifies the Air dialect's <c>Authorization: Bearer &lt;JWT&gt;</c>: a JWS in compact serialisation
/// (RFC 7515 §7.1) signed with HS256, RS256 or ES256 (RFC 7518 §3.1), carrying JWT claims (RFC 7519).
/// The algorithm named in the header only selects among keys of its own kind, so a public key is never
/// used as an HMAC secret (the "key confusion" attack). <c>kid</c>, <c>jku</c>, <c>jwk</c> and <c>x5u</c> are
/// ignored: keys come from the configuration only.
/// Thread-safe: the keys are immutable after <see cref="Create"/>, and one call allocates only its result strings.
/// </summary>
internal sealed class JwtVerifier : IDisposable
{
    public const int MaxTokenBytes = 8 * 1024;

    /// <summary>Clock skew tolerated on <c>exp</c> and <c>nbf</c> (RFC 7519 §4.1.4 allows "some small leeway").</summary>
    public const int LeewaySeconds = 30;

    private const int Sha256Bytes = 32;
    private const int Es256SignatureBytes = 64; // R || S, 32 bytes each (RFC 7518 §3.4)
    private const int StackDecodeBytes = 2048;

    private const string Malformed = "malformed token";
    private const string MalformedHeader = "malformed header";
    private const string MalformedClaims = "malformed claims";
    private const string BadSignature = "bad signature";

    private readonly byte[][] _hmacKeys;
    private readonly RSA[] _rsaKeys;
    private readonly ECDsa[] _ecKeys;

    private JwtVerifier(byte[][] hmacKeys, RSA[] rsaKeys, ECDsa[] ecKeys)
    {
        _hmacKeys = hmacKeys;
        _rsaKeys = rsaKeys;
        _ecKeys = ecKeys;
    }

    /// <summary>True when at least one secret or public key is configured.</summary>
    public bool HasKeys => _hmacKeys.Length + _rsaKeys.Length + _ecKeys.Length > 0;

    /// <summary>
    /// Loads the keys: each secret's UTF-8 bytes become an HS256 key; each PEM file holds one RSA (RS256)
    /// or EC P-256 (ES256) public key, or a certificate whose public key is used.
    /// </summary>
    /// <exception cref="JwtKeyException">An empty secret, or a PEM file that is unreadable, invalid or holds an unsupported key.</exception>
    public static JwtVerifier Create(IReadOnlyList<string> hs256Secrets, IReadOnlyList<string> publicKeyPemPaths)
    {
        var hmac = new byte[hs256Secrets.Count][];
        for (int i = 0; i < hs256Secrets.Count; i++)
        {
            if (string.IsNullOrEmpty(hs256Secrets[i]))
                throw new JwtKeyException($"auth.jwt_hs256_secrets[{i}] is empty");
            hmac[i] = Encoding.UTF8.GetBytes(hs256Secrets[i]);
        }

        var rsa = new List<RSA>();
        var ec = new List<ECDsa>();
        try
        {
            foreach (string path in publicKeyPemPaths)
            {
                switch (JwtKeyLoader.Load(path))
                {
                    case RSA r: rsa.Add(r); break;
                    case ECDsa e: ec.Add(e); break;
                    case var other: other.Dispose(); throw new JwtKeyException($"auth.jwt_public_keys: '{path}': unsupported key type");
                }
            }
        }
        catch
        {
            foreach (var r in rsa) r.Dispose();
            foreach (var e in ec) e.Dispose();
            throw;
        }
        return new JwtVerifier(hmac, rsa.ToArray(), ec.ToArray());
    }

    /// <summary>
    /// Verifies <paramref name="token"/> (the bytes after <c>Bearer </c>) at time <paramref name="nowUnixSeconds"/>.
    /// On success <paramref name="subject"/> is the <c>sub</c> claim; on failure <paramref name="reason"/> is a short
    /// text for logs and the response detail, such as "expired" or "bad signature".
    /// </summary>
    public bool TryVerify(ReadOnlySpan<byte> token, long nowUnixSeconds, out string subject, out string reason)
    {
        subject = "";
        if (token.IsEmpty) return Fail(Malformed, out reason);
        if (token.Length > MaxTokenBytes) return Fail("token too long", out reason);

        // Exactly three segments: header.payload.signature (RFC 7515 §7.1).
        int dot1 = token.IndexOf((byte)'.');
        if (dot1 < 0) return Fail(Malformed, out reason);
        int dot2 = token[(dot1 + 1)..].IndexOf((byte)'.');
        if (dot2 < 0) return Fail(Malformed, out reason);
        dot2 += dot1 + 1;
        if (token[(dot2 + 1)..].Contains((byte)'.')) return Fail(Malformed, out reason);

        ReadOnlySpan<byte> headerB64 = token[..dot1];
        ReadOnlySpan<byte> payloadB64 = token[(dot1 + 1)..dot2];
        ReadOnlySpan<byte> signatureB64 = token[(dot2 + 1)..];
        ReadOnlySpan<byte> signingInput = token[..dot2]; // ASCII(BASE64URL(header) || '.' || BASE64URL(payload)), RFC 7515 §5.2
        if (headerB64.IsEmpty || payloadB64.IsEmpty
            || !IsCanonicalBase64Url(headerB64) || !IsCanonicalBase64Url(payloadB64) || !IsCanonicalBase64Url(signatureB64))
            return Fail(Malformed, out reason);

        int headerMax = Base64Url.GetMaxDecodedLength(headerB64.Length);
        int payloadMax = Base64Url.GetMaxDecodedLength(payloadB64.Length);
        int signatureMax = Base64Url.GetMaxDecodedLength(signatureB64.Length);
        int total = headerMax + payloadMax + signatureMax;

        byte[]? rented = null;
        Span<byte> buffer = total <= StackDecodeBytes
            ? stackalloc byte[StackDecodeBytes]
            : (rented = ArrayPool<byte>.Shared.Rent(total));
        try
        {
            if (!Decode(headerB64, buffer[..headerMax], out var header)
                || !Decode(payloadB64, buffer.Slice(headerMax, payloadMax), out var payload)
                || !Decode(signatureB64, buffer.Slice(headerMax + payloadMax, signatureMax), out var signature))
                return Fail(Malformed, out reason);

            if (!TryReadHeader(header, out Algorithm alg, out reason)) return false;
            if (!VerifySignature(alg, signingInput, signature, out reason)) return false;
            return TryReadClaims(payload, nowUnixSeconds, out subject, out reason);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public void Dispose()
    {
        foreach (var key in _hmacKeys) CryptographicOperations.ZeroMemory(key);
        foreach (var key in _rsaKeys) key.Dispose();
        foreach (var key in _ecKeys) key.Dispose();
    }

    private enum Algorithm { HS256, RS256, ES256 }

    // RFC 7515 §2: base64url without padding; §C notes trailing '=' are omitted. We also require the unused
    // low bits of the last character to be zero, so each byte string has exactly one accepted encoding.
    private static bool IsCanonicalBase64Url(ReadOnlySpan<byte> text)
    {
        if (text.Length % 4 == 1) return false;
        int last = 0;
        foreach (byte b in text)
        {
            last = SextetOf(b);
            if (last < 0) return false;
        }
        return (text.Length % 4) switch
        {
            2 => (last & 0x0F) == 0,
            3 => (last & 0x03) == 0,
            _ => true,
        };
    }

    private static int SextetOf(byte b) => b switch
    {
        >= (byte)'A' and <= (byte)'Z' => b - 'A',
        >= (byte)'a' and <= (byte)'z' => b - 'a' + 26,
        >= (byte)'0' and <= (byte)'9' => b - '0' + 52,
        (byte)'-' => 62,
        (byte)'_' => 63,
        _ => -1,
    };

    private static bool Decode(ReadOnlySpan<byte> text, Span<byte> destination, out ReadOnlySpan<byte> decoded)
    {
        OperationStatus status = Base64Url.DecodeFromUtf8(text, destination, out int consumed, out int written);
        decoded = destination[..written];
        return status == OperationStatus.Done && consumed == text.Length;
    }

    /// <summary>Reads the JOSE header (RFC 7515 §4): <c>alg</c> required, <c>typ</c> optional, <c>crit</c> refused.</summary>
    private static bool TryReadHeader(ReadOnlySpan<byte> json, out Algorithm alg, out string reason)
    {
        alg = default;
        bool sawAlg = false, sawTyp = false;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return Fail(MalformedHeader, out reason);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("alg"u8))
                {
                    // RFC 7515 §4: duplicate header names must be rejected (or last-wins); we reject.
                    if (sawAlg || !reader.Read() || reader.TokenType != JsonTokenType.String) return Fail(MalformedHeader, out reason);
                    sawAlg = true;
                    // "alg" values are case-sensitive (RFC 7515 §4.1.1).
                    if (reader.ValueTextEquals("HS256"u8)) alg = Algorithm.HS256;
                    else if (reader.ValueTextEquals("RS256"u8)) alg = Algorithm.RS256;
                    else if (reader.ValueTextEquals("ES256"u8)) alg = Algorithm.ES256;
                    else return Fail($"unsupported alg '{Printable(reader.GetString())}'", out reason);
                }
                else if (reader.ValueTextEquals("typ"u8))
                {
                    if (sawTyp || !reader.Read() || reader.TokenType != JsonTokenType.String) return Fail(MalformedHeader, out reason);
                    sawTyp = true;
                    // RFC 7519 §5.1 recommends "JWT"; RFC 7515 §4.1.9 makes "application/" implied, and media types are case-insensitive.
                    if (!IsJwtType(reader)) return Fail("unsupported typ", out reason);
                }
                else if (reader.ValueTextEquals("crit"u8))
                {
                    // RFC 7515 §4.1.11: we understand no extensions, so any "crit" makes the JWS invalid.
                    return Fail("unsupported crit header", out reason);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) return Fail(MalformedHeader, out reason);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: GetString on text that is not UTF-8 (RFC 7515 §4 requires UTF-8).
            return Fail(MalformedHeader, out reason);
        }
        if (!sawAlg) return Fail("missing alg", out reason);
        reason = "";
        return true;
    }

    private static bool IsJwtType(in Utf8JsonReader reader)
    {
        // The header is one span, so only an escaped value needs unescaping first (rare: allocate then).
        if (reader.ValueIsEscaped)
        {
            string s = reader.GetString()!;
            return s.Equals("JWT", StringComparison.OrdinalIgnoreCase) || s.Equals("application/jwt", StringComparison.OrdinalIgnoreCase);
        }
        return Ascii.EqualsIgnoreCase(reader.ValueSpan, "JWT"u8) || Ascii.EqualsIgnoreCase(reader.ValueSpan, "application/jwt"u8);
    }

    private bool VerifySignature(Algorithm alg, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature, out string reason)
    {
        Span<byte> digest = stackalloc byte[Sha256Bytes];
        switch (alg)
        {
            case Algorithm.HS256:
                if (_hmacKeys.Length == 0) return Fail("no key for alg 'HS256'", out reason);
                if (signature.Length != Sha256Bytes) return Fail(BadSignature, out reason);
                foreach (byte[] key in _hmacKeys)
                {
                    HMACSHA256.HashData(key, signingInput, digest);
                    if (CryptographicOperations.FixedTimeEquals(digest, signature)) return Ok(out reason);
                }
                return Fail(BadSignature, out reason);

            case Algorithm.RS256:
                if (_rsaKeys.Length == 0) return Fail("no key for alg 'RS256'", out reason);
                SHA256.HashData(signingInput, digest);
                foreach (RSA key in _rsaKeys)
                {
                    // RSASSA-PKCS1-v1_5 signatures are exactly the modulus length (RFC 8017 §8.2.2 step 1).
                    if (signature.Length != (key.KeySize + 7) / 8) continue;
                    try
                    {
                        if (key.VerifyHash(digest, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)) return Ok(out reason);
                    }
                    catch (CryptographicException)
                    {
                        // A signature value out of range for this key: not valid under it.
                    }
                }
                return Fail(BadSignature, out reason);

            case Algorithm.ES256:
                if (_ecKeys.Length == 0) return Fail("no key for alg 'ES256'", out reason);
                if (signature.Length != Es256SignatureBytes) return Fail(BadSignature, out reason);
                SHA256.HashData(signingInput, digest);
                foreach (ECDsa key in _ecKeys)
                {
                    try
                    {
                        if (key.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)) return Ok(out reason);
                    }
                    catch (CryptographicException)
                    {
                    }
                }
                return Fail(BadSignature, out reason);

            default:
                return Fail(BadSignature, out reason);
        }
    }

    /// <summary>Reads the claims set (RFC 7519 §4.1): <c>exp</c>, <c>nbf</c> (NumericDate) and the required <c>sub</c>.</summary>
    private static bool TryReadClaims(ReadOnlySpan<byte> json, long now, out string subject, out string reason)
    {
        subject = "";
        string sub = "";
        double exp = 0, nbf = 0;
        bool sawExp = false, sawNbf = false, sawSub = false;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return Fail(MalformedClaims, out reason);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // RFC 7519 §4: duplicate claim names must be rejected (or last-wins); we reject.
                if (reader.ValueTextEquals("exp"u8))
                {
                    if (sawExp || !ReadNumericDate(ref reader, out exp)) return Fail("invalid exp", out reason);
                    sawExp = true;
                }
                else if (reader.ValueTextEquals("nbf"u8))
                {
                    if (sawNbf || !ReadNumericDate(ref reader, out nbf)) return Fail("invalid nbf", out reason);
                    sawNbf = true;
                }
                else if (reader.ValueTextEquals("sub"u8))
                {
                    if (sawSub || !reader.Read() || reader.TokenType != JsonTokenType.String) return Fail("invalid sub", out reason);
                    sawSub = true;
                    sub = reader.GetString()!;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) return Fail(MalformedClaims, out reason);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Fail(MalformedClaims, out reason);
        }

        // RFC 7519 §4.1.4: the token must not be accepted on or after exp; §4.1.5: nor before nbf.
        if (sawExp && now >= exp + LeewaySeconds) return Fail("expired", out reason);
        if (sawNbf && nbf > now + LeewaySeconds) return Fail("not yet valid", out reason);
        if (sub.Length == 0) return Fail("missing sub", out reason);
        subject = sub;
        return Ok(out reason);
    }

    // NumericDate: seconds since the epoch, integer or not (RFC 7519 §2).
    private static bool ReadNumericDate(ref Utf8JsonReader reader, out double value)
    {
        value = 0;
        return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out value) && double.IsFinite(value);
    }

    // The reason may reach a log line or a response body: keep it short and printable.
    private static string Printable(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        int n = Math.Min(value.Length, 32);
        return string.Create(n, value, static (dst, src) =>
        {
            for (int i = 0; i < dst.Length; i++)
            {
                char c = src[i];
                dst[i] = c is >= ' ' and <= '~' and not '\'' and not '"' and not '\\' ? c : '?';
            }
        });
    }

    private static bool Ok(out string reason)
    {
        reason = "";
        return true;
    }

    private static bool Fail(string why, out string reason)
    {
        reason = why;
        return false;
    }
}
