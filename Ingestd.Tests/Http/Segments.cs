using System.Buffers;
using System.Text;

namespace Ingestd.Tests.Http;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s so parsers are tested on every way bytes can be split.</summary>
internal static class Segments
{
    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>Test inputs are written as text; Latin-1 maps each char to one byte, so "\u0080" is byte 0x80.</summary>
    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    public static ReadOnlySequence<byte> Single(string text) => new(Bytes(text));

    /// <summary>One segment per part, each in its own array (so no accidental contiguity).</summary>
    public static ReadOnlySequence<byte> FromParts(params byte[][] parts)
    {
        if (parts.Length == 0) return ReadOnlySequence<byte>.Empty;
        var first = new Segment(parts[0].ToArray(), 0);
        var last = first;
        for (int i = 1; i < parts.Length; i++) last = last.Append(parts[i].ToArray());
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Cuts <paramref name="data"/> at the given ascending offsets.</summary>
    public static ReadOnlySequence<byte> SplitAt(byte[] data, params int[] cuts)
    {
        var parts = new List<byte[]>();
        int start = 0;
        foreach (int cut in cuts)
        {
            parts.Add(data[start..cut]);
            start = cut;
        }
        parts.Add(data[start..]);
        return FromParts(parts.ToArray());
    }

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data)
    {
        var parts = new byte[data.Length][];
        for (int i = 0; i < data.Length; i++) parts[i] = [data[i]];
        return FromParts(parts);
    }

    /// <summary>Random cuts (some segments empty), reproducible from <paramref name="seed"/>.</summary>
    public static ReadOnlySequence<byte> Random(byte[] data, int seed)
    {
        var random = new Random(seed);
        var parts = new List<byte[]>();
        int start = 0;
        while (start < data.Length)
        {
            int length = random.Next(0, Math.Min(20, data.Length - start) + 1);
            parts.Add(data[start..(start + length)]);
            start += length;
        }
        if (parts.Count == 0) parts.Add([]);
        return FromParts(parts.ToArray());
    }
}
