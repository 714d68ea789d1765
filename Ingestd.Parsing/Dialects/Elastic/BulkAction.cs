namespace Ingestd.Parsing.Dialects.Elastic;

/// <summary>The four actions of an Elasticsearch <c>_bulk</c> action/metadata line.</summary>
internal enum BulkAction : byte
{
    Index,
    Create,
    Update,
    Delete,
}
