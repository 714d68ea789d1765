namespace Ingestd.Storage;

/// <summary>What recovery cut off the last segment at open: <paramref name="BytesTruncated"/> bytes from <paramref name="Offset"/> on.</summary>
internal sealed record SegmentRecovery(string File, long Offset, long BytesTruncated, string Reason);
