using System.Text.Json;

namespace Ingestd.Tests.Service;

/// <summary>The runtime settings the daemon ships with (ingestd.runtimeconfig.json, from Ingestd.csproj).</summary>
public class RuntimeConfigTests
{
    private static JsonElement ConfigProperties()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "ingestd.runtimeconfig.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Fact]
    public void Hot_methods_reach_tier_one_without_the_call_counting_delay()
    {
        // Pinned to one CPU, .NET multiplies the delay by 10 and restarts it on every tier-0 compile:
        // the daemon then ran unoptimised code for many seconds under load.
        Assert.Equal(0, ConfigProperties().GetProperty("System.Runtime.TieredCompilation.CallCountingDelayMs").GetInt32());
    }

    [Fact]
    public void Garbage_collection_is_workstation_and_not_concurrent()
    {
        var properties = ConfigProperties();
        Assert.False(properties.TryGetProperty("System.GC.Server", out var server) && server.GetBoolean());
        Assert.False(properties.GetProperty("System.GC.Concurrent").GetBoolean());
    }
}
