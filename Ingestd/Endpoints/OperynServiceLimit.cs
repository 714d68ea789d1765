using System.Text;

namespace Ingestd.Endpoints;

/// <summary>
/// Operyn's rule that the default organisation (no <c>x-organization-id</c>) takes at most N
/// distinct services. The set is small, changes rarely and is kept in a file in the data
/// directory so a restart does not reopen the door.
/// </summary>
internal sealed class OperynServiceLimit
{
    private readonly object _gate = new();
    private readonly HashSet<string> _services = new(StringComparer.Ordinal);
    private readonly string _path;

    private int _max;

    public OperynServiceLimit(string dataDir, int max)
    {
        _max = max;
        _path = Path.Combine(dataDir, "operyn-default-services.txt");
        if (File.Exists(_path))
            foreach (var line in File.ReadAllLines(_path))
                if (line.Length > 0) _services.Add(line);
    }

    /// <summary>Settable on reload; a lower limit keeps the services already admitted.</summary>
    public int Max
    {
        get => Volatile.Read(ref _max);
        set => Volatile.Write(ref _max, value);
    }

    /// <summary>Admits the services of one request all together, or none; returns the refusal message otherwise.</summary>
    public string? TryAdmit(IReadOnlyCollection<string> services)
    {
        lock (_gate)
        {
            int added = 0;
            foreach (var s in services) if (!_services.Contains(s)) added++;
            if (added == 0) return null;
            if (_services.Count + added > Max)
                return $"The default organization is limited to {Max} services (already: {string.Join(", ", _services.Order())}); send x-organization-id to use your own organization";
            foreach (var s in services) _services.Add(s);
            var tmp = _path + ".tmp";
            File.WriteAllText(tmp, string.Join('\n', _services) + "\n", new UTF8Encoding(false));
            File.Move(tmp, _path, overwrite: true);
            return null;
        }
    }
}
