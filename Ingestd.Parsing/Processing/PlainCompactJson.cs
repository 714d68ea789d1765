using System.Numerics;
using System.Runtime.Intrinsics;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// Whether JSON text is written by the event writer as it stands, for the splice's parsed value
/// (<see cref="JsonSplicer"/>): printable ASCII without a backslash, no space outside strings, and names of plain bytes
/// (<see cref="JsonRewriter.PlainNameBytes"/>) without a given needle. One pass in 64-byte blocks turns the text into
/// bit masks (quotes, spaces, bytes that may not appear); with no backslash every quote opens or closes a string, so
/// the prefix XOR of the quotes' mask marks what is inside strings. That replaces a search per quote and per gap between
/// strings, which for a message of a few strings cost more than the rest of the check.
/// </summary>
internal static class PlainCompactJson
{
    private const int Block = 64;

    public static bool Check(ReadOnlySpan<byte> value, ReadOnlySpan<byte> needle)
    {
        ulong insideCarry = 0; // all ones when the previous block ended inside a string
        int open = -1;         // the last opening quote seen
        Span<byte> tail = stackalloc byte[Block];
        for (int at = 0; at < value.Length; at += Block)
        {
            scoped ReadOnlySpan<byte> block;
            if (value.Length - at >= Block) block = value.Slice(at, Block);
            else
            {
                // The last bytes, padded with a byte that is none of the ones looked for.
                tail.Fill((byte)'a');
                value[at..].CopyTo(tail);
                block = tail;
            }
            if (!Masks(block, out ulong quotes, out ulong spaces)) return false;
            ulong inside = PrefixXor(quotes) ^ insideCarry;
            if ((spaces & ~inside) != 0) return false;
            insideCarry = (ulong)((long)inside >> 63);
            // Names: a string whose closing quote is followed by a colon. Few per value, so checked one by one.
            for (ulong q = quotes; q != 0; q &= q - 1)
            {
                int i = at + BitOperations.TrailingZeroCount(q);
                if ((inside & (1UL << (i - at))) != 0)
                {
                    open = i;
                    continue;
                }
                if (i + 1 < value.Length && value[i + 1] == (byte)':' && open >= 0)
                {
                    var name = value[(open + 1)..i];
                    if (name.IndexOfAnyExcept(JsonRewriter.PlainNameBytes) >= 0 || name.IndexOf(needle) >= 0) return false;
                }
            }
        }
        return insideCarry == 0;
    }

    // Bit i of `quotes`/`spaces` for byte i of the 64-byte block; false when a byte is outside printable ASCII or a backslash.
    private static bool Masks(ReadOnlySpan<byte> block, out ulong quotes, out ulong spaces)
    {
        var quote = Vector256.Create((byte)'"');
        var space = Vector256.Create((byte)' ');
        var backslash = Vector256.Create((byte)'\\');
        var low = Vector256.Create((byte)0x20);
        var span = Vector256.Create((byte)(0x7e - 0x20));
        var a = Vector256.Create(block[..32]);
        var b = Vector256.Create(block.Slice(32, 32));
        var bad = Vector256.GreaterThan(a - low, span) | Vector256.Equals(a, backslash) | Vector256.GreaterThan(b - low, span) | Vector256.Equals(b, backslash);
        quotes = Vector256.Equals(a, quote).ExtractMostSignificantBits() | (ulong)Vector256.Equals(b, quote).ExtractMostSignificantBits() << 32;
        spaces = Vector256.Equals(a, space).ExtractMostSignificantBits() | (ulong)Vector256.Equals(b, space).ExtractMostSignificantBits() << 32;
        return bad == Vector256<byte>.Zero;
    }

    // Bit i set when an odd number of bits 0..i of x are: inside a string from its opening quote up to its closing one.
    private static ulong PrefixXor(ulong x)
    {
        x ^= x << 1;
        x ^= x << 2;
        x ^= x << 4;
        x ^= x << 8;
        x ^= x << 16;
        x ^= x << 32;
        return x;
    }
}
