using System.Buffers;

namespace Ingestd.Bench.Micro;

/// <summary>
/// A segment of a hand-built <see cref="ReadOnlySequence{T}"/>, so the parsers see bytes split the
/// way a <c>Pipe</c> hands them over (its default segments are 4–16 KiB) rather than one array.
/// </summary>
internal sealed class BenchSegment : ReadOnlySequenceSegment<byte>
{
    private BenchSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>Splits <paramref name="bytes"/> into segments of <paramref name="segmentSize"/> bytes (the last may be shorter).</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, int segmentSize)
    {
        if (bytes.Length <= segmentSize) return new ReadOnlySequence<byte>(bytes);
        var first = new BenchSegment(bytes.AsMemory(0, segmentSize), 0);
        var last = first;
        for (int at = segmentSize; at < bytes.Length; at += segmentSize)
        {
            var next = new BenchSegment(bytes.AsMemory(at, Math.Min(segmentSize, bytes.Length - at)), at);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
