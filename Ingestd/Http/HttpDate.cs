using System.Text;

namespace Ingestd.Http;

/// <summary>The IMF-fixdate for the Date header (RFC 9110 §5.6.7), refreshed once a second by the heartbeat.</summary>
internal static class HttpDate
{
    private static byte[] _current = Format(DateTimeOffset.UtcNow);

    public static ReadOnlySpan<byte> Current => Volatile.Read(ref _current);

    public static void Refresh(DateTimeOffset now) => Volatile.Write(ref _current, Format(now));

    private static byte[] Format(DateTimeOffset now)
        => Encoding.ASCII.GetBytes(now.UtcDateTime.ToString("r", System.Globalization.CultureInfo.InvariantCulture));
}
