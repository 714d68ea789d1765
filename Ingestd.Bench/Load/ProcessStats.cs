using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;

namespace Ingestd.Bench.Load;

/// <summary>
/// The server's process as Linux shows it in /proc: which PID listens on a port, its CPU time
/// and its peak RSS. Everything here is best effort and returns null when /proc is unreadable
/// (another user's process, another OS, a remote server).
/// </summary>
internal static class ProcessStats
{
    private const int ScClkTck = 2; // _SC_CLK_TCK in glibc's <bits/confname.h>

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long SysConf(int name);

    private static readonly Lazy<long> s_clockTicksPerSecond = new(() =>
    {
        try
        {
            long ticks = SysConf(ScClkTck);
            return ticks > 0 ? ticks : 100;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 100; // USER_HZ is 100 on every mainstream Linux build
        }
    });

    /// <summary>User + system CPU seconds used so far (fields 14 and 15 of /proc/PID/stat, proc(5)).</summary>
    public static double? CpuSeconds(int pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        // Field 2 (comm) is in parentheses and may hold spaces or ')': the fields after the last ')' start at field 3.
        int close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        const int first = 3;
        if (fields.Length <= 15 - first) return null;
        if (!long.TryParse(fields[14 - first], CultureInfo.InvariantCulture, out long utime)) return null;
        if (!long.TryParse(fields[15 - first], CultureInfo.InvariantCulture, out long stime)) return null;
        return (double)(utime + stime) / s_clockTicksPerSecond.Value;
    }

    /// <summary>Peak resident set size, VmHWM in /proc/PID/status.</summary>
    public static long? PeakRssBytes(int pid)
    {
        string[] lines;
        try { lines = File.ReadAllLines($"/proc/{pid}/status"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        foreach (var line in lines)
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
            var parts = line["VmHWM:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 1 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out long kb)) return kb * 1024;
        }
        return null;
    }

    /// <summary>
    /// The local process listening on the URL's port, if the URL names this machine: the
    /// listening socket's inode from /proc/net/tcp and tcp6, then the process holding a file
    /// descriptor <c>socket:[inode]</c>.
    /// </summary>
    public static int? FindListener(Uri url)
    {
        if (!IsLocal(url.Host)) return null;
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in (string[])["/proc/net/tcp", "/proc/net/tcp6"]) CollectListeningInodes(table, url.Port, inodes);
        if (inodes.Count == 0) return null;
        string[] processes;
        try { processes = Directory.GetDirectories("/proc"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        int self = Environment.ProcessId;
        foreach (var dir in processes)
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out int pid) || pid == self) continue;
            string[] fds;
            try { fds = Directory.GetFiles(Path.Combine(dir, "fd")); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var fd in fds)
            {
                string? target;
                try { target = new FileInfo(fd).LinkTarget; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']')
                    && inodes.Contains(target["socket:[".Length..^1])) return pid;
            }
        }
        return null;
    }

    private static void CollectListeningInodes(string table, int port, HashSet<string> inodes)
    {
        string[] lines;
        try { lines = File.ReadAllLines(table); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode";
        // the address is HEXIP:HEXPORT and state 0A is LISTEN (include/net/tcp_states.h).
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 10 || f[3] != "0A") continue;
            int colon = f[1].LastIndexOf(':');
            if (colon < 0 || !int.TryParse(f[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int p) || p != port) continue;
            if (f[9] != "0") inodes.Add(f[9]);
        }
    }

    private static bool IsLocal(string host)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        if (!IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            try { address = Dns.GetHostAddresses(host).FirstOrDefault(); }
            catch (System.Net.Sockets.SocketException) { return false; }
            if (address is null) return false;
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return true;
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                    if (unicast.Address.Equals(address)) return true;
        }
        catch (NetworkInformationException) { }
        return false;
    }

    /// <summary>Whether this OS has the /proc files read here.</summary>
    public static bool Supported => RuntimeInformation.IsOSPlatform(OSPlatform.Linux);
}
