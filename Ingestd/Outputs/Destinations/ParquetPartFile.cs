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

    private static string NextString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.GetString() ?? "";
    }

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
            // Names compared as bytes: no string per member.
            if (reader.ValueTextEquals("event"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null) continue;
                // The event as it is in the line: the JSON `ingestd read` prints, byte for byte.
                int start = (int)reader.TokenStartIndex;
                reader.Skip();
                evt = System.Text.Encoding.UTF8.GetString(line[start..(int)reader.BytesConsumed]);
            }
            else if (reader.ValueTextEquals("routes"u8))
            {
                reader.Read();
                var list = new List<string>();
                while (reader.Read() && reader.TokenType == JsonTokenType.String) list.Add(reader.GetString()!);
                routes = [.. list];
            }
            else if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                seq = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("id"u8)) id = NextString(ref reader);
            else if (reader.ValueTextEquals("tenant"u8)) tenant = NextString(ref reader);
            else if (reader.ValueTextEquals("stream"u8)) stream = NextString(ref reader);
            else if (reader.ValueTextEquals("dialect"u8)) dialect = NextString(ref reader);
            else if (reader.ValueTextEquals("kind"u8)) kind = NextString(ref reader);
            else if (reader.ValueTextEquals("level"u8)) level = NextString(ref reader);
            else if (reader.ValueTextEquals("service"u8)) service = NextString(ref reader);
            else
            {
                reader.Read();
                reader.Skip();
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
    public static void WriteAtomically(string directory, string name, IReadOnlyList<PartRow> rows) =>
        WriteAtomically(directory, name, async writer =>
        {
            for (int start = 0; start < rows.Count; start += RowGroupRows)
                await WriteRowGroupAsync(writer, rows, start, Math.Min(RowGroupRows, rows.Count - start));
        });

    /// <summary>Writes a file whose row groups <paramref name="body"/> adds, atomically (see the class).</summary>
    public static void WriteAtomically(string directory, string name, Func<ParquetWriter, Task> body)
    {
        string temp = Path.Combine(directory, HiveLayout.TempName(name));
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None))
            {
                WriteAsync(file, body).GetAwaiter().GetResult();
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

    private static async Task WriteAsync(Stream stream, Func<ParquetWriter, Task> body)
    {
        await using var writer = await ParquetWriter.CreateAsync(Schema, stream, Options);
        await body(writer);
    }

    /// <summary>Rows <paramref name="start"/>.. of <paramref name="rows"/> as one row group.</summary>
    public static async Task WriteRowGroupAsync(ParquetWriter writer, IReadOnlyList<PartRow> rows, int start, int count)
    {
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

    /// <summary>The rows of a part file this class wrote, one row group at a time (for compaction).</summary>
    public static async IAsyncEnumerable<List<PartRow>> ReadRowGroupsAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var fields = reader.Schema.GetDataFields();
        if (fields.Length != Schema.GetDataFields().Length)
            throw new InvalidDataException($"{path}: {fields.Length} columns, expected {Schema.GetDataFields().Length} (not a part of this output?)");
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int n = checked((int)group.RowCount);
            var ids = await ReadStrings(group, fields[0], n);
            var seqs = new long[n];
            await group.ReadAsync<long>(fields[1], seqs.AsMemory(), null, default);
            var times = new DateTime[n];
            await group.ReadAsync<DateTime>(fields[2], times.AsMemory(), null, default);
            var tenants = await ReadStrings(group, fields[3], n);
            var dialects = await ReadStrings(group, fields[4], n);
            var kinds = await ReadStrings(group, fields[5], n);
            var services = await ReadStrings(group, fields[6], n);
            var levels = await ReadStrings(group, fields[7], n);
            var streams = await ReadStrings(group, fields[8], n);
            var routes = await ReadRoutes(group, fields[9], n);
            var events = await ReadStrings(group, fields[10], n);
            var rows = new List<PartRow>(n);
            for (int i = 0; i < n; i++)
            {
                rows.Add(new PartRow
                {
                    Id = ids[i]!, Seq = seqs[i], TimeNs = (times[i].Ticks - DateTime.UnixEpoch.Ticks) * 100,
                    Tenant = tenants[i]!, Dialect = dialects[i]!, Kind = kinds[i]!, Service = services[i]!, Level = levels[i]!,
                    Stream = streams[i], Routes = routes[i], Event = events[i],
                });
            }
            yield return rows;
        }
    }

    private static async Task<string?[]> ReadStrings(ParquetRowGroupReader group, DataField field, int n)
    {
        var values = new string?[n];
        await group.ReadAsync(field, values.AsMemory(), null, default);
        return values;
    }

    private static async Task<string[]?[]> ReadRoutes(ParquetRowGroupReader group, DataField field, int rows)
    {
        int levels = checked((int)(group.GetMetadata(field)?.MetaData?.NumValues ?? 0));
        var values = new ReadOnlyMemory<char>[levels];
        var definitions = new int[levels];
        var repetitions = new int[levels];
        await group.ReadRawAsync<ReadOnlyMemory<char>>(field, values.AsMemory(), definitions.AsMemory(), repetitions.AsMemory(), default);
        var result = new string[]?[rows];
        var current = new List<string>();
        int row = -1, next = 0;
        for (int i = 0; i < levels; i++)
        {
            if (repetitions[i] == 0)
            {
                if (row >= 0 && current.Count > 0) result[row] = [.. current];
                current.Clear();
                row++;
            }
            if (definitions[i] == 2) current.Add(values[next++].ToString());
        }
        if (row >= 0 && current.Count > 0) result[row] = [.. current];
        return result;
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
