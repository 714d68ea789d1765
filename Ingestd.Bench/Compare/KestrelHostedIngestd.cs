using System.Buffers;
using System.Collections.Concurrent;
using Ingestd.Config;
using Ingestd.Diagnostics;
using Ingestd.Ingest;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Time;
using Ingestd.Parsing.Dialects.Astralog;
using Ingestd.Parsing.Encoding;
using Ingestd.Ring;
using Ingestd.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Ingestd.Bench.Compare;

/// <summary>
/// <c>Ingestd.Bench kestrel-ingestd --listen HOST:PORT --data-dir DIR [--durability write|fsync|memory]</c>:
/// ingestd's own body decoder, Astralog parser, ring, segment writer and durability waits, hosted
/// on Kestrel instead of ingestd's raw-socket transport. The same pipeline as the daemon; only
/// the HTTP layer differs, so the difference to <c>ingestd</c> is what the transport is worth.
/// Token <c>tok-bench</c> maps to tenant <c>org-xyz</c>, as in the benchmark's daemon config.
/// </summary>
internal static class KestrelHostedIngestd
{
    private const long MaxBodyBytes = 50L * 1024 * 1024;
    private static readonly byte[] Accepted = """{"status":"accepted"}"""u8.ToArray();
    private static readonly byte[] TenantUtf8 = "org-xyz"u8.ToArray();

    public static int Run(string[] args)
    {
        var options = new CommandArgs(args);
        string listen = options.Require("--listen");
        string dataDir = Path.GetFullPath(options.Require("--data-dir"));
        var durability = (options.Get("--durability") ?? "write") switch
        {
            "memory" => Durability.Memory,
            "write" => Durability.Write,
            "fsync" => Durability.Fsync,
            var other => throw new ArgumentException($"--durability: unknown mode '{other}'"),
        };

        var storage = new StorageConfig { Durability = durability };
        Directory.CreateDirectory(dataDir);
        using var stack = StorageStack.Open(storage, dataDir, new Metrics(), Console.Error.WriteLine);
        var pipeline = stack.Pipeline;
        var pool = new ConcurrentBag<KestrelDrainState>();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{listen}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBodyBytes);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        var app = builder.Build();

        app.MapGet("/health", (HttpContext ctx) => Write(ctx.Response, 200, """{"status":"ok"}"""u8.ToArray()));
        app.MapPost("/v1/drain", async (HttpContext ctx) =>
        {
            var state = pool.TryTake(out var s) ? s : new KestrelDrainState(MaxBodyBytes);
            try
            {
                await HandleDrainAsync(ctx, state, pipeline);
            }
            finally
            {
                state.Reset();
                pool.Add(state);
            }
        });

        app.Run();
        stack.Stop();
        foreach (var s in pool) s.Dispose();
        return 0;
    }

    private static async Task HandleDrainAsync(HttpContext ctx, KestrelDrainState state, IngestPipeline pipeline)
    {
        var request = ctx.Request;
        if (!IsAuthorized(request.Headers.Authorization))
        {
            await Write(ctx.Response, 401, """{"error":"unauthorized"}"""u8.ToArray());
            return;
        }

        try
        {
            await ReadBodyAsync(request.BodyReader, state.Raw);
            ReadOnlySpan<byte> body;
            var coding = ParseCoding(request.Headers.ContentEncoding);
            if (coding.IsIdentity)
            {
                body = state.Raw.WrittenSpan;
            }
            else
            {
                state.Decoder.Decode(coding, state.Raw.WrittenSpan, state.Decoded);
                body = state.Decoded.WrittenSpan;
            }
            AstralogParser.Parse(body, UnixClock.NowNs(), TenantUtf8, state.Batch);
        }
        catch (RequestRejectedException e)
        {
            await WriteError(ctx.Response, Rejection.StatusCode(e.Reason), Rejection.Code(e.Reason), e.Detail);
            return;
        }

        switch (await pipeline.PublishAsync(state.Batch, state.Waiter))
        {
            case PublishOutcome.Acknowledged:
                await Write(ctx.Response, 202, Accepted);
                break;
            case PublishOutcome.Backpressure:
                ctx.Response.Headers.RetryAfter = "1";
                await Write(ctx.Response, 429, """{"error":"server saturated","code":"backpressure_triggered"}"""u8.ToArray());
                break;
            case PublishOutcome.TooLarge:
                await WriteError(ctx.Response, 413, "body_too_large", "one event is larger than the ring can take (ring_bytes / 2)");
                break;
            default:
                await WriteError(ctx.Response, 503, "storage_failed", "the segment writer could not store the batch");
                break;
        }
    }

    // Copies the body out of Kestrel's pipe into one contiguous pooled buffer, as the daemon's
    // connection does, so the parsers see a single span.
    private static async Task ReadBodyAsync(System.IO.Pipelines.PipeReader reader, Ingestd.Parsing.Buffers.PooledBuffer into)
    {
        while (true)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            foreach (var segment in buffer)
            {
                if (into.Length + (long)segment.Length > into.Cap)
                    throw new RequestRejectedException(RejectReason.BodyTooLarge);
                into.Write(segment.Span);
            }
            reader.AdvanceTo(buffer.End);
            if (result.IsCompleted) return;
        }
    }

    private static ContentCodings ParseCoding(StringValues header)
    {
        if (StringValues.IsNullOrEmpty(header)) return ContentCodings.Identity;
        string value = header.ToString();
        if (value.Length > 256) throw new RequestRejectedException(RejectReason.UnsupportedContentEncoding, "Content-Encoding too long");
        Span<byte> bytes = stackalloc byte[value.Length];
        int n = System.Text.Encoding.Latin1.GetBytes(value, bytes);
        return ContentCodingHeader.Parse(bytes[..n]);
    }

    private static bool IsAuthorized(StringValues header)
    {
        if (header.Count != 1) return false;
        var value = header[0].AsSpan();
        if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) value = value[7..];
        return value.SequenceEqual(OrdinaryKestrelServer.Token);
    }

    private static Task WriteError(HttpResponse response, int status, string code, string detail)
    {
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse(code, detail), OrdinaryJsonContext.Default.ErrorResponse);
        return Write(response, status, body);
    }

    private static Task Write(HttpResponse response, int status, byte[] body)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, 0, body.Length);
    }
}
