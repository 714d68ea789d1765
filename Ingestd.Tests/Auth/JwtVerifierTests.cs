using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ingestd.Auth;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Auth;

public sealed class JwtVerifierTests : IDisposable
{
    private const long Now = 1_700_000_000;
    private const string Secret = "first-secret-of-at-least-32-bytes!!";
    private const string OtherSecret = "second-secret-of-at-least-32-bytes!";
    private const string Hs256Header = """{"alg":"HS256","typ":"JWT"}""";
    private const string Rs256Header = """{"alg":"RS256","typ":"JWT"}""";
    private const string Es256Header = """{"alg":"ES256","typ":"JWT"}""";

    // Key generation is slow; the keys are shared, read-only, by every test.
    private static readonly RSA Rsa = RSA.Create(2048);
    private static readonly RSA OtherRsa = RSA.Create(2048);
    private static readonly ECDsa Ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private readonly TempDir _dir = new("ingestd-jwt");

    public void Dispose() => _dir.Dispose();

    // ---- token building ----

    private static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    private static string B64(string json) => B64(Encoding.UTF8.GetBytes(json));

    private static string Claims(string sub = "user-1", string? exp = "default", string? nbf = null)
    {
        var parts = new List<string>();
        if (sub is not null) parts.Add($"\"sub\":\"{sub}\"");
        if (exp == "default") exp = (Now + 600).ToString(CultureInfo.InvariantCulture);
        if (exp is not null) parts.Add($"\"exp\":{exp}");
        if (nbf is not null) parts.Add($"\"nbf\":{nbf}");
        parts.Add("\"iat\":1");
        return "{" + string.Join(",", parts) + "}";
    }

    private static string SigningInput(string header, string claims) => B64(header) + "." + B64(claims);

    private static string Hs256(string secret, string claims, string header = Hs256Header) =>
        HmacToken(Encoding.UTF8.GetBytes(secret), claims, header);

