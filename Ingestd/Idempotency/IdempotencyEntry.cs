namespace Ingestd.Idempotency;

/// <summary>
/// One (scope, key) slot of the <see cref="IdempotencyStore"/>: either a reservation held by a request in flight
/// (<see cref="Response"/> null) or a completed, persisted response.
/// </summary>
/// <param name="CreatedUnixMs">When the reservation was made, or when the response was completed (the window starts there).</param>
/// <param name="Bytes">Encoded size in the log, for the memory bound (0 for reservations).</param>
/// <param name="StoredBelowSequence">Every event of the request has a segment sequence number below this (0: none).</param>
internal sealed record IdempotencyEntry(string Scope, Guid Key, long CreatedUnixMs, StoredResponse? Response, long Bytes,
    long StoredBelowSequence = 0)
{
    public bool IsCompleted => Response is not null;
}
