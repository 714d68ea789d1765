using Ingestd.Config;
using Ingestd.Diagnostics;
using Ingestd.Ingest;
using Ingestd.Parsing.Records;
using Ingestd.Ring;
using Ingestd.Storage;
using Ingestd.Storage.Index;
using Ingestd.Tests.Support;
using Fixtures = Ingestd.Tests.Storage.Fixtures;

namespace Ingestd.Tests.Ingest;

public class SegmentWriterIndexTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_index_the_writer_builds_from_several_ring_entries_per_block_equals_the_one_built_by_reading_the_segment()
    {
        using var dir = new TempDir();
        var log = SegmentLog.Open(new SegmentLogOptions { Directory = dir.Path, SegmentMaxBytes = 2048, WriteIndexes = true }, _ => { });
        var ring = new EventRing(64 * 1024);
        // Blocks of up to 2 KiB from entries of 4 records, all published before the writer starts: several entries,
        // with different envelopes, in each block.
        var writer = new SegmentWriter(ring, log, Durability.Write, 2048, new Metrics());
        string[] tenants = ["org-a", "org-b"], services = ["api", "db", "web"], levels = ["info", "WARN", "error"];
        for (int i = 0; i < 80; i++)
        {
            using var batch = Fixtures.Batch(4, i * 4, tenant: tenants[i % 2], service: services[i / 2 % 3], level: levels[i / 3 % 3],
                dialect: i % 5 == 0 ? Dialect.Air : Dialect.Astralog, kind: i % 7 == 0 ? RecordKind.Metric : RecordKind.Log);
            Assert.True(ring.TryPublish(batch.Bytes, batch.Count, batch.MinEventNs, batch.MaxEventNs, out _));
        }
        writer.Start();
        writer.StopAfterWritingAll();
        Assert.True(log.WaitForIndexes(Wait));

        var segments = SegmentFormat.ListSegments(dir.Path);
        Assert.True(segments.Count > 3);
        using var reader = new BlockReader();
        foreach (var segment in segments[..^1])
        {
            byte[]? rebuilt = SegmentIndexer.Build(segment, reader, CancellationToken.None, out string? whyNot);
            Assert.True(rebuilt is not null, whyNot);
            Assert.Equal(rebuilt, File.ReadAllBytes(IndexFormat.PathFor(segment)));
        }
        writer.Dispose();
    }
}
