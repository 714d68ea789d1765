using System.Buffers.Binary;
using System.Text;
using Ingestd.Parsing.Records;
using Ingestd.Storage;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Storage;

/// <summary>
/// The record's stream field and the record-layout byte of the block header (FORMAT.md): new blocks carry
/// records with a stream; blocks written before it still read, with an empty stream.
/// </summary>
public class RecordLayoutTests
{
    private const string StreamId = "a0c3b4de-1923-4ff1-8dba-f92ad912d20f";

    /// <summary>
    /// A segment written by ingestd before records carried a stream (file format version 1, record layout 0):
    /// an Astralog event of org-xyz, then a Streams event sent with X-Stream-Id <see cref="StreamId"/> in open mode.
    /// </summary>
    private static string SegmentBeforeStreams => Path.Combine(RepoPaths.Root, "Ingestd.Tests", "Storage", "before-streams");

    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);
    private static string S(ReadOnlySpan<byte> b) => Encoding.UTF8.GetString(b);

    /// <summary>One record as the original layout laid it out: the 34-byte header, then tenant, level, service, timestamp, JSON.</summary>
    private static byte[] OriginalRecord(string tenant, string level, string service, string timestamp, string json)
    {
        byte[][] fields = [U(tenant), U(level), U(service), U(timestamp), U(json)];
        var record = new byte[34 + fields.Sum(f => f.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)record.Length);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(4), Fixtures.ReceivedNs);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(12), Fixtures.BaseEventNs);
        record[20] = (byte)Dialect.Astralog;
        record[21] = (byte)RecordKind.Log;
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(22 + 2 * i), (ushort)fields[i].Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(30), (uint)fields[4].Length);
        int at = 34;
        foreach (var f in fields)
        {
            f.CopyTo(record, at);
            at += f.Length;
        }
        return record;
    }

    [Fact]
    public void Record_keeps_its_stream_beside_the_other_fields()
    {
        using var batch = new RecordBatch();
        batch.Append(Fixtures.ReceivedNs, Fixtures.BaseEventNs, Dialect.Streams, RecordKind.Event, U("org-xyz"), [], U("payments-app"),
            U("2025-02-12T14:32:15Z"), U("""{"source":"payments-app"}"""), U(StreamId));

        Assert.True(RecordView.TryRead(batch.Bytes, out var v, out int length));
        Assert.Equal(batch.ByteLength, length);
        Assert.Equal("org-xyz", S(v.Tenant));
        Assert.Equal(StreamId, S(v.Stream));
        Assert.Equal("", S(v.Level));
        Assert.Equal("payments-app", S(v.Service));
        Assert.Equal("2025-02-12T14:32:15Z", S(v.TimestampText));
        Assert.Equal("""{"source":"payments-app"}""", S(v.Json));
    }

    [Fact]
    public void Record_appended_without_a_stream_has_an_empty_one()
    {
        using var batch = Fixtures.Batch(1);
        Assert.True(RecordView.TryRead(batch.Bytes, out var v, out _));
        Assert.True(v.Stream.IsEmpty);
        Assert.Equal("org-xyz", S(v.Tenant));
        Assert.Equal(Fixtures.Json(0), S(v.Json));
    }

    [Fact]
    public void Original_layout_record_reads_with_an_empty_stream()
    {
        var record = OriginalRecord("org-xyz", "info", "api-gateway", "2024-05-31T15:30:45Z", """{"n":1}""");

        Assert.True(RecordView.TryRead(record, RecordLayoutVersion.Original, out var v, out int length));
        Assert.Equal(record.Length, length);
        Assert.Equal("org-xyz", S(v.Tenant));
        Assert.Equal("info", S(v.Level));
        Assert.Equal("api-gateway", S(v.Service));
        Assert.Equal("2024-05-31T15:30:45Z", S(v.TimestampText));
        Assert.True(v.Stream.IsEmpty);
        Assert.Equal("""{"n":1}""", S(v.Json));
    }

    [Fact]
    public void Original_layout_record_is_not_taken_for_a_current_one()
        => Assert.False(RecordView.TryRead(OriginalRecord("t", "l", "s", "x", "{}"), out _, out _));

    [Fact]
    public void New_blocks_name_the_record_layout_with_routes_in_header_byte_41()
    {
        using var batch = Fixtures.Batch(2);
        using var codec = new BlockCodec();
        var block = codec.Encode(batch.Bytes, batch.Count, 0, batch.MinEventNs, batch.MaxEventNs).ToArray();

        Assert.Equal((byte)RecordLayoutVersion.WithRoutes, block[41]);
        Assert.Equal(BlockStatus.Ok, codec.Decode(block, out var header, out _));
        Assert.Equal(RecordLayoutVersion.WithRoutes, header.Layout);
    }

    [Fact]
    public void Record_keeps_its_routes_between_stream_and_event()
    {
        using var batch = new RecordBatch();
        batch.Append(Fixtures.ReceivedNs, Fixtures.BaseEventNs, Dialect.Streams, RecordKind.Event, U("org-xyz"), U("info"), U("payments"),
            U("t"), U("""{"a":1}"""), U(StreamId), U("store,archive"));

        Assert.True(RecordView.TryRead(batch.Bytes, out var v, out int length));
        Assert.Equal(batch.ByteLength, length);
        Assert.Equal(StreamId, S(v.Stream));
        Assert.Equal("store,archive", S(v.Routes));
        Assert.Equal("""{"a":1}""", S(v.Json));
    }

    [Fact]
    public void Record_appended_without_routes_has_the_default_empty_ones()
    {
        using var batch = Fixtures.Batch(1);
        Assert.True(RecordView.TryRead(batch.Bytes, out var v, out _));
        Assert.True(v.Routes.IsEmpty);
    }

    [Fact]
    public void With_stream_layout_record_reads_with_its_stream_and_no_routes()
    {
        // Layout 1: the 36-byte header, then tenant, level, service, timestamp, stream, JSON.
        byte[][] fields = [U("org-a"), U("warn"), U("api"), U("t"), U("s-1"), U("{}")];
        var record = new byte[36 + fields.Sum(f => f.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)record.Length);
        record[20] = (byte)Dialect.Streams;
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(22 + 2 * i), (ushort)fields[i].Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(30), (uint)fields[5].Length);
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(34), (ushort)fields[4].Length);
        int at = 36;
        foreach (var f in fields) { f.CopyTo(record, at); at += f.Length; }

        Assert.True(RecordView.TryRead(record, RecordLayoutVersion.WithStream, out var v, out int length));
        Assert.Equal(record.Length, length);
        Assert.Equal("s-1", S(v.Stream));
        Assert.True(v.Routes.IsEmpty);
        Assert.Equal("{}", S(v.Json));
    }

    [Fact]
    public void Block_of_original_layout_records_decodes_to_them()
    {
        var records = OriginalRecord("org-a", "info", "api", "t", "{}").Concat(OriginalRecord("org-b", "warn", "db", "t", "[]")).ToArray();
        var block = new byte[BlockCodec.HeaderSize + records.Length];
        BlockCodec.WriteHeader(block, new BlockHeader(records.Length, records.Length, 2, 7, 0, 0, BlockCodec.CompressionNone,
            Crc32C.Compute(records), RecordLayoutVersion.Original));
        records.CopyTo(block, BlockCodec.HeaderSize);
        Assert.Equal(0, block[41]);

        using var codec = new BlockCodec();
        Assert.Equal(BlockStatus.Ok, codec.Decode(block, out var header, out var decoded));
        Assert.Equal(RecordLayoutVersion.Original, header.Layout);
        Assert.True(RecordView.TryRead(decoded, header.Layout, out var second, out int length) && length < decoded.Length);
        Assert.True(RecordView.TryRead(decoded[length..], header.Layout, out second, out _));
        Assert.Equal("org-b", S(second.Tenant));
        Assert.Equal("[]", S(second.Json));
    }

    [Fact]
    public void Block_naming_an_unknown_record_layout_is_refused()
    {
        using var batch = Fixtures.Batch(1);
        using var codec = new BlockCodec();
        var block = codec.Encode(batch.Bytes, 1, 0, batch.MinEventNs, batch.MaxEventNs).ToArray();
        block[41] = 3;
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(48), Crc32C.Compute(block.AsSpan(0, 48)));

        Assert.Equal(BlockStatus.BadHeader, BlockCodec.ReadHeader(block, out _));
    }

    [Fact]
    public void Segment_written_before_streams_still_reads_with_empty_streams()
    {
        var warnings = new List<string>();
        var records = Fixtures.ReadAll(SegmentBeforeStreams, warnings);

        Assert.Empty(warnings);
        Assert.Equal([0L, 1L], records.Select(r => r.Seq));
        Assert.Equal(("org-xyz", Dialect.Astralog, "info", "api-gateway"), (records[0].Tenant, records[0].Dialect, records[0].Level, records[0].Service));
        Assert.Contains("written before streams were stored", records[0].Json);
        Assert.Equal((StreamId, Dialect.Streams, "payments-app"), (records[1].Tenant, records[1].Dialect, records[1].Service));
        Assert.Contains("txn_old", records[1].Json);
        Assert.All(records, r => Assert.Equal("", r.Stream));
    }

    [Fact]
    public void Ingestd_read_prints_a_segment_written_before_streams_without_a_stream()
    {
        var lines = IngestdCli.ReadRecords(SegmentBeforeStreams);

        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.False(l.TryGetProperty("stream", out _)));
        Assert.Equal(StreamId, lines[1].GetProperty("tenant").GetString());
        Assert.Empty(IngestdCli.ReadRecords(SegmentBeforeStreams, "--stream", StreamId));
    }

    [Fact]
    public void Segment_holding_blocks_of_both_layouts_reads_each_with_its_own()
    {
        // The daemon goes on appending to the newest segment after an upgrade, so one file can hold both layouts.
        using var dir = new TempDir();
        File.Copy(Path.Combine(SegmentBeforeStreams, "00000000000000000000.seg"), Path.Combine(dir.Path, "00000000000000000000.seg"));
        // No age rotation: the committed segment's header carries the time it was written, hours or years ago.
        using (var log = Fixtures.Open(dir.Path, maxAge: TimeSpan.Zero))
        {
            using var batch = new RecordBatch();
            batch.Append(Fixtures.ReceivedNs, Fixtures.BaseEventNs, Dialect.Streams, RecordKind.Event, U("org-xyz"), [], U("payments-app"),
                [], U("{}"), U(StreamId));
            log.Append(batch.Bytes, batch.Count, batch.MinEventNs, batch.MaxEventNs);
        }

        var records = Fixtures.ReadAll(dir.Path);

        Assert.Single(Directory.GetFiles(dir.Path, "*.seg"));
        Assert.Equal([0L, 1L, 2L], records.Select(r => r.Seq));
        Assert.Equal(["org-xyz", StreamId, "org-xyz"], records.Select(r => r.Tenant));
        Assert.Equal(["", "", StreamId], records.Select(r => r.Stream));
    }
}
