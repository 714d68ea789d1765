using Ingestd.Parsing.Records;
using Ingestd.Storage.Index;
using Microsoft.Win32.SafeHandles;

namespace Ingestd.Storage;

/// <summary>Receives one record read back from a segment, with its sequence number.</summary>
internal delegate void RecordHandler(long sequence, in RecordView view);

/// <summary>
/// Decides from a verified block header (and where the block lies) whether a reader needs the block at all; a block it
/// turns down is never decompressed.
/// </summary>
internal delegate bool BlockGate(string segmentPath, long blockOffset, in BlockHeader header);

/// <summary>Receives one decoded block (its records laid end to end, in <c>header.Layout</c>); false stops the scan.</summary>
internal delegate bool BlockVisitor(long blockOffset, in BlockHeader header, ReadOnlySpan<byte> records);

/// <summary>
/// Reads records back from segment files in order, once or tailing (<see cref="Follow"/>). Corrupt blocks are
/// reported through the warning callback and skipped: by their length when it can be trusted, otherwise up to the
/// next block that verifies. Safe to run while the daemon writes: files are opened shared and read positionally.
/// </summary>
internal sealed class SegmentReader : IDisposable
{
    private readonly Action<string> _warn;
    private readonly BlockReader _blocks = new();

    /// <summary>
    /// The sequence the next block read should start with, from the last block whose header was trusted; null after a
    /// skipped range (the gap is already reported) or before the first block. Lets <see cref="Follow"/> notice segments
    /// that retention deleted before it reached them.
    /// </summary>
    private long? _nextSequence;

    public SegmentReader(Action<string> warn) => _warn = warn;

    /// <summary>
    /// Blocks with no event time in [SinceNs, UntilNs) are skipped without being decompressed. Records of the
    /// blocks that are read are all handed over: filtering single records is the handler's job.
    /// </summary>
    public long SinceNs { get; set; } = long.MinValue;

    /// <inheritdoc cref="SinceNs"/>
    public long UntilNs { get; set; } = long.MaxValue;

    /// <summary>
    /// Envelope filters (tenant, service, level, stream, dialect, kind; its time range narrows <see cref="SinceNs"/> and
    /// <see cref="UntilNs"/>). A closed segment with a valid index (FORMAT.md, "Block index") is read only in the blocks
    /// the index says may match; without one, the block headers decide by time alone. As with the time range, records
    /// of the blocks read are all handed over: filtering single records stays the handler's job.
    /// </summary>
    public BlockQuery? Query { get; set; }

    /// <summary>False makes every file be read through its block headers, index or not (benchmarks compare the two).</summary>
    public bool UseIndex { get; set; } = true;

    /// <summary>Block payloads read and decompressed so far: what skipping saves, counted rather than timed.</summary>
    public long BlocksDecoded { get; private set; }

    /// <summary>Files read through their index so far.</summary>
    public int FilesReadWithIndex { get; private set; }

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Called now and then while a block is decompressed (<see cref="BlockReader.ReadPayload"/>): query scans inside the
    /// daemon pace themselves there too. Null: a block is decoded in one go.
    /// </summary>
    public Action? Pause { get; set; }

    // The query in force for the file being read: Query narrowed by SinceNs/UntilNs.
    private BlockQuery _query = BlockQuery.All;

    private BlockQuery EffectiveQuery()
    {
        var q = Query ?? BlockQuery.All;
        long since = Math.Max(q.SinceNs, SinceNs), until = Math.Min(q.UntilNs, UntilNs);
        if (since == q.SinceNs && until == q.UntilNs) return q;
        return new BlockQuery
        {
            SinceNs = since, UntilNs = until, Tenants = q.Tenants, Services = q.Services, Levels = q.Levels, Streams = q.Streams,
            Dialects = q.Dialects, Kinds = q.Kinds,
        };
    }

    /// <summary>Reads every record of the given segment files, in the order given.</summary>
    public void ReadFiles(IEnumerable<string> paths, RecordHandler handler)
    {
        foreach (var path in paths)
        {
            try
            {
                ReadFile(path, handler);
            }
            catch (FileNotFoundException)
            {
                _warn($"{path}: deleted while reading (retention); skipped");
            }
        }
    }

