namespace Ingestd.Parsing.Conditions;

/// <summary>What a located field holds.</summary>
internal enum FieldKind : byte
{
    Missing,
    String,
    Number,
    True,
    False,
    Null,
    Object,
    Array,
}
