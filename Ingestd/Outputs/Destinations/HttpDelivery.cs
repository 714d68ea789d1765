using System.Net.Http;
using Ingestd.Outputs;

namespace Ingestd.Outputs.Destinations;

/// <summary>How the HTTP destinations read a failed send: which answers and errors are worth retrying.</summary>
internal static class HttpDelivery
{
    /// <summary>A non-2xx answer: 408, 429 and 5xx are the server's trouble and retried; any other is the batch's fault.</summary>
    public static DeliveryResult Refused(int status, string reason)
        => status is 408 or 429 or >= 500 ? DeliveryResult.Transient(reason) : DeliveryResult.Permanent(reason);

    /// <summary>True (with the retry's reason) for the errors of a send that a later attempt may not meet: timeout, connection, I/O.</summary>
    public static bool IsTransient(Exception e, HttpClient client, CancellationToken ct, out DeliveryResult result)
    {
        string? reason = e switch
        {
            OperationCanceledException when !ct.IsCancellationRequested => $"no answer within {client.Timeout.TotalSeconds:0.###} s",
            HttpRequestException h => h.InnerException is { } inner ? $"{h.Message} ({inner.Message})" : h.Message,
            IOException io => io.Message,
            _ => null,
        };
        result = reason is null ? default : DeliveryResult.Transient(reason);
        return reason is not null;
    }

    /// <summary>The start of an error answer's body, on one line: it makes the reason useful in the log and the dead-letter file.</summary>
    public static string ReadSome(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var stream = response.Content.ReadAsStream(ct);
            var buffer = new byte[512];
            int n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return System.Text.Encoding.UTF8.GetString(buffer, 0, n).ReplaceLineEndings(" ").Trim();
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            return "(no body)";
        }
    }
}
