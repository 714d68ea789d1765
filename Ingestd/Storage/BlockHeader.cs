using Ingestd.Parsing.Records;

namespace Ingestd.Storage;

/// <summary>The decoded fields of a block header (layout in FORMAT.md and <see cref="BlockCodec"/>).</summary>
internal readonly record struct BlockHeader(
    int PayloadLength,
    int RawLength,
    int Count,
    long FirstSequence,
    long MinEventNs,
    long MaxEventNs,
    byte Compression,
    uint PayloadCrc,
    RecordLayoutVersion Layout = RecordLayout.Current)
{
    /// <summary>Header plus payload: the distance to the next block.</summary>
    public long TotalLength => BlockCodec.HeaderSize + (long)PayloadLength;

    /// <summary>The sequence number after this block's last record.</summary>
    public long NextSequence => FirstSequence + Count;
}
