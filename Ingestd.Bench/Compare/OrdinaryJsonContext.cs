using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ingestd.Bench.Compare;

/// <summary>The <c>/v1/drain</c> body as the ordinary Kestrel server binds it.</summary>
internal sealed record DrainRequest(List<DrainEvent>? Events);

/// <summary>One Astralog event, bound by System.Text.Json (snake_case names).</summary>
internal sealed record DrainEvent(string ProjectId, string Timestamp, string Level, string Service, string Message, JsonElement? Metadata);

internal sealed record StatusResponse(string Status);

internal sealed record ErrorResponse(string Error, string? Detail = null);

/// <summary>Source-generated serialisation for the ordinary server, as the ASP.NET Core docs recommend.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DrainRequest))]
[JsonSerializable(typeof(DrainEvent))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class OrdinaryJsonContext : JsonSerializerContext;
