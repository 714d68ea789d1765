using System.Runtime.CompilerServices;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Errors;
using Snappier;

namespace Ingestd.Parsing.Dialects.Loki;

/// <summary>
/// Bounded decompression of one Snappy block (the raw block format, not the framed stream format),
/// as Loki's protobuf pushes are sent. The decoded size is checked before anything is allocated.
/// </summary>
internal static class SnappyBlock
{
    // Snappy format_description.txt: the longest element, relative to the bytes it takes, is a copy
    // with a 2-byte offset: 3 bytes for up to 64 output bytes. A block can therefore never decode to
    // more than 64/3 (< 22) times its length; a bigger claim is a lie, refused before allocating.
    private const int MaxExpansion = 22;

    /// <summary>
    /// Decompresses <paramref name="compressed"/> into <paramref name="scratch"/> (which is reset first, so it
    /// must not hold <paramref name="compressed"/>) and returns the decoded bytes, valid until the scratch is next used.
    /// </summary>
    public static ReadOnlySpan<byte> Decompress(ReadOnlySpan<byte> compressed, PooledBuffer scratch, long maxDecodedBytes)
    {
        if (!TryReadPreamble(compressed, out uint declared, out int preamble))
            throw Invalid("snappy: missing or malformed length preamble");
        if (declared > maxDecodedBytes || declared > Array.MaxLength)
            throw TooLarge(declared, maxDecodedBytes);
        if (declared > (long)(compressed.Length - preamble) * MaxExpansion)
            throw Invalid($"snappy: block of {compressed.Length} bytes cannot decode to the {declared} bytes it declares");

        int length = (int)declared;
        scratch.Reset();
        var dest = scratch.GetSpan(length);
        if (dest.Length < length) throw TooLarge(declared, scratch.Cap);
        int written;
        try
        {
            written = Snappy.Decompress(compressed, dest[..length]);
        }
        catch (InvalidDataException e)
        {
            throw Invalid($"snappy: {e.Message}");
        }
        catch (ArgumentException e)
        {
            throw Invalid($"snappy: {e.Message}");
        }
        if (written != length) throw Invalid($"snappy: block decoded to {written} bytes, not the {declared} it declares");
        scratch.Advance(written);
        return scratch.WrittenSpan;
    }

    /// <summary>The block's preamble: the decoded length as a little-endian base-128 varint of at most 32 bits.</summary>
    private static bool TryReadPreamble(ReadOnlySpan<byte> block, out uint length, out int used)
    {
        length = 0;
        for (used = 0; used < 5 && used < block.Length; used++)
        {
            byte b = block[used];
            if (used == 4 && b > 0x0F) return false; // beyond 32 bits
            length |= (uint)(b & 0x7F) << (7 * used);
            if (b < 0x80)
            {
                used++;
                return true;
            }
        }
        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static RequestRejectedException Invalid(string detail) => new(RejectReason.InvalidEncodedBody, detail);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static RequestRejectedException TooLarge(long declared, long limit)
        => new(RejectReason.DecodedBodyTooLarge, $"snappy body declares {declared} decoded bytes; the limit is {limit}") { Size = declared };
}
