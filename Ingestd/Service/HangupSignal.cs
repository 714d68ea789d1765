using System.Globalization;
using System.Runtime.InteropServices;

namespace Ingestd.Service;

/// <summary>
/// SIGHUP is the daemon's reload signal. A process started under nohup(1), or by anything else that ignores SIGHUP,
/// inherits it as ignored, and .NET keeps an inherited "ignore" (it installs no handler then): the reload handler would
/// never run and <c>kill -HUP</c> would silently do nothing. So an inherited "ignore" is put back to the default just
/// before the handler is registered; a hangup then reloads, which still keeps the process alive, as nohup intends.
/// </summary>
internal static partial class HangupSignal
{
    private const int SIGHUP = 1;
    private const nint SIG_DFL = 0;

    /// <summary>
    /// Call right before registering the SIGHUP handler. True when SIGHUP had been inherited as ignored and is now the
    /// default again (the registration then installs the handler).
    /// </summary>
    public static bool StopIgnoringInherited()
    {
        if (!OperatingSystem.IsLinux() || !IsIgnored(SIGHUP)) return false;
        return Signal(SIGHUP, SIG_DFL) != -1;
    }

    // The kernel's own account (SigIgn, a hex mask with bit n-1 for signal n), which needs no struct layouts.
    private static bool IsIgnored(int signal)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
                    return ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong mask)
                        && (mask & (1UL << (signal - 1))) != 0;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return false;
    }

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);
}
