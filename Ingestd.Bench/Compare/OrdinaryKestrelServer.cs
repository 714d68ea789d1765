using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingestd.Bench.Compare;

/// <summary>
/// <c>Ingestd.Bench kestrel-ordinary --listen HOST:PORT --out FILE</c>: <c>/v1/drain</c> written the
/// way a competent .NET developer writes it by default, from the ASP.NET Core docs: a minimal API,
/// System.Text.Json source-generated binding into records, validation, a bounded
/// <see cref="Channel{T}"/> to one writer appending NDJSON to a file. Deliberately not tuned: it is
/// the baseline the daemon is compared against. It acknowledges once the events are in the channel
/// (memory), a weaker promise than ingestd's <c>write</c> mode.
/// <c>/v1/logs/ndjson</c> takes the same events as NDJSON; gzip is handled by the request
/// decompression middleware.
/// </summary>
internal static class OrdinaryKestrelServer
{
    public const string Token = "tok-bench";
    public const int ChannelCapacity = 100_000;

    public static int Run(string[] args)
    {
        var options = new CommandArgs(args);
        string listen = options.Require("--listen");
        string outPath = Path.GetFullPath(options.Require("--out"));

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls($"http://{listen}");
        // What the template's appsettings.json says: no per-request log lines from the framework.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Information);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            // The context's own naming policy applies only through OrdinaryJsonContext.Default;
            // as a resolver in the framework's options, those options decide the names.
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, OrdinaryJsonContext.Default);
        });
        builder.Services.AddRequestDecompression();

        var channel = Channel.CreateBounded<DrainEvent>(new BoundedChannelOptions(ChannelCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        builder.Services.AddSingleton(channel);
        builder.Services.AddHostedService(sp => new OrdinaryEventWriter(channel, outPath));

        var app = builder.Build();
        app.UseRequestDecompression();

        app.MapGet("/health", () => Results.Json(new StatusResponse("ok"), OrdinaryJsonContext.Default.StatusResponse));

        app.MapPost("/v1/drain", ([FromHeader(Name = "Authorization")] string? authorization, DrainRequest request) =>
        {
            if (!IsAuthorized(authorization)) return Error(401, "unauthorized");
            if (request.Events is null) return Error(400, "invalid_json", "body: 'events' must be an array");
            for (int i = 0; i < request.Events.Count; i++)
            {
                string? problem = Validate(request.Events[i], i);
                if (problem is not null) return Error(400, "invalid_event", problem);
            }
            return Enqueue(channel, request.Events);
        });

        app.MapPost("/v1/logs/ndjson", async (HttpRequest http, [FromHeader(Name = "Authorization")] string? authorization) =>
        {
            if (!IsAuthorized(authorization)) return Error(401, "unauthorized");
            var events = new List<DrainEvent>();
            using var reader = new StreamReader(http.Body);
            string? line;
            int lineNumber = 0;
            while ((line = await reader.ReadLineAsync()) is not null)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                DrainEvent? e;
                try
                {
                    e = JsonSerializer.Deserialize(line, OrdinaryJsonContext.Default.DrainEvent);
                }
                catch (JsonException ex)
                {
                    return Error(400, "invalid_json", $"line {lineNumber}: {ex.Message}");
                }
                if (e is null) return Error(400, "invalid_event", $"line {lineNumber}: expected an object");
                string? problem = Validate(e, events.Count);
                if (problem is not null) return Error(400, "invalid_event", $"line {lineNumber}: {problem}");
                events.Add(e);
            }
            return Enqueue(channel, events);
        });

        app.Run();
        return 0;
    }

    private static bool IsAuthorized(string? authorization)
    {
        if (authorization is null) return false;
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) authorization = authorization[7..];
        return authorization == Token;
    }

    private static string? Validate(DrainEvent e, int index)
    {
        if (string.IsNullOrEmpty(e.ProjectId)) return $"events[{index}].project_id: required";
        if (string.IsNullOrEmpty(e.Level)) return $"events[{index}].level: required";
        if (string.IsNullOrEmpty(e.Service)) return $"events[{index}].service: required";
        if (e.Message is null) return $"events[{index}].message: required";
        if (string.IsNullOrEmpty(e.Timestamp)) return $"events[{index}].timestamp: required";
        if (!DateTimeOffset.TryParse(e.Timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
            return $"events[{index}].timestamp: not a valid timestamp";
        if (e.Metadata is { } m && m.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            return $"events[{index}].metadata: must be an object";
        return null;
    }

    private static IResult Enqueue(Channel<DrainEvent> channel, List<DrainEvent> events)
    {
        foreach (var e in events)
        {
            if (!channel.Writer.TryWrite(e))
                return Results.Json(new ErrorResponse("server saturated", "backpressure_triggered"), OrdinaryJsonContext.Default.ErrorResponse, statusCode: 429);
        }
        return Results.Json(new StatusResponse("accepted"), OrdinaryJsonContext.Default.StatusResponse, statusCode: 202);
    }

    private static IResult Error(int status, string error, string? detail = null) =>
        Results.Json(new ErrorResponse(error, detail), OrdinaryJsonContext.Default.ErrorResponse, statusCode: status);
}
