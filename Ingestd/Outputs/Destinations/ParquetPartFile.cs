using System.Text.Json;
using Ingestd.Storage;
using Parquet;
using Parquet.Schema;

namespace Ingestd.Outputs.Destinations;

/// <summary>One event as a row of a part file (the columns of <see cref="ParquetPartFile"/>).</summary>
internal sealed class PartRow
{
    public required string Id { get; init; }
    public long Seq { get; init; }
    /// <summary>The event's time, Unix ns (stored in µs).</summary>
    public long TimeNs { get; init; }
    public required string Tenant { get; init; }
    public required string Dialect { get; init; }
    public required string Kind { get; init; }
    public required string Service { get; init; }
    public required string Level { get; init; }
    public string? Stream { get; init; }
    public string[]? Routes { get; init; }
    public string? Event { get; init; }

    /// <summary>Reads a row back from a line <see cref="OutputBatch"/> wrote (the record as <c>ingestd read</c> prints it, plus id).</summary>
    public static PartRow FromLine(ReadOnlySpan<byte> line, long timeNs)
    {
        string id = "", tenant = "", dialect = "", kind = "", service = "", level = "";
        string? stream = null, evt = null;
        string[]? routes = null;
        long seq = 0;
        var reader = new Utf8JsonReader(line);
        reader.Read(); // StartObject
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            switch (name)
            {
                case "id": id = reader.GetString()!; break;
                case "seq": seq = reader.GetInt64(); break;
                case "tenant": tenant = reader.GetString()!; break;
                case "stream": stream = reader.GetString(); break;
                case "dialect": dialect = reader.GetString()!; break;
                case "kind": kind = reader.GetString()!; break;
                case "level": level = reader.GetString()!; break;
                case "service": service = reader.GetString()!; break;
                case "routes":
                    var list = new List<string>();
                    while (reader.Read() && reader.TokenType == JsonTokenType.String) list.Add(reader.GetString()!);
                    routes = [.. list];
                    break;
                case "event":
                    if (reader.TokenType == JsonTokenType.Null) break;
                    // The event as it is in the line: the JSON `ingestd read` prints, byte for byte.
                    int start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    evt = System.Text.Encoding.UTF8.GetString(line[start..(int)reader.BytesConsumed]);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return new PartRow
        {
            Id = id, Seq = seq, TimeNs = timeNs, Tenant = tenant, Dialect = dialect, Kind = kind, Service = service,
            Level = level, Stream = stream, Routes = routes, Event = evt,
        };
    }
}

/// <summary>
/// Writes rows as one Parquet file, atomically: a temp file in the same directory, fsync, rename, directory fsync.
/// A crash leaves the old state or the whole new file, never a torn one under a <c>*.parquet</c> name.
/// Columns: id, seq, time (TIMESTAMP, µs, UTC), tenant, dialect, kind, service, level, stream, routes (list of
/// strings), event (the event JSON as a string). Compressed with zstd: the same codec as the segments (already beside
/// the daemon), far smaller than snappy on JSON text, and read by DuckDB, Spark, Snowflake, BigQuery and Athena.
/// </summary>
internal static class ParquetPartFile
{
    /// <summary>Rows per row group: big enough for good compression, small enough to bound a reader's memory.</summary>
    public const int RowGroupRows = 64 * 1024;

    private static readonly DataField<string> IdField = new("id", nullable: false);
    private static readonly DataField<long> SeqField = new("seq", nullable: false);
    private static readonly DateTimeDataField TimeField = new("time", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false);
    private static readonly DataField<string> TenantField = new("tenant", nullable: false);
    private static readonly DataField<string> DialectField = new("dialect", nullable: false);
    private static readonly DataField<string> KindField = new("kind", nullable: false);
    private static readonly DataField<string> ServiceField = new("service", nullable: false);
    private static readonly DataField<string> LevelField = new("level", nullable: false);
    private static readonly DataField<string> StreamField = new("stream", nullable: true);
    private static readonly ListField RoutesField = new("routes", new DataField<string>("element", nullable: false));
    private static readonly DataField<string> EventField = new("event", nullable: true);

