using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Errors;

namespace Ingestd.Parsing.Encoding;

/// <summary>
/// An RFC 1951 inflater that decodes a whole in-memory deflate stream straight into a
/// <see cref="PooledBuffer"/>. We do not use <c>DeflateStream</c>: it neither reports how many
/// input bytes the stream used nor fails on truncated input, and both are needed to refuse
/// truncated bodies and trailing garbage. The output buffer doubles as the 32 KiB history
/// window, so the only memory is the output itself, bounded by the buffer's cap.
/// One instance per connection; tables are allocated once and rebuilt per block.
/// </summary>
internal sealed class Inflater
{
    private const int FastBits = 10;
    private const int FastMask = (1 << FastBits) - 1;
    private const int RoomHint = 64 * 1024;

    private static ReadOnlySpan<ushort> LengthBase => [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
    private static ReadOnlySpan<byte> LengthExtra => [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
    private static ReadOnlySpan<ushort> DistanceBase => [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
    private static ReadOnlySpan<byte> DistanceExtra => [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
    // RFC 1951 §3.2.7: the order in which code-length code lengths are sent.
    private static ReadOnlySpan<byte> CodeLengthOrder => [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

    private readonly Huffman _fixedLiterals = new(288);
    private readonly Huffman _fixedDistances = new(30);
    private readonly Huffman _literals = new(288);
    private readonly Huffman _distances = new(32);
    private readonly Huffman _codeLengths = new(19);
    private readonly byte[] _lengths = new byte[288 + 32];

    // Per-call output state: _out is the PooledBuffer's array, _pos the next byte to write
    // (everything before it is output so far), _limit the end of the room we may use.
    private PooledBuffer? _output;
    private byte[] _out = [];
    private int _pos;
    private int _limit;
    private string _name = "deflate";

    public Inflater()
    {
        // RFC 1951 §3.2.6: the fixed Huffman codes.
        Span<byte> lengths = stackalloc byte[288];
        lengths[..144].Fill(8);
        lengths[144..256].Fill(9);
        lengths[256..280].Fill(7);
        lengths[280..].Fill(8);
        _fixedLiterals.Build(lengths, this);
        lengths[..30].Fill(5);
        _fixedDistances.Build(lengths[..30], this);
    }

    /// <summary>
    /// Inflates the raw deflate stream starting at <paramref name="start"/>, appending to <paramref name="output"/>.
    /// Returns the index just past the stream's last byte. <paramref name="name"/> prefixes error details.
    /// </summary>
    public int Inflate(ReadOnlySpan<byte> input, int start, PooledBuffer output, string name)
    {
        _output = output;
        _name = name;
        _out = [];
        _pos = output.Length;
        _limit = _pos;
        int streamStart = output.Length;
        var br = new BitReader { Input = input, Pos = start };
        try
        {
            bool last;
            do
            {
                uint header = Take(ref br, 3);
                last = (header & 1) != 0;
                switch (header >> 1)
                {
                    case 0: Stored(ref br); break;
                    case 1: Codes(ref br, _fixedLiterals, _fixedDistances, streamStart); break;
                    case 2:
                        ReadDynamicTables(ref br);
                        Codes(ref br, _literals, _distances, streamStart);
                        break;
                    default: Corrupt("invalid block type"); break;
                }
            } while (!last);
        }
        finally
        {
            int pending = _pos - output.Length;
            if (pending > 0) output.Advance(pending);
            _output = null;
            _out = [];
        }
        // Whole bytes already pulled into the bit buffer belong to whatever follows the stream.
        return br.Pos - br.Count / 8;
    }

    private void Stored(ref BitReader br)
    {
        // RFC 1951 §3.2.4: skip to a byte boundary, then LEN, NLEN and LEN raw bytes.
        br.Pos -= br.Count / 8;
        br.Bits = 0;
        br.Count = 0;
        var input = br.Input;
        if (input.Length - br.Pos < 4) Truncated();
        int len = input[br.Pos] | (input[br.Pos + 1] << 8);
        int nlen = input[br.Pos + 2] | (input[br.Pos + 3] << 8);
        if (len != (~nlen & 0xFFFF)) Corrupt("stored block length check failed");
        br.Pos += 4;
        if (input.Length - br.Pos < len) Truncated();
        if (len == 0) return;
        if (_limit - _pos < len) EnsureRoom(len);
        input.Slice(br.Pos, len).CopyTo(_out.AsSpan(_pos));
        _pos += len;
        br.Pos += len;
    }

    private void ReadDynamicTables(ref BitReader br)
    {
        // RFC 1951 §3.2.7.
        int nlen = (int)Take(ref br, 5) + 257;
        int ndist = (int)Take(ref br, 5) + 1;
        int ncode = (int)Take(ref br, 4) + 4;
        if (nlen > 286 || ndist > 30) Corrupt("too many length or distance codes");

        Span<byte> lengths = _lengths;
        lengths[..19].Clear();
        for (int i = 0; i < ncode; i++) lengths[CodeLengthOrder[i]] = (byte)Take(ref br, 3);
        _codeLengths.Build(lengths[..19], this);

        int total = nlen + ndist, index = 0;
        while (index < total)
        {
            int symbol = Decode(ref br, _codeLengths);
            if (symbol < 16)
            {
                lengths[index++] = (byte)symbol;
                continue;
            }
            byte value = 0;
            int repeat;
            if (symbol == 16)
            {
                if (index == 0) Corrupt("repeated code length with no previous length");
                value = lengths[index - 1];
                repeat = 3 + (int)Take(ref br, 2);
            }
            else if (symbol == 17) repeat = 3 + (int)Take(ref br, 3);
            else repeat = 11 + (int)Take(ref br, 7);
            if (index + repeat > total) Corrupt("too many code lengths");
            lengths.Slice(index, repeat).Fill(value);
            index += repeat;
        }
        if (lengths[256] == 0) Corrupt("no end-of-block code");
        _literals.Build(lengths[..nlen], this);
        _distances.Build(lengths[nlen..total], this);
    }

    // The hot loop: state lives in locals so the JIT can keep it in registers.
    private void Codes(ref BitReader br, Huffman literals, Huffman distances, int streamStart)
    {
        byte[] o = _out;
        int pos = _pos, limit = _limit;
        while (true)
        {
            int symbol = Decode(ref br, literals);
            if (symbol < 256)
            {
                if (pos >= limit)
                {
                    _pos = pos;
                    EnsureRoom(1);
                    o = _out; pos = _pos; limit = _limit;
                }
                o[pos++] = (byte)symbol;
                continue;
            }
            if (symbol == 256) break;

            symbol -= 257;
            if (symbol >= 29) Corrupt("invalid length code");
            int length = LengthBase[symbol] + (int)Take(ref br, LengthExtra[symbol]);
            int dsym = Decode(ref br, distances);
            if (dsym >= 30) Corrupt("invalid distance code");
            int distance = DistanceBase[dsym] + (int)Take(ref br, DistanceExtra[dsym]);
            if (distance > pos - streamStart) Corrupt("distance too far back");
            if (limit - pos < length)
            {
                _pos = pos;
                EnsureRoom(length);
                o = _out; pos = _pos; limit = _limit;
            }
            int from = pos - distance;
            if (distance >= length)
            {
                o.AsSpan(from, length).CopyTo(o.AsSpan(pos));
            }
            else
            {
                // Overlapping copy repeats the last `distance` bytes (RFC 1951 §3.2.3): byte by byte.
                for (int k = 0; k < length; k++) o[pos + k] = o[from + k];
            }
            pos += length;
        }
        _pos = pos;
    }

    /// <summary>Makes room for at least <paramref name="n"/> more bytes, or refuses the body when that would pass the cap.</summary>
    private void EnsureRoom(int n)
    {
        var output = _output!;
        int pending = _pos - output.Length;
        if (pending > 0) output.Advance(pending);
        long room = output.Cap - _pos;
        if (n > room) BodyDecoder.ThrowTooLarge(_name, output.Cap);
        var memory = output.GetMemory((int)Math.Min(Math.Max(n, RoomHint), room));
        if (!MemoryMarshal.TryGetArray<byte>(memory, out var segment)) throw new InvalidOperationException("PooledBuffer is not array-backed");
        _out = segment.Array!;
        _pos = segment.Offset;
        _limit = segment.Offset + (int)Math.Min(segment.Count, room);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Refill(ref BitReader br)
    {
        while (br.Count <= 56 && br.Pos < br.Input.Length)
        {
            br.Bits |= (ulong)br.Input[br.Pos++] << br.Count;
            br.Count += 8;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Take(ref BitReader br, int n)
    {
        if (br.Count < n)
        {
            Refill(ref br);
            if (br.Count < n) Truncated();
        }
        uint v = (uint)(br.Bits & ((1UL << n) - 1));
        br.Bits >>= n;
        br.Count -= n;
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Decode(ref BitReader br, Huffman h)
    {
        if (br.Count < 15) Refill(ref br);
        int entry = h.Fast[(int)(br.Bits & FastMask)];
        if (entry != 0)
        {
            int len = entry & 15;
            if (len > br.Count) Truncated();
            br.Bits >>= len;
            br.Count -= len;
            return entry >> 4;
        }
        return DecodeSlow(ref br, h);
    }

    // Codes longer than FastBits: walk the canonical code one bit at a time (RFC 1951 §3.2.2).
    private int DecodeSlow(ref BitReader br, Huffman h)
    {
        int code = 0, first = 0, index = 0;
        for (int len = 1; len <= 15; len++)
        {
            if (len > br.Count) Truncated();
            code |= (int)(br.Bits >> (len - 1)) & 1;
            int count = h.Count[len];
            if (code - first < count)
            {
                br.Bits >>= len;
                br.Count -= len;
                return h.Symbol[index + code - first];
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        Corrupt("invalid Huffman code");
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Truncated() => Rejection.Throw(RejectReason.InvalidEncodedBody, $"{_name}: truncated stream");

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void Corrupt(string what) => Rejection.Throw(RejectReason.InvalidEncodedBody, $"{_name}: corrupt stream ({what})");

    private ref struct BitReader
    {
        public ReadOnlySpan<byte> Input;
        public int Pos;     // next input byte not yet in Bits
        public ulong Bits;  // LSB-first bit buffer (RFC 1951 §3.1.1)
        public int Count;   // valid bits in Bits
    }

    private sealed class Huffman
    {
        public readonly ushort[] Fast = new ushort[1 << FastBits]; // (symbol << 4) | length; 0 = longer code
        public readonly short[] Count = new short[16];
        public readonly short[] Symbol;

        public Huffman(int symbols) => Symbol = new short[symbols];

        public void Build(ReadOnlySpan<byte> lengths, Inflater owner)
        {
            Array.Clear(Count);
            foreach (byte l in lengths) Count[l]++;
            Count[0] = 0;

            int left = 1;
            for (int len = 1; len <= 15; len++)
            {
                left = (left << 1) - Count[len];
                if (left < 0) owner.Corrupt("over-subscribed Huffman code");
            }
            // Incomplete codes are allowed (a lone distance code is common); a bit pattern
            // with no symbol is caught when decoded.

            Span<short> offsets = stackalloc short[16];
            for (int len = 1; len < 15; len++) offsets[len + 1] = (short)(offsets[len] + Count[len]);
            for (int s = 0; s < lengths.Length; s++)
            {
                if (lengths[s] != 0) Symbol[offsets[lengths[s]]++] = (short)s;
            }

            Array.Clear(Fast);
            int code = 0, index = 0;
            for (int len = 1; len <= FastBits; len++)
            {
                for (int k = 0; k < Count[len]; k++)
                {
                    int symbol = Symbol[index++];
                    int reversed = Reverse(code++, len);
                    for (int j = reversed; j <= FastMask; j += 1 << len) Fast[j] = (ushort)((symbol << 4) | len);
                }
                code <<= 1;
            }
        }

        // Huffman codes are packed most-significant bit first into an LSB-first stream.
        private static int Reverse(int code, int length)
        {
            int r = 0;
            for (int i = 0; i < length; i++)
            {
                r = (r << 1) | (code & 1);
                code >>= 1;
            }
            return r;
        }
    }
}
