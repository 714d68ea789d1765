
namespace Ingestd.Parsing.Time;

/// <summary>
/// The one wall clock of the process in Unix nanoseconds: request arrival times and segment times are read from
/// here, so they are comparable. Here rather than in the daemon so that both the HTTP loop and storage can use it.
/// </summary>
internal static class UnixClock
{
    public static long NowNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
}
