using System.Text.Json;
using System.Text.Json.Serialization;
using Ingestd.Parsing.Errors;

namespace Ingestd.Http;

/// <summary>The default JSON error body: <c>{"error":"code","detail":"what and where","index":3,"field":"timestamp"}</c>.</summary>
internal sealed record ErrorBody(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("detail")] string? Detail = null,
    [property: JsonPropertyName("index")] int? Index = null,
    [property: JsonPropertyName("field")] string? Field = null,
    [property: JsonPropertyName("code")] string? Code = null)
{
    public static ErrorBody From(RequestRejectedException e) => e.Reason == RejectReason.Backpressure
        ? new ErrorBody("server saturated", Code: "backpressure_triggered")
        : new ErrorBody(Rejection.Code(e.Reason), e.Detail, e.EventIndex >= 0 ? e.EventIndex : null, e.Field);

    public void WriteTo(Response response, int status)
    {
        using var writer = response.JsonWriter(status);
        JsonSerializer.Serialize(writer, this, ResponseJsonContext.Default.ErrorBody);
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class ResponseJsonContext : JsonSerializerContext;
