using System.Net;
using Ingestd.Config;
using Ingestd.Server;

namespace Ingestd.Tests.Support;

/// <summary>The daemon's own route table as "METHOD /path" lines, for checking the OpenAPI document against it.</summary>
public static class RouteTable
{
    public static List<string> All()
    {
        using var dir = new TempDir();
        var defaults = IngestdConfig.Defaults;
        var config = defaults with { Server = defaults.Server with { DataDir = dir.File("data"), Listen = [new IPEndPoint(IPAddress.Loopback, 0)] } };
        var server = new IngestServer(config);
        server.Start();
        try
        {
            var lines = new List<string>();
            foreach (var endpoint in server.Endpoints)
                foreach (var method in endpoint.Allow.Split(", "))
                    lines.Add($"{method} {endpoint.Name}");
            return lines;
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
