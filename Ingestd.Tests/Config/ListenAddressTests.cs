using System.Net;
using Ingestd.Config;

namespace Ingestd.Tests.Config;

public class ListenAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080)]
    [InlineData("0.0.0.0:9000", "0.0.0.0", 9000)]
    [InlineData("10.1.2.3:65535", "10.1.2.3", 65535)]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    [InlineData("localhost:8080", "127.0.0.1", 8080)]
    [InlineData("LOCALHOST:1", "127.0.0.1", 1)]
    [InlineData("[::1]:8080", "::1", 8080)]
    [InlineData("[::]:0", "::", 0)]
    [InlineData("[fe80::1]:443", "fe80::1", 443)]
    public void Listen_address_parses(string text, string address, int port)
    {
        Assert.Null(ListenAddress.TryParse(text, out IPEndPoint endPoint));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), endPoint);
    }

    [Theory]
    [InlineData("127.0.0.1", "host:port")]
    [InlineData("127.0.0.1:", "port must be 0..65535")]
    [InlineData("127.0.0.1:65536", "port must be 0..65535")]
    [InlineData("127.0.0.1:-1", "port must be 0..65535")]
    [InlineData("127.0.0.1:80x", "port must be 0..65535")]
    [InlineData("::1:8080", "must be bracketed")]
    [InlineData("[127.0.0.1]:8080", "invalid IPv6")]
    [InlineData("[zz::1]:8080", "invalid IPv6")]
    [InlineData("example.com:80", "IP address or localhost")]
    [InlineData("1:80", "IP address or localhost")]
    [InlineData("256.0.0.1:80", "IP address or localhost")]
    [InlineData(":8080", "IP address or localhost")]
    public void Listen_address_rejects(string text, string problem)
    {
        string? error = ListenAddress.TryParse(text, out _);
        Assert.NotNull(error);
        Assert.Contains(problem, error);
    }
}
