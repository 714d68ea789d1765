using Ingestd.Parsing.Records;
using Ingestd.Storage;

namespace Ingestd.Tests.Storage;

/// <summary>A fresh directory under the temp path, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ingestd-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>One stored record as the tests see it, copied out of a <see cref="RecordView"/>.</summary>
internal sealed record StoredRecord(long Seq, long ReceivedNs, long EventNs, Dialect Dialect, RecordKind Kind,
    string Tenant, string Level, string Service, string Timestamp, string Json, string Stream = "")
{
    public static StoredRecord From(long seq, in RecordView v) => new(seq, v.ReceivedNs, v.EventNs, v.Dialect, v.Kind,
        System.Text.Encoding.UTF8.GetString(v.Tenant), System.Text.Encoding.UTF8.GetString(v.Level),
        System.Text.Encoding.UTF8.GetString(v.Service), System.Text.Encoding.UTF8.GetString(v.TimestampText),
        System.Text.Encoding.UTF8.GetString(v.Json), System.Text.Encoding.UTF8.GetString(v.Stream));
}

internal static class Fixtures
{
    /// <summary>2024-05-31T15:30:45Z in Unix nanoseconds.</summary>
    public const long BaseEventNs = 1_717_169_445_000_000_000;

    public const long ReceivedNs = 1_795_608_000_123_456_789; // 2026-11-25T12:00:00.123456789Z

    public static RecordBatch Batch(int count, int first = 0, string tenant = "org-xyz", string level = "info",
        string service = "api-gateway", Dialect dialect = Dialect.Astralog, RecordKind kind = RecordKind.Log)
    {
        var batch = new RecordBatch();
        for (int i = first; i < first + count; i++)
        {
            batch.Append(ReceivedNs, BaseEventNs + i * 1_000_000_000L, dialect, kind,
                System.Text.Encoding.UTF8.GetBytes(tenant),
                System.Text.Encoding.UTF8.GetBytes(level), System.Text.Encoding.UTF8.GetBytes(service),
                System.Text.Encoding.UTF8.GetBytes(Timestamp(i)), System.Text.Encoding.UTF8.GetBytes(Json(i)));
        }
        return batch;
    }

    public static string Timestamp(int i) => new DateTime(2024, 5, 31, 15, 30, 45, DateTimeKind.Utc).AddSeconds(i).ToString("yyyy-MM-dd HH:mm:ss");

    public static string Json(int i) => $"{{\"n\":{i}, \"message\":\"hello \\u00e9 {i}\",\"tags\":[1,2,{{\"a\":null}}]}}";

    public static void Append(SegmentLog log, int count, int first)
    {
        using var batch = Batch(count, first);
        log.Append(batch.Bytes, batch.Count, batch.MinEventNs, batch.MaxEventNs);
    }

    public static SegmentLog Open(string dir, List<string>? messages = null, Func<long>? clock = null, long maxBytes = 256L << 20,
        TimeSpan? maxAge = null, long retention = 0, ISegmentFiles? files = null, bool discardUnsynced = false, bool backgroundClose = false,
        long reservation = SequenceHighWaterMark.Step)
        => SegmentLog.Open(new SegmentLogOptions
        {
            SequenceReservation = reservation,
            Directory = dir,
            SegmentMaxBytes = maxBytes,
            SegmentMaxAge = maxAge ?? TimeSpan.FromHours(1),
            RetentionMaxBytes = retention,
            DiscardUnsyncedAfterFsyncFailure = discardUnsynced,
            SyncClosedSegmentsInBackground = backgroundClose,
        }, m => { if (messages is not null) lock (messages) messages.Add(m); }, clock, files);

    public static List<StoredRecord> ReadAll(string dir, List<string>? warnings = null)
    {
        var result = new List<StoredRecord>();
        using var reader = new SegmentReader(w => warnings?.Add(w));
        reader.ReadFiles(SegmentFormat.ListSegments(dir), (long seq, in RecordView v) => result.Add(StoredRecord.From(seq, v)));
        return result;
    }

    public static void AppendBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using var f = new FileStream(path, FileMode.Append, FileAccess.Write);
        f.Write(bytes);
    }

    public static void FlipByte(string path, long offset)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        f.Position = offset;
        int b = f.ReadByte();
        f.Position = offset;
        f.WriteByte((byte)(b ^ 0x5A));
    }
}
