namespace Ingestd.Storage;

/// <summary>What recovery found in the newest segment at open, and where numbering goes on.</summary>
/// <param name="File">The segment that was scanned.</param>
/// <param name="Findings">Each range it skipped, cut or repaired, in file order.</param>
/// <param name="FirstUnsafeSequence">
/// The lowest sequence number whose record may be missing now: anything stored at or after it might be gone.
/// Idempotency records standing for events past it are dropped.
/// </param>
internal sealed record SegmentRecovery(string File, IReadOnlyList<RecoveryFinding> Findings, long FirstUnsafeSequence)
{
    public override string ToString() => $"{File}: " + string.Join("; ", Findings);
}

internal enum RecoveryAction : byte
{
    /// <summary>The range stays in the file; readers skip it as recovery did (a bad block, or bytes up to the next good block).</summary>
    Skipped,
    /// <summary>An unreadable tail was cut off.</summary>
    Truncated,
    /// <summary>The file header failed its check and was written again from the file name; the blocks were kept.</summary>
    HeaderRewritten,
}

/// <summary>One range of the scanned segment that did not hold good blocks.</summary>
internal readonly record struct RecoveryFinding(RecoveryAction Action, long Offset, long Bytes, string Reason)
{
    public override string ToString() => Action switch
    {
        RecoveryAction.Skipped => $"skipped {Bytes} bytes at offset {Offset} ({Reason})",
        RecoveryAction.Truncated => $"truncated {Bytes} bytes at offset {Offset} ({Reason})",
        _ => $"file header rewritten ({Reason})",
    };
}
