
namespace Ingestd.Diagnostics;

/// <summary>
/// One line per event on stderr, prefixed with its syslog priority (<c>&lt;3&gt;</c> error,
/// <c>&lt;4&gt;</c> warning, <c>&lt;6&gt;</c> info) so journald files each line at the right level.
/// Cold path only: nothing per request or per event logs here.
/// </summary>
internal static class Log
{
    private static readonly object Gate = new();
    private static TextWriter _out = Console.Error;

    /// <summary>Tests redirect output; the daemon writes to stderr.</summary>
    public static void SetOutput(TextWriter writer) => _out = writer;

    public static void Info(string message) => Write(6, message);
    public static void Warn(string message) => Write(4, message);
    public static void Error(string message) => Write(3, message);

    private static void Write(int priority, string message)
    {
        lock (Gate)
        {
            _out.Write('<');
            _out.Write((char)('0' + priority));
            _out.Write('>');
            _out.WriteLine(message);
            _out.Flush();
        }
    }
}
