namespace Ingestd.Parsing.Dialects.Json;

/// <summary>
/// A parser's table of known member names, for <see cref="JsonStrings.Identify{TNames}"/>. Implement it
/// on a struct so that the generic call is specialised and <see cref="Match"/> inlined.
/// </summary>
internal interface IJsonNameTable
{
    /// <summary>The code of <paramref name="name"/> (unescaped UTF-8), or 0 when it is not one of ours.</summary>
    static abstract int Match(ReadOnlySpan<byte> name);
}
