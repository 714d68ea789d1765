using System.Buffers;
using System.Text.Json;
using Ingestd.Parsing.Records;
using Ingestd.Query;

namespace Ingestd.Tests.Query;

/// <summary>The stats answer on its own: how it counts and where it stops.</summary>
public class StatsAnswerTests
{
    private static bool AddAt(StatsAnswer stats, long eventNs)
    {
        var buffer = new byte[256];
        int n = RecordLayout.Write(buffer, 1, eventNs, Dialect.Streams, RecordKind.Log, "acme"u8, "info"u8, "api"u8, ""u8, "{}"u8);
        Assert.True(RecordView.TryRead(buffer.AsSpan(0, n), out var view, out _));
        return stats.Add(0, view);
    }

    [Fact]
    public void Records_that_would_open_more_than_the_bucket_cap_stop_the_count_and_the_answer_says_max_buckets()
    {
        // Without since nothing bounds the buckets up front: a second apart, every record opens one.
        var stats = new StatsAnswer(StatsGroup.Level, TimeSpan.FromSeconds(1));
        for (long i = 0; i < QueryParameters.MaxBuckets; i++) Assert.True(AddAt(stats, i * 1_000_000_000));
        Assert.True(AddAt(stats, 5 * 1_000_000_000L)); // an existing bucket still counts
        Assert.False(AddAt(stats, QueryParameters.MaxBuckets * 1_000_000_000L));
        Assert.Equal("max_buckets", ((IRecordSink)stats).Cap);

        var output = new ArrayBufferWriter<byte>();
        stats.WriteTo(output, TimeSpan.FromSeconds(1), new QueryOutcome(0, null, ((IRecordSink)stats).Cap, 0, 0));
        var root = JsonDocument.Parse(output.WrittenMemory).RootElement;
        Assert.Equal(QueryParameters.MaxBuckets, root.GetProperty("buckets").GetArrayLength());
        Assert.Equal("max_buckets", root.GetProperty("truncated").GetString());
    }
}
