using System.Globalization;
using System.Text;

namespace Ingestd.Diagnostics;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4): HELP and TYPE lines, then
/// samples; label values escaped as the format requires (backslash, double quote, newline).
/// Cold path (a scrape every few seconds), so plain strings.
/// </summary>
internal sealed class PrometheusText
{
    private readonly StringBuilder _sb = new(4096);

    public void Family(string name, string type, string help)
    {
        _sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        _sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    public void Sample(string name, double value, params (string Name, string Value)[] labels)
    {
        _sb.Append(name);
        if (labels.Length > 0)
        {
            _sb.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                if (i > 0) _sb.Append(',');
                _sb.Append(labels[i].Name).Append("=\"");
                foreach (char c in labels[i].Value)
                {
                    switch (c)
                    {
                        case '\\': _sb.Append("\\\\"); break;
                        case '"': _sb.Append("\\\""); break;
                        case '\n': _sb.Append("\\n"); break;
                        default: _sb.Append(c); break;
                    }
                }
                _sb.Append('"');
            }
            _sb.Append('}');
        }
        _sb.Append(' ').Append(Format(value)).Append('\n');
    }

    public void Single(string name, string type, string help, double value)
    {
        Family(name, type, help);
        Sample(name, value);
    }

    private static string Format(double v)
    {
        if (double.IsPositiveInfinity(v)) return "+Inf";
        if (double.IsNegativeInfinity(v)) return "-Inf";
        if (double.IsNaN(v)) return "NaN";
        return v.ToString("R", CultureInfo.InvariantCulture);
    }

    public override string ToString() => _sb.ToString();
}
