using System.Text.Json;
using Ingestd.Tests.Support;
using static Ingestd.Tests.Query.QueryHttp;

namespace Ingestd.Tests.Query;

/// <summary>
/// Who reads what: a tenant's key reads only its tenant on every read route, whatever it puts in <c>q</c>,
/// <c>where</c> or <c>tenant</c>; an admin key reads all; no key or an unknown one gets 401.
/// </summary>
public class QueryAccessTests(QueryFixture fixture) : IClassFixture<QueryFixture>
{
    private int Port => fixture.Daemon.Port;

    // tenant-b writes a record carrying a marker; tenant-a's key then tries to reach it.
    private string SecretOfB()
    {
        string marker = "secret-" + Guid.NewGuid().ToString("N")[..12];
        Drain(Port, QueryFixture.KeyB, "tenant-b", marker, ("2024-05-01T00:00:00Z", "error", marker));
        var air = RawHttp.Once(Port, "POST", "/v1/ingest/logs", $$"""{"entries":[{"timestamp":"2024-05-01T00:00:00Z","level":"error","message":"{{marker}}"}]}""",
            ("Content-Type", "application/json"), ("Authorization", "Bearer " + AirToken("tenant-b")));
        Assert.Equal(200, air.Status);
        Assert.Equal(2, QueryRecords(Port, "q=" + marker).Count); // the admin sees both
        return marker;
    }

    public static TheoryData<string> Probes => new()
    {
        "/v1/query?q={m}",
        "/v1/query?where=" + Uri.EscapeDataString("tenant == 'tenant-b' or contains(message, '{m}')"),
        "/v1/query?service={m}",
        "/v1/query?q={m}&order=desc",
        "/v1/query/logs?q={m}",
    };

    [Theory]
    [MemberData(nameof(Probes))]
    public void A_tenant_key_never_reads_another_tenants_records(string probe)
    {
        string marker = SecretOfB();
        foreach (var key in new[] { QueryFixture.KeyA, AirToken("tenant-a") })
        {
            var reply = Get(Port, probe.Replace("{m}", marker), key);
            Assert.Equal(200, reply.Status);
            Assert.DoesNotContain(marker, reply.Body);
        }
    }

    [Fact]
    public void A_tenant_key_sees_no_counts_of_another_tenant_in_stats()
    {
        string marker = SecretOfB();
        var reply = Get(Port, $"/v1/query/stats?q={marker}&group_by=tenant", QueryFixture.KeyA);
        Assert.Equal(200, reply.Status);
        Assert.Empty(JsonDocument.Parse(reply.Body).RootElement.GetProperty("buckets").EnumerateArray());
        var admin = JsonDocument.Parse(Get(Port, $"/v1/query/stats?q={marker}&group_by=tenant", QueryFixture.Admin).Body).RootElement;
        Assert.Equal("""{"tenant-b":2}""", admin.GetProperty("buckets")[0].GetProperty("counts").GetRawText());
    }

    [Fact]
    public void A_tenant_key_asking_for_another_tenant_gets_403()
    {
        var reply = Get(Port, "/v1/query?tenant=tenant-b", QueryFixture.KeyA);
        Assert.Equal(403, reply.Status);
        Assert.Equal("forbidden", JsonDocument.Parse(reply.Body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public void A_tenant_key_reads_its_own_records()
    {
        string marker = "own-" + Guid.NewGuid().ToString("N")[..12];
        Drain(Port, QueryFixture.KeyA, "tenant-a", marker, ("2024-05-01T00:00:00Z", "info", marker));
        Assert.Single(QueryRecords(Port, "q=" + marker, QueryFixture.KeyA));
        Assert.Single(QueryRecords(Port, "q=" + marker + "&tenant=tenant-a", QueryFixture.KeyA));
    }

    [Fact]
    public void A_tenant_key_on_the_tail_never_receives_another_tenants_records()
    {
        string marker = "tail-iso-" + Guid.NewGuid().ToString("N")[..12];
        using var tail = OpenStream(Port, "/v1/tail?q=" + marker, QueryFixture.KeyA);
        Drain(Port, QueryFixture.KeyB, "tenant-b", marker, ("2024-05-01T00:00:00Z", "info", marker + "-b"));
        Drain(Port, QueryFixture.KeyA, "tenant-a", marker, ("2024-05-01T00:00:00Z", "info", marker + "-a"));
        // tenant-a's own record arrives; tenant-b's, stored before it, never does.
        var frames = ReadFrames(tail, 2, TimeSpan.FromSeconds(3));
        Assert.Single(frames);
        Assert.Contains(marker + "-a", frames[0].Data);
    }

    [Fact]
    public void The_admin_key_reads_every_tenant()
    {
        string marker = "admin-" + Guid.NewGuid().ToString("N")[..12];
        Drain(Port, QueryFixture.KeyA, "tenant-a", marker, ("2024-05-01T00:00:00Z", "info", marker));
        Drain(Port, QueryFixture.KeyB, "tenant-b", marker, ("2024-05-01T00:00:00Z", "info", marker));
        var tenants = QueryRecords(Port, "service=" + marker, QueryFixture.Admin).Select(r => r.GetProperty("tenant").GetString());
        Assert.Equal(["tenant-a", "tenant-b"], tenants);
    }

    [Fact]
    public void The_key_may_come_as_x_api_key_or_access_token()
    {
        string marker = "hdr-" + Guid.NewGuid().ToString("N")[..12];
        Drain(Port, QueryFixture.KeyA, "tenant-a", marker, ("2024-05-01T00:00:00Z", "info", marker));
        Assert.Single(Records(Get(Port, "/v1/query?service=" + marker, null, ("X-API-Key", QueryFixture.KeyA))));
        Assert.Single(Records(Get(Port, $"/v1/query?service={marker}&access_token={QueryFixture.KeyA}", null)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-key")]
    public void No_key_or_an_unknown_one_gets_401(string? key)
    {
        foreach (var path in new[] { "/v1/query", "/v1/query/stats", "/v1/query/logs", "/v1/tail" })
        {
            var reply = Get(Port, path, key);
            Assert.Equal(401, reply.Status);
            Assert.Equal("unauthorized", JsonDocument.Parse(reply.Body).RootElement.GetProperty("error").GetString());
        }
    }
}

/// <summary>Open mode: no tenants, no JWT keys, no admin keys.</summary>
public class QueryOpenModeTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    [Fact]
    public void Open_mode_reads_every_tenant_and_says_so_at_start()
    {
        string marker = "open-" + Guid.NewGuid().ToString("N")[..12];
        Drain(fixture.Daemon.Port, "", "org-1", marker, ("2024-05-01T00:00:00Z", "info", marker));
        Drain(fixture.Daemon.Port, "", "org-2", marker, ("2024-05-01T00:00:00Z", "info", marker));
        Assert.Equal(2, QueryRecords(fixture.Daemon.Port, "service=" + marker, key: null).Count);
        Assert.Contains("the query API (/v1/query, /v1/tail) reads every tenant's records", fixture.Daemon.Output);
    }
}
