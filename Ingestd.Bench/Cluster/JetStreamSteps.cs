using System.Diagnostics;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Ingestd.Bench.Cluster;

/// <summary>
/// The JetStream API steps of the cluster test, over NATS.Net (Debian ships no <c>nats</c> CLI): create the
/// replicated stream, and read it back to compare with what the shipper saw acknowledged.
/// </summary>
internal static class JetStreamSteps
{
    private static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds(40);

    private static NatsConnection Connect(string servers) => new(NatsOpts.Default with
    {
        Url = servers,
        Name = "ingestd cluster test",
        RequestTimeout = TimeSpan.FromSeconds(5),
    });

    /// <summary>
    /// Creates the stream once the cluster has a meta leader (a fresh cluster answers "temporarily unavailable"
    /// for a few seconds), then waits until the stream has its leader and every replica is current.
    /// </summary>
    public static int CreateStream(string servers, string name, string subjects, int replicas, TimeSpan duplicateWindow)
    {
        return Task.Run(async () =>
        {
            await using var nats = Connect(servers);
            var js = new NatsJSContext(nats);
            var config = new StreamConfig(name, [subjects])
            {
                NumReplicas = replicas,
                Storage = StreamConfigStorage.File,
                // Nats-Msg-Id is deduplicated only within this window: longer than the whole test.
                DuplicateWindow = duplicateWindow,
            };
            var waited = Stopwatch.StartNew();
            string last = "";
            while (waited.Elapsed < ReadyWait)
            {
                try
                {
                    var stream = await js.CreateStreamAsync(config);
                    var info = (await js.GetStreamAsync(name)).Info;
                    var cluster = info.Cluster;
                    int current = cluster?.Replicas?.Count(r => r.Current) ?? 0;
                    if (cluster?.Leader is { Length: > 0 } leader && current == replicas - 1)
                    {
                        Console.WriteLine($"stream: {name} on {subjects}, {replicas} replicas (leader {leader}), duplicate window {duplicateWindow.TotalMinutes:0} min");
                        return 0;
                    }
                    last = $"leader '{cluster?.Leader}', {current} of {replicas - 1} replicas current";
                }
                catch (Exception e) when (e is NatsJSApiException or NatsException or TimeoutException or OperationCanceledException)
                {
                    last = e.Message;
                }
                await Task.Delay(250);
            }
            Console.Error.WriteLine($"stream: {name} not ready after {ReadyWait.TotalSeconds:0} s: {last}");
            return 1;
        }).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Moves the stream's leadership to <paramref name="server"/> (stepping the leader down until the election
    /// lands there: nats-server 2.9 picks the new leader itself), so one kill takes down the leader and a client's
    /// server together. Best effort: exit 1, with the leader it has, when ten step-downs did not get there.
    /// </summary>
    public static int MoveLeader(string servers, string name, string server)
    {
        return Task.Run(async () =>
        {
            await using var nats = Connect(servers);
            var js = new NatsJSContext(nats);
            string leader = "";
            for (int attempt = 0; attempt <= 10; attempt++)
            {
                leader = await LeaderAsync(js, name, previous: attempt == 0 ? null : leader);
                if (leader == server)
                {
                    Console.WriteLine($"leader: {leader}");
                    return 0;
                }
                if (attempt == 10) break;
                try
                {
                    await nats.RequestAsync<byte[]>($"$JS.API.STREAM.LEADER.STEPDOWN.{name}");
                }
                catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException)
                {
                    // The election answers for it: the next look at the leader tells.
                }
            }
            Console.WriteLine($"leader: {leader} (not moved to {server})");
            return 1;
        }).GetAwaiter().GetResult();
    }

