using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using Ingestd.Config;

namespace Ingestd.Outputs.Destinations;

/// <summary>A destination's answer to one POST: its status, reason phrase and body.</summary>
internal readonly record struct HttpAnswer(int Status, string Reason, byte[] Body)
{
    /// <summary>The start of the body on one line, for the log and the dead-letter file.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 512)).ReplaceLineEndings(" ").Trim();
}

/// <summary>
/// The request side shared by the Loki, OTLP/HTTP and Splunk HEC destinations: one <see cref="HttpClient"/> to
/// <c>{url}{path}</c> (or <c>url</c> when it ends with the path already), the configured <c>headers</c> (plus an <c>Authorization</c> the destination sets), optional gzip
/// of the body (into a reused buffer), and send errors turned into transient results by <see cref="HttpDelivery"/>.
/// </summary>
internal sealed class HttpPoster : IDisposable
{
    private readonly HttpClient _client;
    private readonly Uri _url;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _headers;
    private readonly string? _authorization;
    private readonly RequestBody _body;

    public HttpPoster(OutputConfig config, string path, MediaTypeHeaderValue type, bool gzip, string? authorization = null)
    {
        _body = new RequestBody(gzip, type);
        // The url is the receiver's base; one that already ends with the API path is taken as it is.
        string url = config.Url!.TrimEnd('/');
        _url = new Uri(url.EndsWith(path, StringComparison.Ordinal) ? url : url + path);
        _headers = config.Headers;
        _authorization = authorization;
        _client = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.GZip,
        })
        {
            Timeout = config.Timeout,
        };
    }

    public Uri Url => _url;

    /// <summary>
    /// POSTs <paramref name="body"/>; true with the answer (any status), false with a transient result when the send
    /// itself failed (timeout, connection, I/O). Only cancellation throws.
    /// </summary>
    public bool TryPost(ReadOnlyMemory<byte> body, CancellationToken ct, out HttpAnswer answer, out DeliveryResult failure)
    {
        using var request = new HttpRequestMessage(System.Net.Http.HttpMethod.Post, _url) { Content = _body.For(body) };
        if (_authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", _authorization);
        foreach (var (name, value) in _headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value)) request.Content.Headers.TryAddWithoutValidation(name, value);
        }
        try
        {
            using var response = _client.Send(request, HttpCompletionOption.ResponseContentRead, ct);
            byte[] bytes = response.Content.ReadAsByteArrayAsync(ct).GetAwaiter().GetResult();
            answer = new HttpAnswer((int)response.StatusCode, response.ReasonPhrase ?? "", bytes);
            failure = default;
            return true;
        }
        catch (Exception e) when (HttpDelivery.IsTransient(e, _client, ct, out failure))
        {
            answer = default;
            return false;
        }
    }

    /// <summary>
    /// A non-2xx answer as <see cref="HttpDelivery.Refused"/> reads it, except 401 and 403: a refused credential is the
    /// configuration's fault, not the events', so it is retried (and shown as the output's last error) until the
    /// token is fixed, instead of dead-lettering every event.
    /// </summary>
    public static DeliveryResult Refused(HttpAnswer answer, string what)
    {
        string reason = $"{what}: HTTP {answer.Status} {answer.Reason}: {answer.BodyText}";
        return answer.Status is 401 or 403 ? DeliveryResult.Transient(reason + " (check the output's credentials)")
            : HttpDelivery.Refused(answer.Status, reason);
    }

    public void Dispose()
    {
        _client.Dispose();
        _body.Dispose();
    }
}
