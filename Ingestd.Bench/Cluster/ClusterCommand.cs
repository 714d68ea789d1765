using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ingestd.Bench.Cluster;

/// <summary>
/// The <c>cluster</c> verb: the .NET steps of <c>scripts/cluster-test.sh</c>, which itself starts and kills the
/// programs (nats-server ×3, ingestd ×2, haproxy). Debian has no <c>nats</c> CLI, so the JetStream API calls
/// (create the stream, read it back) are made here with NATS.Net, as is the load with its acknowledged set.
/// </summary>
internal static class ClusterCommand
{
    public const string Usage = """
        Ingestd.Bench cluster ports N
            N distinct free TCP ports on 127.0.0.1, on one line
        Ingestd.Bench cluster stream --servers URLS [--stream LOGS] [--subjects 'logs.>'] [--replicas 3] [--duplicate-window 10m]
            creates the stream (file storage) once the cluster can, and waits until every replica is current
        Ingestd.Bench cluster leader --servers URLS --to SERVER_NAME [--stream LOGS]
            steps the stream's leader down until SERVER_NAME leads it (best effort; exit 1 if it did not get there)
        Ingestd.Bench cluster load --url URL --seconds S --acked FILE [--connections 4] [--rate 50] [--events 10]
            POSTs /v1/drain batches (every event's message a unique marker) for S seconds, retrying a batch that
            got no 2xx as a shipper does; FILE gets the key of every batch that got a 2xx
        Ingestd.Bench cluster check --servers URLS --acked FILE [--stream LOGS] [--events 10]
            reads the whole stream, dedupes by Nats-Msg-Id and by marker, compares with FILE and prints
            cluster: acknowledged A, in stream S, duplicates after dedupe D, lost L   (exit 1 unless D = L = 0 < A)
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] == "ports")
            return args.Length == 2 && int.TryParse(args[1], CultureInfo.InvariantCulture, out int count) ? PrintFreePorts(count) : Fail("ports N");
        var options = new Dictionary<string, string>();
        for (int i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                return Fail($"unexpected argument '{args[i]}'");
            options[args[i][2..]] = args[++i];
        }
        try
        {
            return args[0] switch
            {
                "stream" => JetStreamSteps.CreateStream(Required(options, "servers"), Get(options, "stream", "LOGS"),
                    Get(options, "subjects", "logs.>"), int.Parse(Get(options, "replicas", "3"), CultureInfo.InvariantCulture),
                    Duration(Get(options, "duplicate-window", "10m"))),
                "leader" => JetStreamSteps.MoveLeader(Required(options, "servers"), Get(options, "stream", "LOGS"), Required(options, "to")),
                "load" => ShipperLoad.Run(new Uri(Required(options, "url")),
                    TimeSpan.FromSeconds(double.Parse(Required(options, "seconds"), CultureInfo.InvariantCulture)),
                    Required(options, "acked"),
                    int.Parse(Get(options, "connections", "4"), CultureInfo.InvariantCulture),
                    double.Parse(Get(options, "rate", "50"), CultureInfo.InvariantCulture),
                    int.Parse(Get(options, "events", "10"), CultureInfo.InvariantCulture)),
                "check" => JetStreamSteps.Check(Required(options, "servers"), Get(options, "stream", "LOGS"),
                    Required(options, "acked"), int.Parse(Get(options, "events", "10"), CultureInfo.InvariantCulture)),
                _ => Fail($"unknown step '{args[0]}'"),
            };
        }
        catch (Exception e) when (e is FormatException or ArgumentException or KeyNotFoundException)
        {
            return Fail(e.Message);
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"cluster: {message}\n{Usage}");
        return 2;
    }

    private static string Required(Dictionary<string, string> options, string name)
        => options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

    private static string Get(Dictionary<string, string> options, string name, string fallback)
        => options.TryGetValue(name, out var value) ? value : fallback;

    /// <summary>"90s", "10m", "1h".</summary>
    private static TimeSpan Duration(string text)
    {
        double n = double.Parse(text[..^1], CultureInfo.InvariantCulture);
        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            _ => throw new FormatException($"duration '{text}': expected a number and s, m or h"),
        };
    }

    /// <summary>All listeners are held open together, so the ports are distinct.</summary>
    private static int PrintFreePorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }
            Console.WriteLine(string.Join(' ', listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)));
            return 0;
        }
        finally
        {
            foreach (var listener in listeners) listener.Stop();
        }
    }
}
