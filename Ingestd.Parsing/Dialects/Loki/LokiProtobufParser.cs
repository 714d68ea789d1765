using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Unicode;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;
using Ingestd.Parsing.Dialects.Protobuf;

namespace Ingestd.Parsing.Dialects.Loki;

/// <summary>
/// Walks a decoded <c>logproto.PushRequest</c> (grafana/loki <c>pkg/push/push.proto</c>) and appends one
/// record per entry:
/// <code>
/// PushRequest      { repeated StreamAdapter streams = 1; string format = 2; }
/// StreamAdapter    { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
/// EntryAdapter     { google.protobuf.Timestamp timestamp = 1; string line = 2;
///                    repeated LabelPairAdapter structuredMetadata = 3; repeated LabelPairAdapter parsed = 4; }
/// LabelPairAdapter { string name = 1; string value = 2; }
/// Timestamp        { int64 seconds = 1; int32 nanos = 2; }
/// </code>
/// Unknown fields are skipped; a known field with the wrong wire type is refused. Wire-format errors are
/// <see cref="RejectReason.InvalidEncodedBody"/>, content errors <see cref="RejectReason.InvalidEvent"/>.
/// </summary>
internal static class LokiProtobufParser
{
    private const long NanosPerSecond = 1_000_000_000;

    public static int Parse(ReadOnlySpan<byte> message, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch)
    {
        var builder = LokiRecordBuilder.Rent();
        try
        {
            var request = new ProtoReader(message);
            int streamIndex = 0, count = 0;
            while (request.Next(out int field, out var wireType))
            {
                if (field != 1)
                {
                    request.Skip(wireType); // format (2) and anything newer
                    continue;
                }
                request.Expect(wireType, ProtoWireType.Len, field);
                count += ParseStream(request.ReadMessage(), streamIndex++, receivedNs, tenant, batch, ref builder);
            }
            return count;
        }
        finally
        {
            builder.Return();
        }
    }

    private static int ParseStream(ProtoReader stream, int index, long receivedNs, ReadOnlySpan<byte> tenant,
        RecordBatch batch, ref LokiRecordBuilder builder)
    {
        // The labels may follow the entries on the wire, and every entry needs them: find them first.
        // As for any proto3 scalar, the last occurrence wins.
        ReadOnlySpan<byte> labels = default;
        var scan = stream;
        while (scan.Next(out int field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    scan.Expect(wireType, ProtoWireType.Len, field);
                    labels = scan.ReadBytes();
                    break;
                case 2:
                    scan.Expect(wireType, ProtoWireType.Len, field);
                    scan.Skip(wireType);
                    break;
                case 3:
                    scan.Expect(wireType, ProtoWireType.Varint, field);
                    scan.Skip(wireType);
                    break;
                default:
                    scan.Skip(wireType);
                    break;
            }
        }
        if (!Utf8.IsValid(labels)) FailStream(index, "invalid UTF-8");
        if (PrometheusLabels.TryWrite(labels, ref builder) is string problem) FailStream(index, problem);

        int entryIndex = 0;
        while (stream.Next(out int field, out var wireType))
        {
            if (field != 2)
            {
                stream.Skip(wireType);
                continue;
            }
            ParseEntry(stream.ReadMessage(), index, entryIndex++, receivedNs, tenant, batch, ref builder);
        }
        return entryIndex;
    }

    private static void ParseEntry(ProtoReader entry, int stream, int index, long receivedNs, ReadOnlySpan<byte> tenant,
        RecordBatch batch, ref LokiRecordBuilder builder)
    {
        long seconds = 0, nanos = 0;
        ReadOnlySpan<byte> line = default;
        bool hasMetadata = false;
        var scan = entry;
        while (scan.Next(out int field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    scan.Expect(wireType, ProtoWireType.Len, field);
                    ReadTimestamp(scan.ReadMessage(), ref seconds, ref nanos);
                    break;
                case 2:
                    scan.Expect(wireType, ProtoWireType.Len, field);
                    line = scan.ReadBytes();
                    break;
                case 3:
                    scan.Expect(wireType, ProtoWireType.Len, field);
                    scan.Skip(wireType);
                    hasMetadata = true;
                    break;
                default:
                    scan.Skip(wireType); // parsed (4) is for query responses only
                    break;
            }
        }
        // A missing timestamp is proto3's default, the epoch; Loki's own clients always send one.
        if (nanos is < 0 or >= NanosPerSecond) FailEntry(stream, index, "timestamp", "nanos outside 0..999999999");
        if (seconds < 0) FailEntry(stream, index, "timestamp", "before 1970-01-01");
        if (seconds > (long.MaxValue - nanos) / NanosPerSecond) FailEntry(stream, index, "timestamp", "beyond the year 2262 (does not fit in Unix nanoseconds)");
        long eventNs = seconds * NanosPerSecond + nanos;
        if (!Utf8.IsValid(line)) FailEntry(stream, index, "line", "invalid UTF-8");

        builder.BeginEntry();
        builder.Line(line);
        if (hasMetadata)
        {
            while (entry.Next(out int field, out var wireType))
            {
                if (field == 3) AddMetadata(entry.ReadMessage(), stream, index, ref builder);
                else entry.Skip(wireType);
            }
        }
        builder.Finish(batch, receivedNs, eventNs, tenant);
    }

    private static void ReadTimestamp(ProtoReader timestamp, ref long seconds, ref long nanos)
    {
        while (timestamp.Next(out int field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    timestamp.Expect(wireType, ProtoWireType.Varint, field);
                    seconds = (long)timestamp.ReadVarint();
                    break;
                case 2:
                    // int32 on the wire is the sign-extended 64-bit varint; keep its low 32 bits.
                    timestamp.Expect(wireType, ProtoWireType.Varint, field);
                    nanos = (int)timestamp.ReadVarint();
                    break;
                default:
                    timestamp.Skip(wireType);
                    break;
            }
        }
    }

    private static void AddMetadata(ProtoReader pair, int stream, int index, ref LokiRecordBuilder builder)
    {
        ReadOnlySpan<byte> name = default, value = default;
        while (pair.Next(out int field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    pair.Expect(wireType, ProtoWireType.Len, field);
                    name = pair.ReadBytes();
                    break;
                case 2:
                    pair.Expect(wireType, ProtoWireType.Len, field);
                    value = pair.ReadBytes();
                    break;
                default:
                    pair.Skip(wireType);
                    break;
            }
        }
        if (!Utf8.IsValid(name) || !Utf8.IsValid(value)) FailEntry(stream, index, "structuredMetadata", "invalid UTF-8");
        builder.AddMetadata(name, value);
        if (!builder.Capture(LokiRecordBuilder.EntryLevelSlot, LokiRecordBuilder.LevelRank(name), value))
            FailEntry(stream, index, "structuredMetadata", $"level longer than {LokiRecordBuilder.MaxNameLength} bytes");
    }

    // ---- cold path ----

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailStream(int stream, string problem)
        => throw new RequestRejectedException(RejectReason.InvalidEvent, $"streams[{stream}].labels: {problem}") { Field = "labels" };

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailEntry(int stream, int index, string field, string problem)
        => throw new RequestRejectedException(RejectReason.InvalidEvent, $"streams[{stream}].entries[{index}].{field}: {problem}") { Field = field };
}
