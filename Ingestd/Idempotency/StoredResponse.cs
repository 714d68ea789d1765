namespace Ingestd.Idempotency;

/// <summary>A response kept for idempotent replay: status, the headers to repeat, and the body bytes.</summary>
internal sealed record StoredResponse(int Status, byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers);
