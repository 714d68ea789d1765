using System.Buffers;
using System.Buffers.Binary;

namespace Ingestd.Storage.Index;

/// <summary>
/// The distinct values of one field within one block, as hashes: an exact list up to <see cref="IndexFormat.ExactMax"/>,
/// then a Bloom filter. Reused block after block; adding allocates nothing.
/// </summary>
internal sealed class ValueSetBuilder
{
    private readonly ulong[] _exact = new ulong[IndexFormat.ExactMax];
    private readonly ulong[] _bloom = new ulong[IndexFormat.BloomWords];
    private int _count;
    private bool _isBloom;
    private ulong _last;

    public void Add(ulong hash)
    {
        // Neighbouring records mostly share their values: the common case is one comparison.
        if (_count > 0 && hash == _last) return;
        _last = hash;
        if (_isBloom)
        {
            SetBloomBits(hash);
            return;
        }
        for (int i = 0; i < _count; i++)
            if (_exact[i] == hash) return;
        if (_count < IndexFormat.ExactMax)
        {
            _exact[_count++] = hash;
            return;
        }
        _isBloom = true;
        for (int i = 0; i < _count; i++) SetBloomBits(_exact[i]);
        SetBloomBits(hash);
    }

    private void SetBloomBits(ulong hash)
    {
        for (int i = 0; i < IndexFormat.BloomHashes; i++)
        {
            int p = IndexFormat.BloomPosition(hash, i);
            _bloom[p >> 6] |= 1UL << (p & 63);
        }
    }

    /// <summary>Appends the set as the format lays it out (kind, count, then hashes or Bloom bits).</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        if (_isBloom)
        {
            var span = output.GetSpan(2 + IndexFormat.BloomBytes);
            span[0] = IndexFormat.SetBloom;
            span[1] = 0;
            // Bit p lives in byte p/8, bit p%8: little-endian words give exactly that.
            for (int i = 0; i < IndexFormat.BloomWords; i++) BinaryPrimitives.WriteUInt64LittleEndian(span[(2 + i * 8)..], _bloom[i]);
            output.Advance(2 + IndexFormat.BloomBytes);
            return;
        }
        var dest = output.GetSpan(2 + 8 * _count);
        dest[0] = IndexFormat.SetExact;
        dest[1] = (byte)_count;
        for (int i = 0; i < _count; i++) BinaryPrimitives.WriteUInt64LittleEndian(dest[(2 + i * 8)..], _exact[i]);
        output.Advance(2 + 8 * _count);
    }

    public void Reset()
    {
        if (_isBloom) Array.Clear(_bloom);
        _isBloom = false;
        _count = 0;
    }
}
