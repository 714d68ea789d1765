
namespace Ingestd.Parsing.Dialects.Elastic;

/// <summary>
/// The outcome of one action line of a <c>_bulk</c> request, in request order. The index name
/// and document id live in the owning <see cref="BulkItemList"/>'s text arena (read them with
/// <see cref="BulkItemList.Index"/> and <see cref="BulkItemList.Id"/>), so that recording an
/// item allocates nothing. <see cref="ErrorType"/> and <see cref="ErrorReason"/> are null for
/// stored documents.
/// </summary>
internal readonly record struct BulkItem(BulkAction Action, int Status, string? ErrorType, string? ErrorReason,
    int IndexStart, int IndexLength, int IdStart, int IdLength)
{
    public bool HasIndex => IndexStart >= 0;
    public bool HasId => IdStart >= 0;
    public bool Failed => Status >= 300;
}
