using Ingestd.Config;
using Ingestd.Outputs;
using Ingestd.Parsing.Records;

namespace Ingestd.Tests.Outputs;

/// <summary>An output's <c>match</c> over the stored record's header fields.</summary>
public class RecordMatcherTests
{
    private static bool Matches(OutputMatchConfig match, string stream = "", string routes = "")
    {
        var buffer = new byte[512];
        int n = RecordLayout.Write(buffer, 1, 2, Dialect.Streams, RecordKind.Log, "acme"u8, "info"u8, "payments"u8, ""u8, "{}"u8,
            System.Text.Encoding.UTF8.GetBytes(stream), System.Text.Encoding.UTF8.GetBytes(routes));
        Assert.True(RecordView.TryRead(buffer.AsSpan(0, n), out var view, out _));
        return new RecordMatcher(match).Matches(view);
    }

    [Fact]
    public void A_stream_list_takes_only_records_of_those_streams()
    {
        var match = new OutputMatchConfig { Streams = ["s-1"] };
        Assert.True(Matches(match, stream: "s-1"));
        Assert.False(Matches(match, stream: "s-2"));
        Assert.False(Matches(match));
    }

    [Fact]
    public void A_route_list_takes_records_tagged_with_any_of_its_routes()
    {
        var match = new OutputMatchConfig { Routes = ["alerts"] };
        Assert.True(Matches(match, routes: "store,alerts"));
        Assert.False(Matches(match, routes: "archive"));
    }

    [Fact]
    public void A_record_without_route_tags_has_the_default_route_store()
    {
        Assert.True(Matches(new OutputMatchConfig { Routes = ["store"] }));
        Assert.False(Matches(new OutputMatchConfig { Routes = ["alerts"] }));
    }
}
