using System.Text;

namespace Ingestd.Auth;

/// <summary>A configured tenant: the id stamped into every record it sends, its rate limit, and the streams it may write to.</summary>
internal sealed class Tenant
{
    // null = any stream. Lists are short (a tenant's pipelines), so a scan beats hashing the header value.
    private readonly byte[][]? _streams;

    public Tenant(string id, int rateLimitPerMinute, IReadOnlyList<string>? streams = null)
    {
        Id = id;
        IdUtf8 = Encoding.UTF8.GetBytes(id);
        RateLimitPerMinute = rateLimitPerMinute;
        if (streams is not null)
        {
            _streams = new byte[streams.Count][];
            for (int i = 0; i < streams.Count; i++) _streams[i] = Encoding.UTF8.GetBytes(streams[i]);
        }
    }

    public string Id { get; }
    public byte[] IdUtf8 { get; }
    public int RateLimitPerMinute { get; }

    /// <summary>True when the tenant's <c>streams</c> list is configured, so only the listed streams are allowed.</summary>
    public bool RestrictsStreams => _streams is not null;

    /// <summary>Whether this tenant's keys may write to <paramref name="stream"/> (an <c>X-Stream-Id</c> value).</summary>
    public bool AllowsStream(ReadOnlySpan<byte> stream)
    {
        if (_streams is null) return true;
        foreach (var allowed in _streams)
            if (stream.SequenceEqual(allowed)) return true;
        return false;
    }
}
