namespace Ingestd.Ingest;

/// <summary>What the writer reports for a request it was asked to make durable.</summary>
internal enum StoreResult : byte
{
    /// <summary>Stored under the configured durability.</summary>
    Durable,
    /// <summary>Part or all of it could not be stored because the disk is full (answered 507).</summary>
    DiskFull,
    /// <summary>Part or all of it could not be stored for another reason: I/O error, failed fsync, read-only (503).</summary>
    Failed,
}
