using System.Text;
using Ingestd.Config;
using Ingestd.Endpoints;
using Ingestd.Http;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;
using Ingestd.Transport;

namespace Ingestd.Routing;

/// <summary>
/// What a request gets differently by transport, in one place: HSTS on TLS responses, and on plain connections the
/// <c>server.plain_http</c> answer (308 to https, or 426) for Guardian's route, whose seed says HTTPS only.
/// </summary>
internal sealed class TransportPolicy(PlainHttpPolicy plainHttp)
{
    /// <summary>The port of the first TLS listener, for redirects (0: none); known once the listeners are bound.</summary>
    public int HttpsPort { get; set; }

    /// <summary>Adds Strict-Transport-Security to a response sent over TLS (RFC 6797 §7.2: never over plain HTTP).</summary>
    public static void AddHsts(TransportSecurity? security, Endpoint? endpoint, Response response)
    {
        if (security is null) return;
        // Guardian's seed enforces HSTS: its route carries the header even where the listener turned it off.
        var value = security.Hsts ?? (endpoint?.Dialect == Dialect.Guardian ? TransportSecurity.DefaultHsts : null);
        if (value is not null) response.AddHeader("Strict-Transport-Security"u8, value);
    }

    /// <summary>
    /// True when a plain connection must not be served this route: the response (308 or 426) is written and the
    /// connection marked to close when a body was announced (it is not read).
    /// </summary>
    public bool RefusesPlain(TransportSecurity? security, Endpoint endpoint, HttpRequestHead head, Response response)
    {
        if (plainHttp == PlainHttpPolicy.Serve || security is not null || endpoint.Dialect != Dialect.Guardian) return false;
        string? location = plainHttp == PlainHttpPolicy.Redirect ? HttpsLocation(HttpsPort, head) : null;
        if (location is not null)
        {
            // 308 (RFC 9110 §15.4.9) keeps the method and body, so a POST is re-sent as a POST.
            response.Json(308, """{"error":"https_required","message":"This endpoint is served over HTTPS only; the request was not processed"}"""u8);
            response.AddHeader("Location"u8, location);
        }
        else
        {
            // 426 must name the protocol to switch to (RFC 9110 §15.5.22); TLS as an upgrade token per RFC 2817.
            response.Json(426, """{"error":"https_required","message":"This endpoint is served over HTTPS only; the request was not processed"}"""u8);
            response.AddHeader("Upgrade"u8, "TLS/1.2, HTTP/1.1"u8);
        }
        if (head.HasBody) response.CloseConnection = true;
        return true;
    }

    // https://host[:port]/target, the host from the Host header without its port; null when there is no usable Host.
    private static string? HttpsLocation(int httpsPort, HttpRequestHead head)
    {
        if (httpsPort == 0 || !head.TryGetHeader("Host"u8, out var hostHeader)) return null;
        string host = Encoding.ASCII.GetString(hostHeader.Trim((byte)' '));
        int colon = host.LastIndexOf(':');
        if (colon >= 0 && colon > host.LastIndexOf(']')) host = host[..colon];
        if (host.Length == 0 || host.AsSpan().IndexOfAny("/\\?#@ \t") >= 0) return null;
        string port = httpsPort == 443 ? "" : ":" + httpsPort;
        var target = head.Target.Length > 0 && head.Target[0] == (byte)'/' ? head.Target : head.Path;
        return $"https://{host}{port}{Encoding.ASCII.GetString(target)}";
    }
}
