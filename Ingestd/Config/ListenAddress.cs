using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ingestd.Config;

/// <summary>Parses "host:port" listen addresses: IPv4, "[IPv6]", "localhost"; port 0 means ephemeral.</summary>
internal static class ListenAddress
{
    /// <summary>Returns null on success, otherwise what is wrong (for the caller to prefix with where).</summary>
    public static string? TryParse(string text, out IPEndPoint endPoint)
    {
        endPoint = new IPEndPoint(IPAddress.None, 0);
        int colon = text.LastIndexOf(':');
        if (colon < 0)
            return $"expected \"host:port\", got \"{text}\"";

        string host = text[..colon];
        string portText = text[(colon + 1)..];
        if (portText.Length == 0 || !portText.All(char.IsAsciiDigit)
            || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port > IPEndPoint.MaxPort)
            return $"port must be 0..65535, got \"{text}\"";

        IPAddress? address;
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            // RFC 3986 §3.2.2: IPv6 literals are bracketed so their colons don't clash with the port.
            if (!IPAddress.TryParse(host.AsSpan(1, host.Length - 2), out address) || address.AddressFamily != AddressFamily.InterNetworkV6)
                return $"invalid IPv6 address in \"{text}\"";
        }
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (host.Contains(':'))
        {
            return $"IPv6 addresses must be bracketed, like \"[::1]:8080\", got \"{text}\"";
        }
        else if (!IsIPv4Literal(host) || !IPAddress.TryParse(host, out address))
        {
            return $"host must be an IP address or localhost, got \"{text}\"";
        }

        endPoint = new IPEndPoint(address, port);
        return null;
    }

    // IPAddress.TryParse also takes forms like "1" or "0x7f.1"; a config wants the dotted quad only.
    private static bool IsIPv4Literal(string host)
    {
        string[] parts = host.Split('.');
        if (parts.Length != 4)
            return false;
        foreach (string part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || int.Parse(part, CultureInfo.InvariantCulture) > 255)
                return false;
        }
        return true;
    }
}
