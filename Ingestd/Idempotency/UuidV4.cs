namespace Ingestd.Idempotency;

/// <summary>
/// Strict parser for Guardian's Idempotency-Key ("must be UUID v4 format"): exactly the canonical
/// 8-4-4-4-12 hex form of RFC 9562 §4, hex digits in either case, version nibble 4 (§4.2) and
/// variant bits 10xx (§4.1). No braces, no URN prefix, no missing dashes, no surrounding space.
/// </summary>
internal static class UuidV4
{
    public const int Length = 36;

    public static bool TryParse(ReadOnlySpan<byte> text, out Guid value)
    {
        value = default;
        if (text.Length != Length) return false;
        if (text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') return false;
        if (text[14] != '4') return false;
        // The variant's first hex digit is 8, 9, a or b: binary 10xx.
        int variant = HexValue(text[19]);
        if (variant < 8 || variant > 11) return false;

        Span<byte> bytes = stackalloc byte[16];
        int b = 0;
        for (int i = 0; i < Length; i += 2)
        {
            if (i is 8 or 13 or 18 or 23) i++;
            int hi = HexValue(text[i]), lo = HexValue(text[i + 1]);
            if ((hi | lo) < 0) return false;
            bytes[b++] = (byte)(hi << 4 | lo);
        }
        value = new Guid(bytes, bigEndian: true);
        return true;
    }

    private static int HexValue(byte c)
    {
        if ((uint)(c - '0') <= 9) return c - '0';
        int lower = c | 0x20;
        if ((uint)(lower - 'a') <= 5) return lower - 'a' + 10;
        return -1;
    }
}