    /// <summary>
    /// Reads every record of one segment file. When it is the newest segment of its directory, a block still being
    /// written at its end is waited for briefly, then left unread with a note (<see cref="LiveTail"/>).
    /// </summary>
    public void ReadFile(string path, RecordHandler handler)
    {
        using var handle = OpenShared(path);
        var tail = new LiveTail(path, handle);
        long length = RandomAccess.GetLength(handle);
        if (length < SegmentFormat.FileHeaderSize)
        {
            // The daemon may be creating this segment: its header is one write away, and there are no blocks yet.
            length = tail.Recheck(length);
            if (length < SegmentFormat.FileHeaderSize && tail.IsNewest) return;
        }
        if (!SegmentFormat.TryReadFileHeader(handle, out _, out _, out string? error)) WarnBadFileHeader(path, error!);
        _query = EffectiveQuery();
        // An index can only help when something narrows the read: otherwise every block is read anyway.
        bool narrowed = _query.HasFieldFilters || _query.SinceNs != long.MinValue || _query.UntilNs != long.MaxValue;
        if (UseIndex && narrowed && SegmentIndexFile.TryLoad(path, handle, length, out _) is { } index)
        {
            // Only closed segments have an index, and one that fits this file exactly: no live tail to watch for.
            FilesReadWithIndex++;
            ReadSelected(handle, path, length, index.Select(_query), handler);
            return;
        }

        long offset = SegmentFormat.FileHeaderSize;
        while (true)
        {
            offset = ReadBlocks(handle, path, offset, length, final: false, handler);
            if (offset >= length) return;
            var status = _blocks.ReadHeader(handle, offset, length, out _);
            long before = length;
            if (tail.IsLiveTailAt(offset, ref length, status))
            {
                _warn($"{path}: {LiveTail.Describe(length - offset)}; not read");
                return;
            }
            if (length != before) continue; // it grew: read on
            // A closed file, or bytes no write in progress explains: report them and read on to the end.
            ReadBlocks(handle, path, offset, length, final: true, handler);
            return;
        }
    }

    /// <summary>
    /// Reads only the given blocks of one segment file (from <see cref="BlockSelector.Select"/>), in the order given,
    /// each with the same checks as a full read. A block whose header is not what the selection says (the file changed
    /// under it) ends the selection: the rest of the file is then read through its headers, so nothing is missed.
    /// </summary>
    public void ReadBlocks(string path, IReadOnlyList<BlockRef> blocks, RecordHandler handler)
    {
        using var handle = OpenShared(path);
        _query = EffectiveQuery();
        ReadSelected(handle, path, RandomAccess.GetLength(handle), blocks, handler);
    }

    private void ReadSelected(SafeFileHandle handle, string path, long length, IReadOnlyList<BlockRef> blocks, RecordHandler handler)
    {
        foreach (var block in blocks)
        {
            var status = _blocks.ReadHeader(handle, block.Offset, length, out var header);
            bool trusted = status is BlockStatus.Ok or BlockStatus.TruncatedPayload;
            if (!trusted || header.FirstSequence != block.FirstSequence || header.Count != block.Count || header.TotalLength != block.Length)
            {
                // Damaged since it was indexed (the header walk reports it as a full read would), or not the file the
                // selection was made for: from here on, read as if there were no index.
                if (trusted) _warn($"{path}: the block at offset {block.Offset} is not the one its index lists; reading the rest of the file by its block headers");
                ReadBlocks(handle, path, block.Offset, length, final: true, handler);
                return;
            }
            if (status == BlockStatus.Ok)
            {
                BlocksDecoded++;
                status = _blocks.ReadPayload(handle, block.Offset, header, out var records);
                if (status == BlockStatus.Ok)
                {
                    Deliver(records, header.Layout, header.FirstSequence, handler);
                    _nextSequence = header.NextSequence;
                    continue;
                }
            }
            _warn($"{path}: {BlockCodec.Describe(status)} at offset {block.Offset}; block skipped");
            _nextSequence = header.NextSequence;
        }
    }

