using System.Security.Cryptography;

namespace Ingestd.Tests.Support;

/// <summary>
/// A daemon with tenants and JWT keys configured, shared by the dialect tests that need auth:
/// org-xyz (tok-123), stream-a (tok-stream), piped (tok-piped, may write only to Streams streams
/// a0c3b4de-1923-4ff1-8dba-f92ad912d20f and checkout-events), limited (tok-limited, 3 requests a minute),
/// HS256 secret "air-secret-1" and one RS256 public key (<see cref="RsaKey"/> signs for it).
/// </summary>
public sealed class SecuredDaemonFixture : IDisposable
{
    private readonly TempDir _dir = new("ingestd-secured");

    public SecuredDaemonFixture()
    {
        RsaKey = RSA.Create(2048);
        File.WriteAllText(_dir.File("rsa.pem"), RsaKey.ExportSubjectPublicKeyInfoPem());
        Config = $"""
            [auth]
            jwt_hs256_secrets = ["air-secret-1"]
            jwt_public_keys = ["{_dir.File("rsa.pem")}"]

            [[tenants]]
            id = "org-xyz"
            keys = ["tok-123"]

            [[tenants]]
            id = "stream-a"
            keys = ["tok-stream"]

            [[tenants]]
            id = "piped"
            keys = ["tok-piped"]
            streams = ["a0c3b4de-1923-4ff1-8dba-f92ad912d20f", "checkout-events"]

            [[tenants]]
            id = "limited"
            keys = ["tok-limited"]
            rate_limit_per_minute = 3
            """;
        DataDir = _dir.File("data");
        Daemon = DaemonProcess.Start(DataDir, Config);
    }

    public RSA RsaKey { get; }
    public string Config { get; }
    public string DataDir { get; }
    public DaemonProcess Daemon { get; private set; }

    /// <summary>SIGTERM and start again on the same data directory and config.</summary>
    public void Restart()
    {
        Assert.Equal(0, Daemon.Terminate());
        Daemon.Dispose();
        Daemon = DaemonProcess.Start(DataDir, Config);
    }

    public void Dispose()
    {
        Daemon.Dispose();
        RsaKey.Dispose();
        _dir.Dispose();
    }
}
