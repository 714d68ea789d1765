
namespace Ingestd.Storage;

/// <summary>The outcome of checking one block. Everything but <see cref="Ok"/> is a torn or corrupt block.</summary>
internal enum BlockStatus
{
    Ok,
    /// <summary>Fewer bytes than a block header remain in the file.</summary>
    TruncatedHeader,
    BadMagic,
    BadHeaderCrc,
    /// <summary>The header's checksum holds but its lengths are out of range, so its length cannot be trusted.</summary>
    BadHeader,
    /// <summary>The file ends before the payload the header announces.</summary>
    TruncatedPayload,
    BadPayloadCrc,
    /// <summary>Decompression failed, or the records do not add up to the header's raw length and count.</summary>
    BadPayload,
    /// <summary>The block's first sequence number does not follow the previous block's (checked by callers that know it).</summary>
    SequenceGap,
}
