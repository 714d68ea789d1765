
namespace Ingestd.Config;

/// <summary>
/// The configuration in force, swapped whole on SIGHUP. Readers take <see cref="Current"/> once
/// per request, so a request sees one consistent version and never a half-applied reload.
/// </summary>
internal sealed class LiveConfig(IngestdConfig initial)
{
    private IngestdConfig _current = initial;

    public IngestdConfig Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }
}
