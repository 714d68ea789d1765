using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ingestd.Tests.Support;

/// <summary>Mints compact JWS tokens for tests.</summary>
public static class Jwt
{
    public static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    public static string B64(string json) => B64(Encoding.UTF8.GetBytes(json));

    public static string Claims(string sub, long? exp = null, long? nbf = null)
    {
        var d = new Dictionary<string, object> { ["sub"] = sub };
        if (exp is not null) d["exp"] = exp;
        if (nbf is not null) d["nbf"] = nbf;
        return JsonSerializer.Serialize(d);
    }

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static string Hs256(string secret, string claims, string alg = "HS256")
    {
        string signingInput = B64($$"""{"alg":"{{alg}}","typ":"JWT"}""") + "." + B64(claims);
        var sig = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + B64(sig);
    }

    public static string Rs256(RSA key, string claims)
    {
        string signingInput = B64("""{"alg":"RS256","typ":"JWT"}""") + "." + B64(claims);
        var sig = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + B64(sig);
    }

    public static string None(string claims) => B64("""{"alg":"none","typ":"JWT"}""") + "." + B64(claims) + ".";
}
