namespace Ingestd.Outputs;

/// <summary>What a destination made of one request.</summary>
internal enum DeliveryStatus
{
    /// <summary>Stored by the destination: the cursor may move past these events.</summary>
    Acknowledged,

    /// <summary>Worth retrying as it is (overload, outage, timeout): retried with backoff, forever.</summary>
    Transient,

    /// <summary>Refused for its content: retrying the same bytes cannot help (split, then dead-letter).</summary>
    Permanent,

    /// <summary>The request went through but items fared differently: see <see cref="DeliveryResult.Items"/>.</summary>
    PerItem,
}

/// <summary>One item's fate in a <see cref="DeliveryStatus.PerItem"/> answer (never PerItem itself).</summary>
internal readonly record struct ItemOutcome(DeliveryStatus Status, string Reason);

internal readonly record struct DeliveryResult(DeliveryStatus Status, string Reason, ItemOutcome[]? Items = null)
{
    /// <summary>Per-item outcomes, aligned with the items sent.</summary>
    public static DeliveryResult PerItem(ItemOutcome[] items) => new(DeliveryStatus.PerItem, "", items);

    public static readonly DeliveryResult Acknowledged = new(DeliveryStatus.Acknowledged, "");
    public static DeliveryResult Transient(string reason) => new(DeliveryStatus.Transient, reason);
    public static DeliveryResult Permanent(string reason) => new(DeliveryStatus.Permanent, reason);
}

/// <summary>
/// A place events are delivered to. Called from the output's own thread only, one request at a time; it must not
/// throw for anything the destination or the network does (those are results), only on cancellation.
/// </summary>
internal interface IDestination : IDisposable
{
    /// <summary>Sends the given items (indexes into <paramref name="batch"/>, in order).</summary>
    DeliveryResult Send(OutputBatch batch, IReadOnlyList<int> items, CancellationToken ct);
}
