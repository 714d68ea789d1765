using System.Text;

namespace Ingestd.Limits;

/// <summary>
/// Operyn's rule that the default organisation (no <c>x-organization-id</c>) takes at most N
/// distinct services. The set is small, changes at most N times ever and is kept in a file in the
/// data directory so a restart does not reopen the door.
/// </summary>
internal sealed class OperynServiceLimit
{
    private readonly object _admitting = new();
    private readonly string _path;
    // Replaced whole when a service is admitted, so the common case (every service already known) reads it
    // without a lock; only an admission, which also writes the file, is serialised.
    private volatile HashSet<string> _services;
    private int _max;

    public OperynServiceLimit(string dataDir, int max)
    {
        _max = max;
        _path = Path.Combine(dataDir, "operyn-default-services.txt");
        var services = new HashSet<string>(StringComparer.Ordinal);
        if (File.Exists(_path))
            foreach (var line in File.ReadAllLines(_path))
                if (line.Length > 0) services.Add(line);
        _services = services;
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
        if (AllKnown(_services, services)) return null;
        lock (_admitting)
        {
            var current = _services;
            int added = 0;
            foreach (var s in services) if (!current.Contains(s)) added++;
            if (added == 0) return null;
            if (current.Count + added > Max)
                return $"The default organization is limited to {Max} services (already: {string.Join(", ", current.Order())}); send x-organization-id to use your own organization";
            var next = new HashSet<string>(current, StringComparer.Ordinal);
            foreach (var s in services) next.Add(s);
            // On disk before the request is answered: an admitted service must survive a crash.
            var tmp = _path + ".tmp";
            File.WriteAllText(tmp, string.Join('\n', next) + "\n", new UTF8Encoding(false));
            File.Move(tmp, _path, overwrite: true);
            _services = next;
            return null;
        }
    }

    private static bool AllKnown(HashSet<string> known, IReadOnlyCollection<string> services)
    {
        foreach (var s in services) if (!known.Contains(s)) return false;
        return true;
    }
}
