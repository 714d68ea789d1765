using System.Buffers;
using System.Security.Cryptography;

namespace Ingestd.Parsing.Processing;

internal enum MaskMode : byte
{
    /// <summary>The value becomes a fixed text.</summary>
    Replace,
    /// <summary>The value becomes the hex HMAC-SHA256 of its text under a configured key: equal values give equal hashes, so joins still work.</summary>
    Hash,
    /// <summary>The value keeps its last 4 characters behind <c>****</c> (all of it masked when it has 4 or fewer).</summary>
    Partial,
}

/// <summary>What a mask puts in place of what it removes. The removed text is never written anywhere.</summary>
internal sealed class MaskAction
{
    public const string DefaultReplacement = "[REDACTED]";

    private readonly byte[] _replacement;
    private readonly byte[] _key;
    private readonly int _hashHexChars;

    public MaskAction(MaskMode mode, byte[] replacement, byte[] key, int hashHexChars)
    {
        Mode = mode;
        _replacement = replacement;
        _key = key;
        _hashHexChars = hashHexChars;
        if (mode == MaskMode.Replace && EventWork.Encoder.FindFirstCharacterToEncodeUtf8(replacement) < 0)
            ReplacementString = [(byte)'"', .. replacement, (byte)'"'];
    }

    /// <summary>
    /// For <see cref="MaskMode.Replace"/>, the replacement as a JSON string the event writer writes as it stands
    /// (quotes included): what a masked value becomes whatever it was. Null otherwise.
    /// </summary>
    public byte[]? ReplacementString { get; }

    public MaskMode Mode { get; }

    /// <summary>Appends the mask of <paramref name="secret"/> (UTF-8 text) to <paramref name="output"/>.</summary>
    public void Write(ReadOnlySpan<byte> secret, IBufferWriter<byte> output)
    {
        switch (Mode)
        {
            case MaskMode.Replace:
                output.Write(_replacement);
                break;
            case MaskMode.Hash:
                Span<byte> mac = stackalloc byte[32];
                HMACSHA256.HashData(_key, secret, mac);
                var hex = output.GetSpan(_hashHexChars);
                for (int i = 0; i < _hashHexChars; i++)
                {
                    int nibble = (i & 1) == 0 ? mac[i >> 1] >> 4 : mac[i >> 1] & 0xF;
                    hex[i] = (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
                }
                output.Advance(_hashHexChars);
                break;
            default:
                output.Write("****"u8);
                int tail = LastCharacters(secret, 4);
                // A value of 4 characters or fewer would be given away whole: mask it all.
                if (tail < secret.Length) output.Write(secret[tail..]);
                break;
        }
    }

    /// <summary>Where the last <paramref name="count"/> UTF-8 characters (code points) of <paramref name="text"/> begin.</summary>
    private static int LastCharacters(ReadOnlySpan<byte> text, int count)
    {
        int at = text.Length;
        while (count > 0 && at > 0)
        {
            at--;
            while (at > 0 && (text[at] & 0xC0) == 0x80) at--;
            count--;
        }
        // Four characters or fewer in all: nothing may be kept.
        return count > 0 || at == 0 ? text.Length : at;
    }
}
