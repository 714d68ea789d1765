using Ingestd.Parsing.Records;

namespace Ingestd.Parsing.Conditions;

/// <summary>
/// One event as conditions see it: the record header fields and the event JSON (both as they stand after the
/// steps run so far), and the locator that finds JSON paths in it.
/// </summary>
internal ref struct EventFields
{
    public ReadOnlySpan<byte> Tenant;
    public ReadOnlySpan<byte> Stream;
    public ReadOnlySpan<byte> Service;
    public ReadOnlySpan<byte> Level;
    public ReadOnlySpan<byte> Json;
    public Dialect Dialect;
    public RecordKind Kind;
    public FieldLocator Locator;

    public FieldValue Get(FieldPath path) => path.Header switch
    {
        RecordField.None => Locator.Find(Json, path),
        RecordField.Tenant => new FieldValue(FieldKind.String, Tenant),
        RecordField.Stream => new FieldValue(FieldKind.String, Stream),
        RecordField.Service => new FieldValue(FieldKind.String, Service),
        RecordField.Level => new FieldValue(FieldKind.String, Level),
        RecordField.Dialect => new FieldValue(FieldKind.String, RecordNameBytes.Of(Dialect)),
        RecordField.Kind => new FieldValue(FieldKind.String, RecordNameBytes.Of(Kind)),
        _ => FieldValue.Missing,
    };
}
