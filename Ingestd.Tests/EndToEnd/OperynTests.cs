using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>Operyn /events/* as seed 003 documents them, in open mode (no keys configured) and with keys.</summary>
public class OperynOpenTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private RawHttp.Reply Post(string path, string body, params (string, string)[] headers)
        => RawHttp.Once(fixture.Daemon.Port, "POST", path, body, [("Content-Type", "application/json"), .. headers]);

    private static JsonElement Json(RawHttp.Reply r) => JsonDocument.Parse(r.Body).RootElement;

    [Fact]
    public void Log_is_queued_with_a_uuid_v4_id_and_stored_under_the_organization()
    {
        var r = Post("/events/logs", """
            {"service": "  api-gateway ", "level": "error", "message": "Upstream timeout connecting to auth-service", "traceId": "abc-123-def",
             "metadata": {"region": "us-east-1", "env": "prod", "team": "platform"}}
            """, ("x-organization-id", "org_123456789"));
        Assert.Equal(202, r.Status);
        var json = Json(r);
        Assert.True(json.GetProperty("queued").GetBoolean());
        var id = Guid.Parse(json.GetProperty("id").GetString()!);
        Assert.Equal(4, id.Version);
        var stored = IngestdCli.ReadRecords(fixture.Daemon.DataDir, "--tenant", "org_123456789", "--kind", "log");
        Assert.Single(stored);
        Assert.Equal("api-gateway", stored[0].GetProperty("service").GetString());
        Assert.Equal("error", stored[0].GetProperty("level").GetString());
        Assert.Equal("operyn", stored[0].GetProperty("dialect").GetString());
    }

    [Fact]
    public void Batch_returns_the_accepted_count()
    {
        var r = Post("/events/logs/batch", """
            [{"service": "billing-service", "level": "error", "message": "Payment failed for customer 42"},
             {"service": "billing-service", "level": "warn", "message": "Retry attempt 3 for payment gateway"}]
            """, ("x-organization-id", "org-batch"));
        Assert.Equal(202, r.Status);
        Assert.Equal("""{"accepted":2}""", r.Body);
        Assert.Equal(2, IngestdCli.ReadRecords(fixture.Daemon.DataDir, "--tenant", "org-batch").Count);
    }

    [Fact]
    public void Metric_and_deployment_are_stored_with_their_kinds()
    {
        Assert.Equal(202, Post("/events/metrics", """
            {"service": "api-gateway", "name": "request_latency_p99", "value": 2.34, "unit": "seconds", "labels": {"region": "us-east-1"}}
            """, ("x-organization-id", "org-kinds")).Status);
        Assert.Equal(202, Post("/events/deployments", """
            {"service": "payment-service", "version": "v2.0.1", "environment": "production", "gitHash": "a1b2c3d4", "metadata": {"deployedBy": "jenkins"}}
            """, ("x-organization-id", "org-kinds")).Status);
        var kinds = IngestdCli.ReadRecords(fixture.Daemon.DataDir, "--tenant", "org-kinds").Select(x => x.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["metric", "deployment"], kinds);
    }

    [Fact]
    public void Invalid_log_gets_400_in_the_seed_shape_naming_the_path()
    {
        var r = Post("/events/logs", """{"service":"a","level":"verbose","message":"m"}""", ("x-organization-id", "org-bad"));
        Assert.Equal(400, r.Status);
        var json = Json(r);
        Assert.Equal(400, json.GetProperty("statusCode").GetInt32());
        Assert.StartsWith("Invalid log event: level: ", json.GetProperty("message").GetString());
    }

    [Fact]
    public void Metric_value_must_be_a_number()
    {
        var r = Post("/events/metrics", """{"service":"a","name":"n","value":"1","unit":"s"}""", ("x-organization-id", "org-bad"));
        Assert.Equal(400, r.Status);
        Assert.StartsWith("Invalid metric event: value: ", Json(r).GetProperty("message").GetString());
    }

    [Fact]
    public void Default_organization_takes_at_most_five_services()
    {
        for (int i = 1; i <= 5; i++)
            Assert.Equal(202, Post("/events/logs", $$"""{"service":"svc-{{i}}","level":"info","message":"m"}""").Status);
        Assert.Equal(202, Post("/events/logs", """{"service":"svc-3","level":"info","message":"again"}""").Status);
        var sixth = Post("/events/logs", """{"service":"svc-6","level":"info","message":"m"}""");
        Assert.Equal(403, sixth.Status);
        Assert.Equal(403, Json(sixth).GetProperty("statusCode").GetInt32());
        Assert.Contains("limited to 5 services", Json(sixth).GetProperty("message").GetString());
        // With an organization the same service is fine.
        Assert.Equal(202, Post("/events/logs", """{"service":"svc-6","level":"info","message":"m"}""", ("x-organization-id", "org-six")).Status);
    }

    [Fact]
    public void Openapi_json_is_an_openapi_3_1_document_listing_every_route_and_method()
    {
        var r = RawHttp.Once(fixture.Daemon.Port, "GET", "/openapi.json", (string?)null);
        Assert.Equal(200, r.Status);
        var doc = JsonDocument.Parse(r.Body).RootElement;
        Assert.Equal("3.1.0", doc.GetProperty("openapi").GetString());
        var documented = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}"))
            .Order().ToList();
        Assert.Equal(RouteTable.All().Order().ToList(), documented);
    }
}

public class OperynSecuredTests(SecuredDaemonFixture fixture) : IClassFixture<SecuredDaemonFixture>
{
    private RawHttp.Reply Post(string body, params (string, string)[] headers)
        => RawHttp.Once(fixture.Daemon.Port, "POST", "/events/logs", body, [("Content-Type", "application/json"), .. headers]);

    private const string Log = """{"service":"a","level":"info","message":"m"}""";

    [Fact]
    public void Missing_key_gets_the_seed_401()
    {
        var r = Post(Log);
        Assert.Equal(401, r.Status);
        Assert.Equal("""{"statusCode":401,"message":"Invalid or missing API key"}""", r.Body);
    }

    [Fact]
    public void Wrong_key_gets_the_seed_401() => Assert.Equal(401, Post(Log, ("x-api-key", "nope")).Status);

    [Fact]
    public void Key_is_accepted_and_its_tenant_used()
    {
        Assert.Equal(202, Post("""{"service":"operyn-secured","level":"info","message":"m"}""", ("x-api-key", "tok-123")).Status);
        Assert.Contains(IngestdCli.ReadRecords(fixture.DataDir, "--tenant", "org-xyz", "--dialect", "operyn"),
            x => x.GetProperty("service").GetString() == "operyn-secured");
    }

    [Fact]
    public void Organization_other_than_the_keys_gets_403()
        => Assert.Equal(403, Post(Log, ("x-api-key", "tok-123"), ("x-organization-id", "org-abc")).Status);
}
