namespace Ingestd.Bench.Workload;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014; the constants of Vigna's reference code). The workload
/// generator uses it instead of <see cref="Random"/> because the committed files must come out the
/// same on every .NET version, and <see cref="Random"/>'s sequence is not specified.
/// </summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, <paramref name="bound"/>): the high word of a 64×64-bit product (Lemire), no modulo.</summary>
    public int Below(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        return (int)Math.BigMul(Next(), (ulong)bound, out _);
    }

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>], both included.</summary>
    public int Between(int min, int max) => min + Below(max - min + 1);

    public T Pick<T>(IReadOnlyList<T> items) => items[Below(items.Count)];
}
