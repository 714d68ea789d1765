namespace Ingestd.Parsing.Dialects.Json;

/// <summary>What a table-driven parser found for one <see cref="SchemaField{TRule}"/> of an object.</summary>
internal struct SchemaFieldState
{
    public bool Seen;
    public string? Problem; // set only on the failure path
    public string? Path;    // when the problem lies below the field (Operyn's labels.region)
}
