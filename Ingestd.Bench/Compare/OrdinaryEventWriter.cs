using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;

namespace Ingestd.Bench.Compare;

/// <summary>
/// The ordinary server's single consumer: drains the channel and appends each event as one NDJSON
/// line through a buffered <see cref="StreamWriter"/>, flushing after every batch it finds in the channel.
/// </summary>
/// <remarks>
/// An earlier version serialised through a <see cref="Utf8JsonWriter"/> over the file and awaited its
/// <c>FlushAsync</c> per event, which also flushes the stream: two write system calls per event made that
/// baseline about twice as slow as a competent implementation, so the comparison was unfair to Kestrel.
/// </remarks>
internal sealed class OrdinaryEventWriter(Channel<DrainEvent> channel, string path) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1, useAsync: true);
        await using var writer = new StreamWriter(file, new UTF8Encoding(false), bufferSize: 64 * 1024);
        var reader = channel.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                while (reader.TryRead(out var e))
                    await writer.WriteLineAsync(JsonSerializer.Serialize(e, OrdinaryJsonContext.Default.DrainEvent));
                await writer.FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: whatever is still in the channel is lost, as with any in-memory queue.
        }
    }
}
