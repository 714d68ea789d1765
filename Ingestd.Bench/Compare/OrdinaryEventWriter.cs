using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;

namespace Ingestd.Bench.Compare;

/// <summary>
/// The ordinary server's single consumer: drains the channel and appends each event as one NDJSON
/// line to a file, flushing after every batch it finds in the channel.
/// </summary>
internal sealed class OrdinaryEventWriter(Channel<DrainEvent> channel, string path) : BackgroundService
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024, useAsync: true);
        await using var json = new Utf8JsonWriter(file);
        var reader = channel.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                while (reader.TryRead(out var e))
                {
                    JsonSerializer.Serialize(json, e, OrdinaryJsonContext.Default.DrainEvent);
                    await json.FlushAsync(stoppingToken);
                    json.Reset();
                    file.Write(NewLine);
                }
                await file.FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: whatever is still in the channel is lost, as with any in-memory queue.
        }
    }
}