    private static string HmacToken(byte[] key, string claims, string header)
    {
        string input = SigningInput(header, claims);
        return input + "." + B64(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(input)));
    }

    private static string Rs256(RSA rsa, string claims, string header = Rs256Header)
    {
        string input = SigningInput(header, claims);
        return input + "." + B64(rsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    private static string Es256(ECDsa ec, string claims, string header = Es256Header)
    {
        string input = SigningInput(header, claims);
        return input + "." + B64(ec.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    private string Pem(string text)
    {
        string path = _dir.File($"{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, text);
        return path;
    }

    private JwtVerifier Verifier(string[]? secrets = null, params string[] pemPaths) =>
        JwtVerifier.Create(secrets ?? [], pemPaths);

    private JwtVerifier SecretVerifier() => Verifier([Secret]);

    private JwtVerifier AllKindsVerifier() =>
        Verifier([Secret], Pem(Rsa.ExportSubjectPublicKeyInfoPem()), Pem(Ec.ExportSubjectPublicKeyInfoPem()));

    private static (bool Ok, string Subject, string Reason) Verify(JwtVerifier verifier, string token, long now = Now)
    {
        bool ok = verifier.TryVerify(Encoding.UTF8.GetBytes(token), now, out string subject, out string reason);
        return (ok, subject, reason);
    }

    private static void AssertAccepted(JwtVerifier verifier, string token, string subject = "user-1", long now = Now)
    {
        var r = Verify(verifier, token, now);
        Assert.True(r.Ok, $"rejected: {r.Reason}");
        Assert.Equal(subject, r.Subject);
    }

    private static void AssertRejected(JwtVerifier verifier, string token, string reason, long now = Now)
    {
        var r = Verify(verifier, token, now);
        Assert.False(r.Ok);
        Assert.Equal(reason, r.Reason);
        Assert.Equal("", r.Subject);
    }

    private static string ReplaceSegment(string token, int index, string segment)
    {
        var parts = token.Split('.');
        parts[index] = segment;
        return string.Join('.', parts);
    }

    // ---- accepted tokens ----

    [Fact]
    public void Hs256_token_is_accepted_with_its_subject()
    {
        using var v = SecretVerifier();
        AssertAccepted(v, Hs256(Secret, Claims("tenant-a")), "tenant-a");
    }

    [Fact]
    public void Rs256_token_is_accepted_with_its_subject()
    {
        using var v = Verifier(null, Pem(Rsa.ExportSubjectPublicKeyInfoPem()));
        AssertAccepted(v, Rs256(Rsa, Claims("tenant-r")), "tenant-r");
    }

    [Fact]
    public void Es256_token_is_accepted_with_its_subject()
    {
        using var v = Verifier(null, Pem(Ec.ExportSubjectPublicKeyInfoPem()));
        AssertAccepted(v, Es256(Ec, Claims("tenant-e")), "tenant-e");
    }

    [Fact]
    public void All_three_algorithms_verify_against_one_verifier()
    {
        using var v = AllKindsVerifier();
        AssertAccepted(v, Hs256(Secret, Claims()));
        AssertAccepted(v, Rs256(Rsa, Claims()));
        AssertAccepted(v, Es256(Ec, Claims()));
    }

    [Fact]
    public void Second_configured_secret_verifies()
    {
        using var v = Verifier([Secret, OtherSecret]);
        AssertAccepted(v, Hs256(OtherSecret, Claims()));
    }

    [Fact]
    public void Second_configured_rsa_key_verifies()
    {
        using var v = Verifier(null, Pem(Rsa.ExportSubjectPublicKeyInfoPem()), Pem(OtherRsa.ExportSubjectPublicKeyInfoPem()));
        AssertAccepted(v, Rs256(OtherRsa, Claims()));
    }

    [Fact]
    public void Pkcs1_rsa_public_key_pem_is_accepted()
    {
        using var v = Verifier(null, Pem(Rsa.ExportRSAPublicKeyPem()));
        AssertAccepted(v, Rs256(Rsa, Claims()));
    }

    [Fact]
    public void Certificate_pem_supplies_its_public_key()
    {
        var request = new CertificateRequest("CN=issuer", Ec, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var v = Verifier(null, Pem(cert.ExportCertificatePem()));
        AssertAccepted(v, Es256(Ec, Claims()));
    }

    [Fact]
    public void Token_without_exp_is_accepted()
    {
        using var v = SecretVerifier();
        AssertAccepted(v, Hs256(Secret, Claims(exp: null)));
    }

    [Theory]
    [InlineData("""{"alg":"HS256"}""")]
    [InlineData("""{"alg":"HS256","typ":"jwt"}""")]
    [InlineData("""{"alg":"HS256","typ":"application/JWT"}""")]
    [InlineData("""{"alg":"HS256","kid":"whatever","x":{"nested":[1,2]}}""")]
    [InlineData("""{"\u0061lg":"HS\u0032\u00356","typ":"J\u0057T"}""")]
    public void Header_variants_are_accepted(string header)
    {
        using var v = SecretVerifier();
        AssertAccepted(v, Hs256(Secret, Claims(), header));
    }

    [Fact]
    public void Token_near_the_size_limit_is_accepted()
    {
        using var v = SecretVerifier();
        string claims = Claims().TrimEnd('}') + ",\"pad\":\"" + new string('x', 5000) + "\"}";
        string token = Hs256(Secret, claims);
        Assert.InRange(token.Length, 6000, JwtVerifier.MaxTokenBytes);
        AssertAccepted(v, token);
    }

    // ---- time claims ----

    [Fact]
    public void Expired_token_is_rejected()
    {
        using var v = SecretVerifier();
        AssertRejected(v, Hs256(Secret, Claims(exp: (Now - 3600).ToString(CultureInfo.InvariantCulture))), "expired");
    }

    [Fact]
    public void Token_before_nbf_is_rejected()
    {
        using var v = SecretVerifier();
        AssertRejected(v, Hs256(Secret, Claims(nbf: (Now + 3600).ToString(CultureInfo.InvariantCulture))), "not yet valid");
    }

    [Theory]
    [InlineData("-29", true)]     // exp 29 s ago: inside the 30 s leeway
    [InlineData("-30", false)]    // now == exp + 30: expired
    [InlineData("-29.5", true)]   // decimals are NumericDates too
    [InlineData("-30.5", false)]
    [InlineData("1", true)]
    public void Exp_allows_thirty_seconds_of_leeway(string expOffset, bool accepted)
    {
        using var v = SecretVerifier();
        string exp = (Now + decimal.Parse(expOffset, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture);
        var r = Verify(v, Hs256(Secret, Claims(exp: exp)));
        Assert.Equal(accepted, r.Ok);
        if (!accepted) Assert.Equal("expired", r.Reason);
    }

    [Theory]
    [InlineData("30", true)]      // nbf == now + 30: valid
    [InlineData("31", false)]
    [InlineData("30.5", false)]
    [InlineData("-100", true)]
    public void Nbf_allows_thirty_seconds_of_leeway(string nbfOffset, bool accepted)
    {
        using var v = SecretVerifier();
        string nbf = (Now + decimal.Parse(nbfOffset, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture);
        var r = Verify(v, Hs256(Secret, Claims(nbf: nbf)));
        Assert.Equal(accepted, r.Ok);
        if (!accepted) Assert.Equal("not yet valid", r.Reason);
    }

    [Fact]
    public void Exponent_notation_numeric_date_is_understood()
    {
        using var v = SecretVerifier();
        AssertRejected(v, Hs256(Secret, Claims(exp: "1.5e9")), "expired", now: 1_600_000_000);
        AssertAccepted(v, Hs256(Secret, Claims(exp: "1.7e9")), now: 1_600_000_000);
    }

    [Theory]
    [InlineData("\"1700000600\"")]
    [InlineData("null")]
    [InlineData("true")]
    public void Non_numeric_exp_is_rejected(string exp)
    {
        using var v = SecretVerifier();
        AssertRejected(v, Hs256(Secret, Claims(exp: exp)), "invalid exp");
    }

    // ---- signatures ----

    [Fact]
    public void Wrong_secret_is_rejected()
    {
        using var v = SecretVerifier();
        AssertRejected(v, Hs256(OtherSecret, Claims()), "bad signature");
    }

    [Fact]
    public void Wrong_rsa_key_is_rejected()
    {
        using var v = Verifier(null, Pem(Rsa.ExportSubjectPublicKeyInfoPem()));
        AssertRejected(v, Rs256(OtherRsa, Claims()), "bad signature");
    }

    [Fact]
    public void Wrong_ec_key_is_rejected()
    {
        using var otherEc = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var v = Verifier(null, Pem(Ec.ExportSubjectPublicKeyInfoPem()));
        AssertRejected(v, Es256(otherEc, Claims()), "bad signature");
    }

    [Fact]
    public void Es256_signature_in_der_form_is_rejected()
    {
        using var v = Verifier(null, Pem(Ec.ExportSubjectPublicKeyInfoPem()));
        string input = SigningInput(Es256Header, Claims());
        byte[] der = Ec.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        AssertRejected(v, input + "." + B64(der), "bad signature");
    }

    [Fact]
    public void Tampered_payload_is_rejected()
    {
        using var v = AllKindsVerifier();
        string forged = B64(Claims("admin"));
        AssertRejected(v, ReplaceSegment(Hs256(Secret, Claims()), 1, forged), "bad signature");
        AssertRejected(v, ReplaceSegment(Rs256(Rsa, Claims()), 1, forged), "bad signature");
        AssertRejected(v, ReplaceSegment(Es256(Ec, Claims()), 1, forged), "bad signature");
    }

    [Fact]
    public void Tampered_header_is_rejected()
    {
        using var v = SecretVerifier();
        string token = Hs256(Secret, Claims());
        AssertRejected(v, ReplaceSegment(token, 0, B64("""{"alg":"HS256","typ":"JWT","kid":"x"}""")), "bad signature");
    }

    [Fact]
    public void Tampered_signature_is_rejected()
    {
        using var v = SecretVerifier();
        string token = Hs256(Secret, Claims());
        char first = token[token.LastIndexOf('.') + 1];
        string tampered = ReplaceSegment(token, 2, (first == 'A' ? 'B' : 'A') + token[(token.LastIndexOf('.') + 2)..]);
        AssertRejected(v, tampered, "bad signature");
    }

    [Fact]
    public void Truncated_signature_is_rejected()
    {
        using var v = AllKindsVerifier();
        foreach (string token in new[] { Hs256(Secret, Claims()), Rs256(Rsa, Claims()), Es256(Ec, Claims()) })
        {
            byte[] signature = Base64Url.DecodeFromChars(token.Split('.')[2]);
            AssertRejected(v, ReplaceSegment(token, 2, B64(signature[..^1])), "bad signature");
        }
    }

    [Fact]
    public void Empty_signature_is_rejected()
    {
        using var v = AllKindsVerifier();
        AssertRejected(v, SigningInput(Hs256Header, Claims()) + ".", "bad signature");
        AssertRejected(v, SigningInput(Rs256Header, Claims()) + ".", "bad signature");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    public void Alg_none_without_signature_is_rejected(string alg)
    {
        using var v = AllKindsVerifier();
        AssertRejected(v, SigningInput($$"""{"alg":"{{alg}}"}""", Claims()) + ".", $"unsupported alg '{alg}'");
    }

    [Fact]
    public void Alg_none_with_a_valid_hs256_signature_is_rejected()
    {
        using var v = SecretVerifier();
        AssertRejected(v, Hs256(Secret, Claims(), """{"alg":"none","typ":"JWT"}"""), "unsupported alg 'none'");
    }

    [Theory]
    [InlineData("HS384")]
    [InlineData("HS512")]
    [InlineData("RS384")]
    [InlineData("PS256")]
    [InlineData("ES384")]
    [InlineData("EdDSA")]
    [InlineData("hs256")]
    [InlineData("")]
    public void Unknown_alg_is_rejected(string alg)
    {
        using var v = AllKindsVerifier();
        AssertRejected(v, Hs256(Secret, Claims(), $$"""{"alg":"{{alg}}"}"""), $"unsupported alg '{alg}'");
    }

    [Fact]
    public void Unsupported_alg_reason_is_short_and_printable()
    {
        using var v = SecretVerifier();
        var r = Verify(v, Hs256(Secret, Claims(), """{"alg":"x\n\"y'\u00e9 and a very long tail that goes on and on"}"""));
        Assert.False(r.Ok);
        Assert.Equal("unsupported alg 'x??y?? and a very long tail that'", r.Reason);
    }

    [Fact]
    public void Alg_without_a_key_of_its_kind_is_rejected()
    {
        using var secretsOnly = SecretVerifier();
        AssertRejected(secretsOnly, Rs256(Rsa, Claims()), "no key for alg 'RS256'");
        AssertRejected(secretsOnly, Es256(Ec, Claims()), "no key for alg 'ES256'");

        using var rsaOnly = Verifier(null, Pem(Rsa.ExportSubjectPublicKeyInfoPem()));
        AssertRejected(rsaOnly, Hs256(Secret, Claims()), "no key for alg 'HS256'");
        AssertRejected(rsaOnly, Es256(Ec, Claims()), "no key for alg 'ES256'");
    }

    [Fact]
    public void Hs256_signed_with_the_rsa_public_key_pem_is_rejected()
    {
        // Key confusion: an attacker who knows the RSA public key uses its PEM text as an HMAC secret.
        string pem = Rsa.ExportSubjectPublicKeyInfoPem();
        string path = Pem(pem);
        string forged = HmacToken(File.ReadAllBytes(path), Claims("admin"), Hs256Header);
        string forgedFromText = HmacToken(Encoding.UTF8.GetBytes(pem), Claims("admin"), Hs256Header);

        using var rsaOnly = Verifier(null, path);
        AssertRejected(rsaOnly, forged, "no key for alg 'HS256'");
        AssertRejected(rsaOnly, forgedFromText, "no key for alg 'HS256'");

        using var mixed = Verifier([Secret], path);
        AssertRejected(mixed, forged, "bad signature");
        AssertRejected(mixed, forgedFromText, "bad signature");
    }

    [Fact]
    public void Hs256_signed_with_the_ec_public_key_der_is_rejected()
    {
        string path = Pem(Ec.ExportSubjectPublicKeyInfoPem());
        using var v = Verifier([Secret], path);
        AssertRejected(v, HmacToken(Ec.ExportSubjectPublicKeyInfo(), Claims("admin"), Hs256Header), "bad signature");
    }

    // ---- header rules ----

    [Fact]
    public void Crit_header_is_rejected()
    {
        using var v = SecretVerifier();
        AssertRejected(v, Hs256(Secret, Claims(), """{"alg":"HS256","crit":["exp"],"exp":1}"""), "unsupported crit header");
        AssertRejected(v, Hs256(Secret, Claims(), """{"alg":"HS256","crit":[]}"""), "unsupported crit header");
    }

    [Theory]
    [InlineData("JOSE")]
    [InlineData("at+jwt")]
    [InlineData("")]
    public void Typ_other_than_jwt_is_rejected(string typ)
    {
        using var v = SecretVerifier();
        AssertRejected(v, Hs256(Secret, Claims(), $$"""{"alg":"HS256","typ":"{{typ}}"}"""), "unsupported typ");
    }

    [Fact]
    public void Missing_alg_is_rejected()
    {
        using var v = SecretVerifier();
        AssertRejected(v, Hs256(Secret, Claims(), """{"typ":"JWT"}"""), "missing alg");
    }

    [Theory]
    [InlineData("""{"alg":"HS256","alg":"HS256"}""")]
    [InlineData("""{"alg":"HS256","typ":"JWT","typ":"JWT"}""")]
    [InlineData("""{"alg":256}""")]
    [InlineData("""{"alg":null}""")]
    [InlineData("""{"alg":"HS256","typ":1}""")]
    [InlineData("""["alg","HS256"]""")]
    [InlineData("""{"alg":"HS256"} {}""")]
    [InlineData("""{"alg":"HS256",}""")]
    [InlineData("""{"alg":"HS256" """)]
    [InlineData("not json")]
    public void Malformed_header_json_is_rejected(string header)
    {
        using var v = SecretVerifier();
        AssertRejected(v, Hs256(Secret, Claims(), header), "malformed header");
    }

    // ---- claims rules ----

    [Theory]
    [InlineData("""{"exp":1800000000}""", "missing sub")]
    [InlineData("""{"sub":""}""", "missing sub")]
    [InlineData("""{"sub":42}""", "invalid sub")]
    [InlineData("""{"sub":null}""", "invalid sub")]
    [InlineData("""{"sub":"a","sub":"b"}""", "invalid sub")]
    [InlineData("""{"sub":"a","exp":1800000000,"exp":1800000000}""", "invalid exp")]
    [InlineData("""{"sub":"a","nbf":"soon"}""", "invalid nbf")]
    [InlineData("""["sub","a"]""", "malformed claims")]
    [InlineData("""{"sub":"a"}x""", "malformed claims")]
    [InlineData("""{"sub":"a",""", "malformed claims")]
    public void Bad_claims_are_rejected(string claims, string reason)
    {
        using var v = SecretVerifier();
        AssertRejected(v, Hs256(Secret, claims), reason);
    }

    [Fact]
    public void Subject_with_escapes_is_unescaped()
    {
        using var v = SecretVerifier();
        AssertAccepted(v, Hs256(Secret, """{"sub":"org\u002dxyz","other":{"a":[1,{"b":2}]}}"""), "org-xyz");
    }

    // ---- token syntax ----

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("abc.def")]
    [InlineData("..")]
    [InlineData(".eyJzdWIiOiJhIn0.c2ln")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9..c2ln")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln.c2ln")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln.")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIi OiJhIn0.c2ln")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0+.c2ln")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0/.c2ln")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2l*")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9x.eyJzdWIiOiJhIn0.c2ln")] // length % 4 == 1
    public void Malformed_segments_are_rejected(string token)
    {
        using var v = SecretVerifier();
        AssertRejected(v, token, "malformed token");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Padding_in_any_segment_is_rejected(int segment)
    {
        using var v = SecretVerifier();
        // Header and claims chosen so that every segment's length is not a multiple of 4.
        string token = Hs256(Secret, """{"sub":"abc"}""", """{"alg":"HS256","x":12}""");
        string[] parts = token.Split('.');
        Assert.NotEqual(0, parts[segment].Length % 4);
        string padded = parts[segment] + new string('=', 4 - parts[segment].Length % 4);
        AssertRejected(v, ReplaceSegment(token, segment, padded), "malformed token");
    }

    [Fact]
    public void Non_canonical_trailing_bits_are_rejected()
    {
        using var v = SecretVerifier();
        string token = Hs256(Secret, Claims());
        // 32-byte HMAC → 43 characters; the last one carries 2 unused bits, which must be zero (RFC 4648 §3.5).
        Assert.Equal(43, token.Length - token.LastIndexOf('.') - 1);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.IndexOf(token[^1]);
        AssertRejected(v, token[..^1] + alphabet[last | 1], "malformed token");
    }

    [Fact]
    public void Token_over_eight_kib_is_rejected()
    {
        using var v = SecretVerifier();
        string claims = Claims().TrimEnd('}') + ",\"pad\":\"" + new string('x', 6200) + "\"}";
        string token = Hs256(Secret, claims);
        Assert.True(token.Length > JwtVerifier.MaxTokenBytes);
        AssertRejected(v, token, "token too long");
    }

    // ---- configuration ----

    [Fact]
    public void HasKeys_reflects_the_configuration()
    {
        using var none = Verifier();
        using var secret = SecretVerifier();
        using var key = Verifier(null, Pem(Ec.ExportSubjectPublicKeyInfoPem()));
        Assert.False(none.HasKeys);
        Assert.True(secret.HasKeys);
        Assert.True(key.HasKeys);
    }

    [Fact]
    public void Verifier_without_keys_rejects_every_token()
    {
        using var v = Verifier();
        AssertRejected(v, Hs256(Secret, Claims()), "no key for alg 'HS256'");
    }

    [Fact]
    public void Ec_key_on_p384_is_refused_at_load()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        string path = Pem(p384.ExportSubjectPublicKeyInfoPem());
        var ex = Assert.Throws<JwtKeyException>(() => Verifier(null, path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("P-256", ex.Message);
    }

    [Fact]
    public void Unreadable_pem_file_is_refused_with_its_path()
    {
        string path = _dir.File("missing.pem");
        var ex = Assert.Throws<JwtKeyException>(() => Verifier(null, path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("cannot read", ex.Message);
    }

    [Theory]
    [InlineData("just some text\n")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")]
    [InlineData("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    [InlineData("-----BEGIN SOMETHING-----\nAAAA\n-----END SOMETHING-----\n")]
    public void Invalid_pem_file_is_refused_with_its_path(string content)
    {
        string path = Pem(content);
        var ex = Assert.Throws<JwtKeyException>(() => Verifier(null, path));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void Private_key_pem_is_refused()
    {
        string path = Pem(Ec.ExportPkcs8PrivateKeyPem());
        var ex = Assert.Throws<JwtKeyException>(() => Verifier(null, path));
        Assert.Contains("private key", ex.Message);
    }

    [Fact]
    public void Rsa_key_under_2048_bits_is_refused()
    {
        using var small = RSA.Create(1024);
        string path = Pem(small.ExportSubjectPublicKeyInfoPem());
        var ex = Assert.Throws<JwtKeyException>(() => Verifier(null, path));
        Assert.Contains("1024", ex.Message);
    }

    [Fact]
    public void Empty_secret_is_refused()
    {
        var ex = Assert.Throws<JwtKeyException>(() => Verifier([Secret, ""]));
        Assert.Contains("jwt_hs256_secrets[1]", ex.Message);
    }

    [Fact]
    public void Concurrent_verification_on_one_instance_succeeds()
    {
        using var v = AllKindsVerifier();
        string[] tokens = [Hs256(Secret, Claims()), Rs256(Rsa, Claims()), Es256(Ec, Claims()), Hs256(OtherSecret, Claims())];
        int accepted = 0, rejected = 0;
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            bool ok = v.TryVerify(Encoding.ASCII.GetBytes(tokens[i % 4]), Now, out _, out _);
            Interlocked.Increment(ref ok ? ref accepted : ref rejected);
        });
        Assert.Equal(300, accepted);
        Assert.Equal(100, rejected);
    }
}

public sealed class JwtVerifierUtf8Tests
{
    private const string Secret = "first-secret-of-at-least-32-bytes!!";

    private static string Token(byte[] header, byte[] claims)
    {
        string input = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(claims);
        byte[] mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.ASCII.GetBytes(input));
        return input + "." + Base64Url.EncodeToString(mac);
    }

    private static byte[] WithInvalidUtf8(string before, string after) =>
        [.. Encoding.UTF8.GetBytes(before), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes(after)];

    [Fact]
    public void Invalid_utf8_in_alg_is_rejected_without_throwing()
    {
        using var v = JwtVerifier.Create([Secret], []);
        string token = Token(WithInvalidUtf8("{\"alg\":\"", "\"}"), Encoding.UTF8.GetBytes("{\"sub\":\"a\"}"));
        Assert.False(v.TryVerify(Encoding.ASCII.GetBytes(token), 0, out _, out string reason));
        Assert.Equal("malformed header", reason);
    }

    [Fact]
    public void Invalid_utf8_in_sub_is_rejected_without_throwing()
    {
        using var v = JwtVerifier.Create([Secret], []);
        string token = Token(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\"}"), WithInvalidUtf8("{\"sub\":\"", "\"}"));
        Assert.False(v.TryVerify(Encoding.ASCII.GetBytes(token), 0, out _, out string reason));
        Assert.Equal("malformed claims", reason);
    }
}
