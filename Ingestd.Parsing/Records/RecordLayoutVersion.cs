namespace Ingestd.Parsing.Records;

/// <summary>
/// Which record layout a block's records use, stored in the block header (FORMAT.md). Records in memory
/// (batches, the ring) always use <see cref="RecordLayout.Current"/>; older layouts are only read.
/// Values never change meaning.
/// </summary>
internal enum RecordLayoutVersion : byte
{
    /// <summary>34-byte record header, no stream: blocks written before records carried a stream.</summary>
    Original = 0,

    /// <summary>36-byte record header: <see cref="Original"/> plus the stream (u16 length at offset 34, bytes before the event JSON).</summary>
    WithStream = 1,

    /// <summary>
    /// 38-byte record header: <see cref="WithStream"/> plus the route tags (u16 length at offset 36, comma-separated
    /// names after the stream bytes, before the event JSON; empty = the default route <c>store</c>).
    /// </summary>
    WithRoutes = 2,
}
