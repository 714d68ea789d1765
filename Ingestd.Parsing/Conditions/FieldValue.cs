using System.Buffers.Text;

namespace Ingestd.Parsing.Conditions;

/// <summary>
/// A field's value for one event, without copying: for a string its unescaped UTF-8 content, for anything else
/// its JSON text as sent.
/// </summary>
internal readonly ref struct FieldValue
{
    public FieldValue(FieldKind kind, ReadOnlySpan<byte> bytes)
    {
        Kind = kind;
        Bytes = bytes;
    }

    public static FieldValue Missing => default;

    public FieldKind Kind { get; }

    public ReadOnlySpan<byte> Bytes { get; }

    public bool Exists => Kind != FieldKind.Missing;

    /// <summary>A number, or a string holding one (a parse step's fields are strings).</summary>
    public bool TryGetNumber(out double value)
    {
        value = 0;
        if (Kind != FieldKind.Number && Kind != FieldKind.String) return false;
        return Utf8Parser.TryParse(Bytes, out value, out int used) && used == Bytes.Length && Bytes.Length > 0;
    }
}
