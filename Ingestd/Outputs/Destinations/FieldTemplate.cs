using System.Buffers;
using System.Text;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// A text with <c>{tenant}</c>, <c>{dialect}</c>, <c>{kind}</c>, <c>{level}</c>, <c>{service}</c>, <c>{stream}</c>
/// filled per event from <see cref="RecordFields"/> (Loki labels, Splunk HEC host/source/sourcetype/index). Compiled once;
/// the loader already refused other names (<see cref="Config.OutputConfig.TemplateFields"/>).
/// </summary>
internal sealed class FieldTemplate
{
    private readonly (byte[] Literal, RecordField? Field)[] _parts;

    public FieldTemplate(string text)
    {
        Text = text;
        var parts = new List<(byte[], RecordField?)>();
        int at = 0;
        while (at < text.Length)
        {
            int open = text.IndexOf('{', at);
            int close = open < 0 ? -1 : text.IndexOf('}', open);
            if (open < 0 || close < 0 || !Enum.TryParse<RecordField>(text[(open + 1)..close], ignoreCase: true, out var field))
            {
                // No (known) placeholder further on: the rest is literal (the loader refused unknown names).
                parts.Add((Encoding.UTF8.GetBytes(text[at..]), null));
                break;
            }
            if (open > at) parts.Add((Encoding.UTF8.GetBytes(text[at..open]), null));
            parts.Add(([], field));
            at = close + 1;
        }
        _parts = parts.ToArray();
    }

    public string Text { get; }

    /// <summary>Appends the filled text; returns how many bytes that was.</summary>
    public int Render(RecordFields fields, IBufferWriter<byte> dest)
    {
        int total = 0;
        foreach (var (literal, field) in _parts)
        {
            var value = field is { } f ? fields[f] : literal;
            dest.Write(value);
            total += value.Length;
        }
        return total;
    }

    /// <summary>
    /// Appends the filled text with each field value made a single NATS subject token: an empty value becomes
    /// <c>_</c>, and '.', '*', '>', white space and control characters in it become <c>_</c> (the template's own
    /// dots still separate tokens).
    /// </summary>
    public void RenderSubject(RecordFields fields, ArrayBufferWriter<byte> dest)
    {
        foreach (var (literal, field) in _parts)
        {
            if (field is not { } f)
            {
                dest.Write(literal);
                continue;
            }
            var value = fields[f];
            if (value.IsEmpty)
            {
                dest.Write("_"u8);
                continue;
            }
            var span = dest.GetSpan(value.Length);
            for (int i = 0; i < value.Length; i++)
                span[i] = value[i] is (byte)'.' or (byte)'*' or (byte)'>' or <= (byte)' ' or 0x7f ? (byte)'_' : value[i];
            dest.Advance(value.Length);
        }
    }
}
