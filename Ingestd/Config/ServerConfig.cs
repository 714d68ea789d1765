using System.Net;

namespace Ingestd.Config;

/// <summary><c>[server]</c>.</summary>
internal sealed record ServerConfig
{
    /// <summary><c>listen</c>: one or more endpoints; port 0 asks the OS for an ephemeral port.</summary>
    public IReadOnlyList<IPEndPoint> Listen { get; init; } = [new IPEndPoint(IPAddress.Loopback, 8080)];

    /// <summary><c>data_dir</c>: where segment files live.</summary>
    public string DataDir { get; init; } = "./data";

    public bool Equals(ServerConfig? other) =>
        other is not null && DataDir == other.DataDir && Listen.SequenceEqual(other.Listen);

    public override int GetHashCode() => HashCode.Combine(DataDir, Listen.Count);
}
