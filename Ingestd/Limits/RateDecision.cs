namespace Ingestd.Limits;

/// <summary>
/// The outcome of one rate-limit check, with everything the Guardian headers need:
/// <c>X-RateLimit-Limit</c> = <paramref name="Limit"/>, <c>X-RateLimit-Remaining</c> = <paramref name="Remaining"/>,
/// <c>X-RateLimit-Reset</c> = <paramref name="ResetUnixSeconds"/> (when the bucket is full again), and on a
/// refusal <c>Retry-After</c> / <c>retryAfter</c> = <paramref name="RetryAfterSeconds"/> (0 when allowed).
/// </summary>
internal readonly record struct RateDecision(bool Allowed, int Limit, int Remaining, long ResetUnixSeconds, int RetryAfterSeconds);
