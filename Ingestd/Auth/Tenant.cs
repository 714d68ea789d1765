using System.Text;

namespace Ingestd.Auth;

/// <summary>A configured tenant: the id stamped into every record it sends, and its rate limit.</summary>
internal sealed class Tenant
{
    public Tenant(string id, int rateLimitPerMinute)
    {
        Id = id;
        IdUtf8 = Encoding.UTF8.GetBytes(id);
        RateLimitPerMinute = rateLimitPerMinute;
    }

    public string Id { get; }
    public byte[] IdUtf8 { get; }
    public int RateLimitPerMinute { get; }
}
