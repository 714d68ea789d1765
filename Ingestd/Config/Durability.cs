namespace Ingestd.Config;

/// <summary>When a request is acknowledged (DESIGN §2).</summary>
internal enum Durability
{
    /// <summary>Ack on entry into the ring; lost on a crash.</summary>
    Memory,
    /// <summary>Ack after the batch is written to the segment file; survives kill -9.</summary>
    Write,
    /// <summary>Ack after a group-commit fsync covering the batch; survives power loss.</summary>
    Fsync,
}
