using System.Net;

namespace Ingestd.Config;

/// <summary><c>[server]</c>.</summary>
internal sealed record ServerConfig
{
    /// <summary><c>listen</c>: plain HTTP endpoints (may be empty when TLS ones are configured); port 0 asks the OS for an ephemeral port.</summary>
    public IReadOnlyList<IPEndPoint> Listen { get; init; } = [new IPEndPoint(IPAddress.Loopback, 8080)];

    /// <summary><c>data_dir</c>: where segment files live.</summary>
    public string DataDir { get; init; } = "./data";

    /// <summary><c>[[server.tls]]</c>: TLS listeners, besides the plain ones in <see cref="Listen"/>.</summary>
    public IReadOnlyList<TlsListenerConfig> Tls { get; init; } = [];

    /// <summary><c>plain_http</c>: how plain listeners answer Guardian's HTTPS-only route.</summary>
    public PlainHttpPolicy PlainHttp { get; init; } = PlainHttpPolicy.Serve;

    /// <summary><c>node_id</c>: this daemon's name in delivered event ids (<c>&lt;node_id&gt;-&lt;sequence&gt;</c>); the host name by default.</summary>
    public string NodeId { get; init; } = Environment.MachineName;

    public bool Equals(ServerConfig? other) =>
        other is not null && DataDir == other.DataDir && NodeId == other.NodeId && Listen.SequenceEqual(other.Listen)
        && Tls.SequenceEqual(other.Tls) && PlainHttp == other.PlainHttp;

    public override int GetHashCode() => HashCode.Combine(DataDir, Listen.Count);
}
