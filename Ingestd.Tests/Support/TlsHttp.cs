using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Ingestd.Tests.Support;

/// <summary>
/// A keep-alive HTTP/1.1 client over .NET's own TLS stack, trusting only the test CA: for what curl cannot show, such
/// as one connection kept open across a certificate reload, or which certificate a connection was made with.
/// </summary>
public sealed class TlsHttp : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;
    private readonly List<byte> _pending = new();

    public TlsHttp(int port, string caPem, X509Certificate2? clientCertificate = null)
    {
        _tcp = new TcpClient("127.0.0.1", port) { NoDelay = true, ReceiveTimeout = 30_000 };
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caPem));
        _tls = new SslStream(_tcp.GetStream(), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck },
        };
        options.CertificateChainPolicy.CustomTrustStore.Add(ca);
        if (clientCertificate is not null) options.ClientCertificates = [clientCertificate];
        _tls.AuthenticateAsClient(options);
    }

    /// <summary>SHA-256 of the certificate the server presented on this connection.</summary>
    public string ServerCertificateSha256 => new X509Certificate2(_tls.RemoteCertificate!).GetCertHashString(HashAlgorithmName.SHA256);

    public RawHttp.Reply Exchange(string method, string path, string? body, params (string Name, string Value)[] headers)
    {
        var bytes = body is null ? null : Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        foreach (var (n, v) in headers) head.Append($"{n}: {v}\r\n");
        if (bytes is not null) head.Append($"Content-Length: {bytes.Length}\r\n");
        head.Append("\r\n");
        _tls.Write([.. Encoding.UTF8.GetBytes(head.ToString()), .. bytes ?? []]);
        _tls.Flush();
        return Receive() ?? throw new IOException("connection closed without a response");
    }

    private RawHttp.Reply? Receive()
    {
        while (true)
        {
            int headEnd = IndexOf("\r\n\r\n"u8);
            if (headEnd >= 0)
            {
                var lines = Encoding.ASCII.GetString(_pending.GetRange(0, headEnd).ToArray()).Split("\r\n");
                var headers = new Dictionary<string, string>();
                foreach (var l in lines.Skip(1))
                {
                    int c = l.IndexOf(':');
                    headers[l[..c].Trim().ToLowerInvariant()] = l[(c + 1)..].Trim();
                }
                int length = headers.TryGetValue("content-length", out var cl) ? int.Parse(cl) : 0;
                while (_pending.Count < headEnd + 4 + length)
                    if (!Fill()) return null;
                var reply = new RawHttp.Reply(int.Parse(lines[0].Split(' ')[1]), headers,
                    Encoding.UTF8.GetString(_pending.GetRange(headEnd + 4, length).ToArray()));
                _pending.RemoveRange(0, headEnd + 4 + length);
                return reply;
            }
            if (!Fill()) return null;
        }
    }

    private bool Fill()
    {
        var buf = new byte[65536];
        int n;
        try { n = _tls.Read(buf); }
        catch (IOException) { return false; }
        if (n == 0) return false;
        _pending.AddRange(buf.AsSpan(0, n).ToArray());
        return true;
    }

    private int IndexOf(ReadOnlySpan<byte> needle)
    {
        for (int i = 0; i + needle.Length <= _pending.Count; i++)
        {
            int j = 0;
            while (j < needle.Length && _pending[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    public void Dispose()
    {
        _tls.Dispose();
        _tcp.Dispose();
    }
}
