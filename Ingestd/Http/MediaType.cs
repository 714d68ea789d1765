using System.Text;

namespace Ingestd.Http;

internal static class MediaType
{
    /// <summary>True when a Content-Type value names <paramref name="type"/>, ignoring case and parameters (RFC 9110 §8.3.1).</summary>
    public static bool Is(ReadOnlySpan<byte> contentType, ReadOnlySpan<byte> type)
    {
        int semi = contentType.IndexOf((byte)';');
        var essence = (semi < 0 ? contentType : contentType[..semi]).Trim((byte)' ');
        return Ascii.EqualsIgnoreCase(essence, type);
    }
}
