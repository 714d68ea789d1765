using System.Text;

namespace Ingestd.Http;

/// <summary>Splits a query string into decoded name/value pairs (application/x-www-form-urlencoded rules). Cold path.</summary>
internal static class QueryString
{
    public static List<KeyValuePair<string, string>> Parse(ReadOnlySpan<byte> query)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in Encoding.UTF8.GetString(query).Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            string key = eq < 0 ? part : part[..eq];
            string value = eq < 0 ? "" : part[(eq + 1)..];
            pairs.Add(new(Decode(key), Decode(value)));
        }
        return pairs;
    }

    private static string Decode(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));
}
