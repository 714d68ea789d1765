namespace Ingestd.Bench.Compare;

/// <summary><c>--name value</c> and <c>--flag</c> options of the compare commands (cold path, plain code).</summary>
internal sealed class CommandArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    public CommandArgs(string[] args, params string[] flags)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{a}'");
            if (Array.IndexOf(flags, a) >= 0)
            {
                _options[a] = null;
                continue;
            }
            if (i + 1 >= args.Length) throw new ArgumentException($"{a} needs a value");
            _options[a] = args[++i];
        }
    }

    public bool Has(string name) => _options.ContainsKey(name);

    public string? Get(string name) => _options.TryGetValue(name, out var v) ? v : null;

    public string Require(string name) => Get(name) ?? throw new ArgumentException($"{name} is required");

    /// <summary>Durations as <c>10s</c>, <c>500ms</c>, <c>2m</c> or plain seconds.</summary>
    public TimeSpan Duration(string name, TimeSpan fallback)
    {
        string? v = Get(name);
        if (v is null) return fallback;
        if (v.EndsWith("ms", StringComparison.Ordinal)) return TimeSpan.FromMilliseconds(double.Parse(v[..^2], System.Globalization.CultureInfo.InvariantCulture));
        if (v.EndsWith('s')) return TimeSpan.FromSeconds(double.Parse(v[..^1], System.Globalization.CultureInfo.InvariantCulture));
        if (v.EndsWith('m')) return TimeSpan.FromMinutes(double.Parse(v[..^1], System.Globalization.CultureInfo.InvariantCulture));
        return TimeSpan.FromSeconds(double.Parse(v, System.Globalization.CultureInfo.InvariantCulture));
    }

    public int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
