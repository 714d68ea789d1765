namespace Ingestd.Idempotency;

/// <summary>Memory and file bounds of the <see cref="IdempotencyStore"/>; the defaults suit Guardian's small JSON responses.</summary>
/// <param name="MaxBodyBytes">Larger response bodies are not stored (logged; the key is released as if abandoned).</param>
/// <param name="MaxEntries">Completed entries kept; past it the oldest are evicted.</param>
/// <param name="MaxTotalBytes">Encoded bytes of completed entries kept; past it the oldest are evicted.</param>
/// <param name="CompactMinRecords">The log is compacted only when it holds more records than this (and more than twice the live entries).</param>
/// <param name="ReservationTimeout">A reservation older than this is presumed leaked (its request died without Complete/Abandon) and may be taken over.</param>
internal sealed record IdempotencyLimits(
    int MaxBodyBytes = 64 * 1024,
    int MaxEntries = 1_000_000,
    long MaxTotalBytes = 256L * 1024 * 1024,
    int CompactMinRecords = 1_000,
    TimeSpan ReservationTimeout = default)
{
    public static readonly IdempotencyLimits Default = new();

    // Guardian's max request duration is 800 s; a reservation outliving that is certainly stale.
    public TimeSpan EffectiveReservationTimeout => ReservationTimeout > TimeSpan.Zero ? ReservationTimeout : TimeSpan.FromMinutes(15);
}