    /// <summary>
    /// Reads the segments of <paramref name="directory"/> (from <paramref name="startFile"/> on, when given), then keeps
    /// polling for blocks appended to the newest one and for new segment files until <paramref name="ct"/> is cancelled.
    /// A partly written block at the tail is waited for, not reported. <paramref name="idle"/> runs each time the reader
    /// has caught up (flush output there). Returns normally on cancellation.
    /// </summary>
    public void Follow(string directory, RecordHandler handler, CancellationToken ct, string? startFile = null, Action? idle = null)
    {
        string? current = null;
        SafeFileHandle? handle = null;
        long offset = 0;
        bool headerRead = false;
        int stuckPolls = 0;
        _query = EffectiveQuery();
        _nextSequence = startFile is not null && SegmentFormat.TryParseFileName(Path.GetFileName(startFile), out long startFirst)
            ? startFirst
            : null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                string? next = handle is null ? NextSegment(directory, current, startFile) : null;
                if (next is not null)
                {
                    current = next;
                    try
                    {
                        handle = OpenShared(current);
                    }
                    catch (FileNotFoundException)
                    {
                        continue; // deleted by retention between listing and opening: go on with the next one
                    }
                    WarnIfSegmentsWereDeleted(current);
                    headerRead = false;
                    offset = 0;
                    stuckPolls = 0;
                }

                if (handle is not null)
                {
                    // Whether a newer segment exists must be known before the length is taken: once the writer has
                    // moved on, this file is complete and anything unreadable at its tail is corruption.
                    bool final = NextSegment(directory, current, null) is not null;
                    long length = RandomAccess.GetLength(handle);
                    if (!headerRead && (length >= SegmentFormat.FileHeaderSize || final))
                    {
                        if (!SegmentFormat.TryReadFileHeader(handle, out _, out _, out string? error)) WarnBadFileHeader(current!, error!);
                        headerRead = true;
                        offset = SegmentFormat.FileHeaderSize;
                    }
                    if (headerRead)
                    {
                        long before = offset;
                        offset = ReadBlocks(handle, current!, offset, length, final, handler);
                        stuckPolls = offset == before && offset < length ? stuckPolls + 1 : 0;
                        if (stuckPolls == 25)
                            _warn($"{current}: no complete block at offset {offset} after {stuckPolls} polls; still waiting");
                    }
                    if (final)
                    {
                        handle.Dispose();
                        handle = null;
                        continue;
                    }
                }

                idle?.Invoke();
                if (ct.WaitHandle.WaitOne(PollInterval)) break;
            }
        }
        finally
        {
            handle?.Dispose();
        }
    }

    /// <summary>
    /// Reads blocks from <paramref name="offset"/> up to <paramref name="length"/>; returns where reading stopped.
    /// A block whose header is trusted but whose payload is bad is skipped by its length; past a header that cannot be
    /// trusted, reading resumes at the next block that verifies, and the bytes in between are reported.
    /// When not <paramref name="final"/>, an incomplete or unreadable block at the tail may still be being written:
    /// stop before it silently and let the caller retry.
    /// </summary>
    private long ReadBlocks(SafeFileHandle handle, string path, long offset, long length, bool final, RecordHandler handler)
        => WalkBlocks(handle, path, offset, length, final, new BlockSink(handler));

    /// <summary>What <see cref="WalkBlocks"/> does with a block whose header verified: records, whole blocks, or headers only.</summary>
    private readonly struct BlockSink(RecordHandler? records = null, BlockGate? gate = null, BlockVisitor? blocks = null, List<(long, BlockHeader)>? headers = null)
    {
        public readonly RecordHandler? Records = records;
        public readonly BlockGate? Gate = gate;
        public readonly BlockVisitor? Blocks = blocks;
        public readonly List<(long Offset, BlockHeader Header)>? Headers = headers;
    }

    // The one loop over a segment's blocks, with the damage handling FORMAT.md describes; returns where it stopped.
    private long WalkBlocks(SafeFileHandle handle, string path, long offset, long length, bool final, in BlockSink sink)
    {
        while (offset < length)
        {
            var status = _blocks.ReadHeader(handle, offset, length, out var header);
            if (status == BlockStatus.Ok)
            {
                if (!_query.MayMatch(header) || (sink.Gate is not null && !sink.Gate(path, offset, header)))
                {
                    _nextSequence = header.NextSequence;
                    offset += header.TotalLength;
                    continue;
                }
                if (sink.Headers is not null)
                {
                    sink.Headers.Add((offset, header));
                    _nextSequence = header.NextSequence;
                    offset += header.TotalLength;
                    continue;
                }
                BlocksDecoded++;
                status = _blocks.ReadPayload(handle, offset, header, out var records, Pause);
                if (status == BlockStatus.Ok)
                {
                    if (sink.Blocks is not null)
                    {
                        if (!sink.Blocks(offset, header, records)) return offset;
                    }
                    else Deliver(records, header.Layout, header.FirstSequence, sink.Records!);
                    _nextSequence = header.NextSequence;
                    offset += header.TotalLength;
                    continue;
                }
            }

            if (BlockReader.CanSkip(status))
            {
                _warn($"{path}: {BlockCodec.Describe(status)} at offset {offset}; block skipped");
                _nextSequence = header.NextSequence;
                offset += header.TotalLength;
                continue;
            }
            // A block still being written ends past the end of the file: wait for it rather than scan its partial payload.
            if (!final && status is BlockStatus.TruncatedHeader or BlockStatus.TruncatedPayload) return offset;

            // The header cannot be trusted, or the block runs past the end of a file no longer written: go on at the
            // next block that verifies, if any.
            long next = _blocks.FindNextBlock(handle, offset, length);
            if (next < 0 && !final) return offset;
            long end = next < 0 ? length : next;
            _warn($"{path}: offset {offset}..{end} ({end - offset} bytes) skipped: {BlockCodec.Describe(status)}");
            _nextSequence = null;
            offset = end;
        }
        return offset;
    }

    /// <summary>
    /// Query reading: the blocks of one segment from <paramref name="startOffset"/> on, in file order, each one
    /// <paramref name="gate"/> lets through handed whole to <paramref name="visitor"/> (until it returns false). Never
    /// waits: in the newest segment (<paramref name="mayBeWritten"/>), a block still being written at the end is simply
    /// not there yet; in any other, an unreadable tail is damage, reported and skipped.
    /// </summary>
    public void ScanForward(string path, bool mayBeWritten, long startOffset, BlockGate gate, BlockVisitor visitor)
    {
        using var handle = OpenShared(path);
        bool final = !mayBeWritten;
        long length = RandomAccess.GetLength(handle);
        long offset = Math.Max(startOffset, SegmentFormat.FileHeaderSize);
        if (length <= offset) return;
        WalkBlocks(handle, path, offset, length, final, new BlockSink(gate: gate, blocks: visitor));
    }

    /// <summary>
    /// Query reading newest first: the blocks of one segment that start at or before <paramref name="lastOffset"/> and
    /// that <paramref name="gate"/> lets through, last block first. Block headers are walked forward once (a header is
    /// one small read), then the wanted payloads are read backwards.
    /// </summary>
    public void ScanBackward(string path, bool mayBeWritten, long lastOffset, BlockGate gate, BlockVisitor visitor)
    {
        using var handle = OpenShared(path);
        bool final = !mayBeWritten;
        long length = RandomAccess.GetLength(handle);
        if (length <= SegmentFormat.FileHeaderSize) return;
        var headers = new List<(long Offset, BlockHeader Header)>();
        WalkBlocks(handle, path, SegmentFormat.FileHeaderSize, length, final, new BlockSink(gate: gate, headers: headers));
        for (int i = headers.Count - 1; i >= 0; i--)
        {
            var (offset, header) = headers[i];
            if (offset > lastOffset) continue;
            var status = _blocks.ReadPayload(handle, offset, header, out var records, Pause);
            if (status != BlockStatus.Ok)
            {
                _warn($"{path}: {BlockCodec.Describe(status)} at offset {offset}; block skipped");
                continue;
            }
            if (!visitor(offset, header, records)) return;
        }
    }

    /// <summary>
    /// A segment's name carries its first sequence: when that is beyond the sequence the last block read leads to,
    /// the segments in between were deleted by retention before this reader got to them, or the numbers were never
    /// used (the log goes on past them after a failed fsync or a cut damaged tail, so they are never reused).
    /// </summary>
    private void WarnIfSegmentsWereDeleted(string path)
    {
        if (_nextSequence is long expected && SegmentFormat.TryParseFileName(Path.GetFileName(path), out long first) && first > expected)
            _warn($"{path}: sequences {expected}..{first - 1} skipped: their segments were deleted by retention before they were read, or the numbers were left unused after a storage fault");
    }

    // Blocks carry their own sequence numbers and checksums, so a bad file header costs nothing but the warning.
    private void WarnBadFileHeader(string path, string error) => _warn($"{path}: bad file header ({error}); reading blocks anyway");

    private static void Deliver(ReadOnlySpan<byte> records, RecordLayoutVersion layout, long sequence, RecordHandler handler)
    {
        // The codec has already checked the framing, so every TryRead succeeds.
        while (RecordView.TryRead(records, layout, out var view, out int length))
        {
            handler(sequence++, view);
            records = records[length..];
        }
    }

    /// <summary>The first segment after <paramref name="current"/> (or at/after <paramref name="startFile"/> when there is no current).</summary>
    private static string? NextSegment(string directory, string? current, string? startFile)
    {
        string? after = current is null ? null : Path.GetFileName(current);
        string? from = startFile is null ? null : Path.GetFileName(startFile);
        foreach (var path in SegmentFormat.ListSegments(directory))
        {
            string name = Path.GetFileName(path);
            if (after is not null && string.CompareOrdinal(name, after) <= 0) continue;
            if (from is not null && string.CompareOrdinal(name, from) < 0) continue;
            return path;
        }
        return null;
    }

    private static SafeFileHandle OpenShared(string path)
        => File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

    public void Dispose() => _blocks.Dispose();
}
