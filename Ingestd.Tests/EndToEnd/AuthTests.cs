using System.Text;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

public sealed class AuthFixture : IDisposable
{
    private readonly TempDir _dir = new("ingestd-auth");

    public AuthFixture()
    {
        Daemon = DaemonProcess.Start(_dir.File("data"), """
            [[tenants]]
            id = "org-xyz"
            keys = ["tok-123", "tok-456"]

            [[tenants]]
            id = "org-abc"
            keys = ["tok-abc"]
            """);
    }

    public DaemonProcess Daemon { get; }

    public void Dispose()
    {
        Daemon.Dispose();
        _dir.Dispose();
    }
}

public class AuthTests(AuthFixture fixture) : IClassFixture<AuthFixture>
{
    private RawHttp.Reply Post(string? auth, string tenant = "org-xyz")
    {
        using var http = new RawHttp(fixture.Daemon.Port);
        http.Send(DrainBodies.Request(Encoding.UTF8.GetBytes(DrainBodies.Body(tenant, "auth", 2)), auth: auth));
        return http.Receive()!;
    }

    [Fact]
    public void Raw_token_is_accepted() => Assert.Equal(202, Post("tok-123").Status);

    [Fact]
    public void Bearer_token_is_accepted() => Assert.Equal(202, Post("Bearer tok-456").Status);

    [Fact]
    public void Missing_token_gets_401_unauthorized()
    {
        var reply = Post(null);
        Assert.Equal(401, reply.Status);
        Assert.Equal("""{"error":"unauthorized"}""", reply.Body);
    }

    [Fact]
    public void Wrong_token_gets_401_unauthorized()
    {
        var reply = Post("tok-nope");
        Assert.Equal(401, reply.Status);
        Assert.Equal("""{"error":"unauthorized"}""", reply.Body);
    }

    [Fact]
    public void Events_for_another_tenant_are_refused()
    {
        var reply = Post("tok-abc", tenant: "org-xyz");
        Assert.Equal(403, reply.Status);
        Assert.Contains("project_id", reply.Body);
    }

    [Fact]
    public void Health_needs_no_token()
    {
        using var http = new RawHttp(fixture.Daemon.Port);
        http.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        var reply = http.Receive()!;
        Assert.Equal(200, reply.Status);
        Assert.Equal("""{"status":"ok"}""", reply.Body);
    }
}
