namespace Ingestd.Idempotency;

/// <summary>What <see cref="IdempotencyStore.Begin"/> decided for a request carrying an Idempotency-Key.</summary>
internal enum IdempotencyBegin
{
    /// <summary>First time seen (or expired): the key is now reserved; the caller must Complete or Abandon it.</summary>
    New,

    /// <summary>A completed response younger than the window exists: send it again with <c>X-Idempotent-Replay: true</c>.</summary>
    Replay,

    /// <summary>Another request with the same key is being processed right now.</summary>
    InProgress,
}
