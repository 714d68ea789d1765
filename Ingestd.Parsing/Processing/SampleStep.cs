using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// <c>sample</c>: keeps 1 event in <c>rate</c>. With a <c>key</c>, the choice is the 64-bit FNV-1a hash of the key's value
/// modulo the rate, so every event with the same key (a trace, a transaction) is kept or dropped together, on every
/// connection and after restarts. Without a key (or when the event has none) every rate-th event of a connection is kept.
/// Events <c>always_keep</c> holds for are never sampled out.
/// </summary>
internal sealed class SampleStep(int rate, FieldPath? key, Condition? alwaysKeep) : Step
{
    // Events without a key this step has seen, on every connection (an interlocked count, not a lock).
    private long _seen;

    public override string Type => "sample";

    public override void CollectPaths(List<FieldPath> into)
    {
        base.CollectPaths(into);
        if (key is not null) into.Add(key);
        alwaysKeep?.CollectPaths(into);
    }

    protected override StepOutcome Apply(EventWork work, ReadOnlySpan<byte> stream)
    {
        var fields = work.Fields(stream);
        if (alwaysKeep is not null && alwaysKeep.Evaluate(ref fields)) return StepOutcome.Kept;
        bool keep;
        var value = key is null ? FieldValue.Missing : fields.Get(key);
        if (value.Exists) keep = Fnv1a64(value.Bytes) % (ulong)rate == 0;
        else keep = (Interlocked.Increment(ref _seen) - 1) % rate == 0;
        if (keep) return StepOutcome.Kept;
        work.Dropped = true;
        return StepOutcome.Dropped;
    }

    /// <summary>FNV-1a, 64-bit (offset basis 14695981039346656037, prime 1099511628211): stable across processes and versions.</summary>
    public static ulong Fnv1a64(ReadOnlySpan<byte> bytes)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in bytes)
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }
}