    public static readonly ParquetSchema Schema = new(IdField, SeqField, TimeField, TenantField, DialectField, KindField,
        ServiceField, LevelField, StreamField, RoutesField, EventField);

    private static readonly ParquetOptions Options = new()
    {
        CompressionMethod = CompressionMethod.Zstd,
        CompressionLevel = System.IO.Compression.CompressionLevel.Optimal,
    };

    /// <summary>Writes <paramref name="rows"/> to <paramref name="directory"/>/<paramref name="name"/>; on return it survives power loss.</summary>
    public static void WriteAtomically(string directory, string name, IReadOnlyList<PartRow> rows)
    {
        string temp = Path.Combine(directory, HiveLayout.TempName(name));
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None))
            {
                WriteAsync(file, rows).GetAwaiter().GetResult();
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, Path.Combine(directory, name), overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        DirectorySync.Fsync(directory);
    }

    private static async Task WriteAsync(Stream stream, IReadOnlyList<PartRow> rows)
    {
        await using var writer = await ParquetWriter.CreateAsync(Schema, stream, Options);
        for (int start = 0; start < rows.Count; start += RowGroupRows)
        {
            int count = Math.Min(RowGroupRows, rows.Count - start);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(IdField, Strings(rows, start, count, r => r.Id));
            var seqs = new long[count];
            var times = new DateTime[count];
            for (int i = 0; i < count; i++)
            {
                seqs[i] = rows[start + i].Seq;
                // Whole microseconds (floor), the column's precision.
                long us = Math.DivRem(rows[start + i].TimeNs, 1000, out long rem) - (rem < 0 ? 1 : 0);
                times[i] = new DateTime(DateTime.UnixEpoch.Ticks + us * 10, DateTimeKind.Utc);
            }
            await group.WriteAsync<long>(SeqField, seqs);
            await group.WriteAsync<DateTime>(TimeField, times);
            await group.WriteAsync(TenantField, Strings(rows, start, count, r => r.Tenant));
            await group.WriteAsync(DialectField, Strings(rows, start, count, r => r.Dialect));
            await group.WriteAsync(KindField, Strings(rows, start, count, r => r.Kind));
            await group.WriteAsync(ServiceField, Strings(rows, start, count, r => r.Service));
            await group.WriteAsync(LevelField, Strings(rows, start, count, r => r.Level));
            await group.WriteAsync(StreamField, Strings(rows, start, count, r => r.Stream));
            await WriteRoutesAsync(group, rows, start, count);
            await group.WriteAsync(EventField, Strings(rows, start, count, r => r.Event));
            group.CompleteValidate();
        }
    }

    private static string?[] Strings(IReadOnlyList<PartRow> rows, int start, int count, Func<PartRow, string?> column)
    {
        var values = new string?[count];
        for (int i = 0; i < count; i++) values[i] = column(rows[start + i]);
        return values;
    }

    // Levels of routes (optional list of required strings): definition 0 = no list (no tag: the default route),
    // 2 = an element; repetition 0 starts a row's list, 1 continues it.
    private static async Task WriteRoutesAsync(ParquetRowGroupWriter group, IReadOnlyList<PartRow> rows, int start, int count)
    {
        var values = new List<ReadOnlyMemory<char>>();
        var definitions = new List<int>(count);
        var repetitions = new List<int>(count);
        for (int i = 0; i < count; i++)
        {
            var routes = rows[start + i].Routes;
            if (routes is null || routes.Length == 0)
            {
                definitions.Add(0);
                repetitions.Add(0);
                continue;
            }
            for (int k = 0; k < routes.Length; k++)
            {
                values.Add(routes[k].AsMemory());
                definitions.Add(2);
                repetitions.Add(k == 0 ? 0 : 1);
            }
        }
        await group.WriteAllPartsAsync<ReadOnlyMemory<char>>((DataField)RoutesField.Item, values.ToArray(), definitions.ToArray(), repetitions.ToArray(), CancellationToken.None);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
