using System.Text;
using Ingestd.Parsing.Records;

namespace Ingestd.Parsing.Conditions;

/// <summary>The UTF-8 names of dialects and kinds (as <see cref="RecordNames"/> spells them), made once.</summary>
internal static class RecordNameBytes
{
    private static readonly byte[][] Dialects = Make<Dialect>(d => RecordNames.Of(d));
    private static readonly byte[][] Kinds = Make<RecordKind>(k => RecordNames.Of(k));

    public static ReadOnlySpan<byte> Of(Dialect dialect) => (int)dialect < Dialects.Length ? Dialects[(int)dialect] : "unknown"u8;

    public static ReadOnlySpan<byte> Of(RecordKind kind) => (int)kind < Kinds.Length ? Kinds[(int)kind] : "unknown"u8;

    private static byte[][] Make<T>(Func<T, string> name) where T : struct, Enum
    {
        var values = Enum.GetValues<T>();
        int max = 0;
        foreach (var v in values) max = Math.Max(max, Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture));
        var names = new byte[max + 1][];
        for (int i = 0; i <= max; i++) names[i] = System.Text.Encoding.UTF8.GetBytes("unknown");
        foreach (var v in values) names[Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)] = System.Text.Encoding.UTF8.GetBytes(name(v));
        return names;
    }
}