    /// <summary>The stream's leader once it has one (other than <paramref name="previous"/> after a step-down; 10 s at most).</summary>
    private static async Task<string> LeaderAsync(NatsJSContext js, string name, string? previous)
    {
        var waited = Stopwatch.StartNew();
        string leader = "";
        while (waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                var info = (await js.GetStreamAsync(name)).Info;
                leader = info.Cluster?.Leader ?? "";
                if (leader.Length > 0 && leader != previous) return leader;
            }
            catch (Exception e) when (e is NatsJSApiException or NatsException or TimeoutException or OperationCanceledException)
            {
            }
            await Task.Delay(100);
        }
        return leader;
    }

    /// <summary>Reads every message of the stream, dedupes and compares with the acknowledged batches.</summary>
    public static int Check(string servers, string name, string ackedPath, int eventsPerBatch)
    {
        var acked = new HashSet<string>(StringComparer.Ordinal);
        foreach (string key in File.ReadLines(ackedPath))
        {
            if (key.Length == 0) continue;
            for (int i = 0; i < eventsPerBatch; i++) acked.Add(ShipperLoad.Marker(key, i));
        }

        var messages = Task.Run(() => ReadAllAsync(servers, name)).GetAwaiter().GetResult();
        var report = StreamReport.Build(messages, acked);
        foreach (string line in report.Details()) Console.WriteLine(line);
        Console.WriteLine(report.Summary);
        return report.Passed ? 0 : 1;
    }

    private static async Task<List<(string MsgId, byte[] Data)>> ReadAllAsync(string servers, string name)
    {
        await using var nats = Connect(servers);
        var js = new NatsJSContext(nats);
        var stream = await js.GetStreamAsync(name);
        long count = (long)stream.Info.State.Messages;
        var result = new List<(string, byte[])>((int)count);
        if (count == 0) return result;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var consumer = await js.CreateOrderedConsumerAsync(name, cancellationToken: timeout.Token);
        await foreach (var msg in consumer.ConsumeAsync<byte[]>(cancellationToken: timeout.Token))
        {
            string id = msg.Headers is { } h && h.TryGetValue("Nats-Msg-Id", out var v) ? v.ToString() : "";
            result.Add((id, msg.Data ?? []));
            if (result.Count >= count) break;
        }
        return result;
    }
}

/// <summary>What the stream holds against what the shipper saw acknowledged.</summary>
internal sealed class StreamReport
{
    public int Messages;
    public int DistinctIds;
    public int DuplicateIds;       // the same Nats-Msg-Id stored twice: JetStream's window should have dropped it
    public int IdMismatches;       // Nats-Msg-Id differs from the "id" in the data
    public int Unreadable;         // no marker in the data
    public int DistinctMarkers;
    public int Replays;            // one marker under several ids: a shipper's retry stored by a second node (or twice)
    public int Acknowledged;
    public int AckedInStream;
    public int UnackedInStream;    // stored and delivered, though the shipper never got a 2xx for it
    public List<string> LostSample = [];

    public int Lost => Acknowledged - AckedInStream;
    public bool Passed => Acknowledged > 0 && Lost == 0 && DuplicateIds == 0 && IdMismatches == 0 && Unreadable == 0;

    public string Summary =>
        $"cluster: acknowledged {Acknowledged}, in stream {AckedInStream}, duplicates after dedupe {DuplicateIds}, lost {Lost}";

    public IEnumerable<string> Details()
    {
        yield return $"stream: {Messages} messages, {DistinctIds} distinct Nats-Msg-Id ({DuplicateIds} stored twice, {IdMismatches} not matching the data's id, {Unreadable} without a marker)";
        yield return $"stream: {DistinctMarkers} distinct events by marker; {Replays} stored again under another id (a shipper retry after a node died before answering: removed by the marker dedupe); {UnackedInStream} delivered but never acknowledged to the shipper";
        if (LostSample.Count > 0) yield return "lost (first ones): " + string.Join(", ", LostSample);
    }

    public static StreamReport Build(List<(string MsgId, byte[] Data)> messages, HashSet<string> acked)
    {
        var report = new StreamReport { Messages = messages.Count, Acknowledged = acked.Count };
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var idsByMarker = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (msgId, data) in messages)
        {
            if (!ids.Add(msgId)) report.DuplicateIds++;
            string? id = null, marker = null;
            try
            {
                using var doc = JsonDocument.Parse(data);
                var root = doc.RootElement;
                if (root.TryGetProperty("id", out var idValue)) id = idValue.GetString();
                if (root.TryGetProperty("event", out var ev) && ev.TryGetProperty("message", out var m)) marker = m.GetString();
            }
            catch (JsonException)
            {
            }
            if (id != msgId) report.IdMismatches++;
            if (marker is null)
            {
                report.Unreadable++;
                continue;
            }
            if (!idsByMarker.TryGetValue(marker, out var set)) idsByMarker[marker] = set = new HashSet<string>(StringComparer.Ordinal);
            set.Add(msgId);
        }
        report.DistinctIds = ids.Count;
        report.DistinctMarkers = idsByMarker.Count;
        foreach (var (marker, set) in idsByMarker)
        {
            report.Replays += set.Count - 1;
            if (acked.Contains(marker)) report.AckedInStream++;
            else report.UnackedInStream++;
        }
        foreach (string marker in acked)
        {
            if (report.LostSample.Count >= 10) break;
            if (!idsByMarker.ContainsKey(marker)) report.LostSample.Add(marker);
        }
        return report;
    }
}
