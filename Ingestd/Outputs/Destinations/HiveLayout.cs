using System.Globalization;
using System.Text;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// Names in the <c>parquet_files</c> tree: <c>tenant=&lt;t&gt;/date=&lt;YYYY-MM-DD&gt;/hour=&lt;HH&gt;/part-&lt;node&gt;-&lt;first&gt;-&lt;last&gt;.parquet</c>,
/// the hour being the event's own time in UTC. Temp files start with '.' and end in <c>.tmp</c>, so neither a
/// <c>*.parquet</c> glob nor Hive/Spark readers (which skip dot files) ever see them.
/// </summary>
internal static class HiveLayout
{
    public const string PartSuffix = ".parquet";
    public const string TempSuffix = ".tmp";

    /// <summary>The partition directory (relative) of a tenant and an event time in Unix ns.</summary>
    public static string PartitionOf(string tenant, long eventNs)
    {
        var time = DateTime.UnixEpoch.AddTicks(Math.DivRem(eventNs, 100, out long rem) - (rem < 0 ? 1 : 0));
        return Path.Combine("tenant=" + Escape(tenant),
            "date=" + time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "hour=" + time.Hour.ToString("00", CultureInfo.InvariantCulture));
    }

    /// <summary>The start of an hour partition's hour (UTC), from its directory, or null for another directory.</summary>
    public static DateTime? HourOf(string partitionDir)
    {
        string hour = Path.GetFileName(partitionDir);
        string date = Path.GetFileName(Path.GetDirectoryName(partitionDir) ?? "");
        if (!hour.StartsWith("hour=", StringComparison.Ordinal) || !date.StartsWith("date=", StringComparison.Ordinal)) return null;
        if (!DateTime.TryParseExact(date[5..], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var day)
            || !int.TryParse(hour.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int h) || h > 23)
            return null;
        return day.AddHours(h);
    }

    /// <summary>
    /// A Hive partition value: letters, digits, '-', '_' and '.' (not first) as they are, anything else as %XX of its
    /// UTF-8 bytes (as Hive escapes), so a tenant can never name another directory.
    /// </summary>
    public static string Escape(string value)
    {
        if (value.Length == 0) return "%00";
        var sb = new StringBuilder(value.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            bool plain = char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' || (b == '.' && sb.Length > 0);
            if (plain) sb.Append((char)b);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>A node id as it appears in part names: the same alphabet, anything else becomes '_'.</summary>
    public static string NodeToken(string node)
    {
        var chars = node.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] is '-' or '_' or '.')) chars[i] = '_';
        return chars.Length == 0 ? "_" : new string(chars);
    }

    public static string PartName(string node, long first, long last) =>
        string.Create(CultureInfo.InvariantCulture, $"part-{node}-{first}-{last}{PartSuffix}");

    public static string TempName(string partName) => "." + partName + TempSuffix;

    /// <summary>The sequence range of one of <paramref name="node"/>'s part files, from its name.</summary>
    public static bool TryParsePart(string fileName, string node, out long first, out long last)
    {
        first = last = 0;
        string prefix = "part-" + node + "-";
        if (!fileName.StartsWith(prefix, StringComparison.Ordinal) || !fileName.EndsWith(PartSuffix, StringComparison.Ordinal)) return false;
        var range = fileName.AsSpan(prefix.Length, fileName.Length - prefix.Length - PartSuffix.Length);
        int dash = range.IndexOf('-');
        return dash > 0
            && long.TryParse(range[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out first)
            && long.TryParse(range[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out last)
            && first <= last;
    }

    /// <summary>The ranges of <paramref name="node"/>'s parts in a partition directory (empty when there is none yet).</summary>
    public static List<(long First, long Last, string Path)> Parts(string partitionDir, string node)
    {
        var parts = new List<(long, long, string)>();
        if (!Directory.Exists(partitionDir)) return parts;
        foreach (string path in Directory.EnumerateFiles(partitionDir, "part-*" + PartSuffix))
        {
            if (TryParsePart(Path.GetFileName(path), node, out long first, out long last)) parts.Add((first, last, path));
        }
        parts.Sort((a, b) => a.Item1 != b.Item1 ? a.Item1.CompareTo(b.Item1) : b.Item2.CompareTo(a.Item2));
        return parts;
    }
}
