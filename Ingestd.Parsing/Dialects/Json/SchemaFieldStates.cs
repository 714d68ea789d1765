using System.Runtime.CompilerServices;

namespace Ingestd.Parsing.Dialects.Json;

/// <summary>Per-object field states on the stack, one per schema field (no schema has more than <see cref="MaxFields"/>).</summary>
[InlineArray(MaxFields)]
internal struct SchemaFieldStates
{
    public const int MaxFields = 8;

    private SchemaFieldState _first;
}
