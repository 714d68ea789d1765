using Ingestd.Parsing.Records;
using Ingestd.Selection;

namespace Ingestd.Tests.Selection;

/// <summary>The one record filter: an output's <c>match</c>, a query's and a tail's parameters.</summary>
public class RecordFilterTests
{
    private static bool Matches(RecordCriteria match, string stream = "", string routes = "", string json = "{}")
    {
        var buffer = new byte[512];
        int n = RecordLayout.Write(buffer, 1, 2, Dialect.Streams, RecordKind.Log, "acme"u8, "info"u8, "payments"u8, ""u8, System.Text.Encoding.UTF8.GetBytes(json),
            System.Text.Encoding.UTF8.GetBytes(stream), System.Text.Encoding.UTF8.GetBytes(routes));
        Assert.True(RecordView.TryRead(buffer.AsSpan(0, n), out var view, out _));
        return new RecordFilter(match).Matches(view);
    }

    [Fact]
    public void A_stream_list_takes_only_records_of_those_streams()
    {
        var match = new RecordCriteria { Streams = ["s-1"] };
        Assert.True(Matches(match, stream: "s-1"));
        Assert.False(Matches(match, stream: "s-2"));
        Assert.False(Matches(match));
    }

    [Fact]
    public void A_route_list_takes_records_tagged_with_any_of_its_routes()
    {
        var match = new RecordCriteria { Routes = ["alerts"] };
        Assert.True(Matches(match, routes: "store,alerts"));
        Assert.False(Matches(match, routes: "archive"));
    }

    [Fact]
    public void A_record_without_route_tags_has_the_default_route_store()
    {
        Assert.True(Matches(new RecordCriteria { Routes = ["store"] }));
        Assert.False(Matches(new RecordCriteria { Routes = ["alerts"] }));
    }

    private static RecordCriteria Where(string condition) =>
        new() { Where = RecordCondition.Parse(condition) };

    [Fact]
    public void A_where_condition_takes_records_whose_event_fields_satisfy_it()
    {
        var match = Where("event.amount > 100 and event.currency == 'EUR'");
        Assert.True(Matches(match, json: """{"event":{"amount":250,"currency":"EUR"}}"""));
        Assert.False(Matches(match, json: """{"event":{"amount":50,"currency":"EUR"}}"""));
        Assert.False(Matches(match, json: """{"event":{"amount":250}}"""));
    }

    [Fact]
    public void A_where_condition_can_name_header_fields()
    {
        Assert.True(Matches(Where("starts_with(service, 'pay') and tenant == 'acme'")));
        Assert.False(Matches(Where("level in ['error', 'fatal']")));
    }

    [Fact]
    public void A_where_condition_is_tested_only_after_the_header_lists_agree()
    {
        var match = Where("exists(event.id)") with { Tenants = ["other"] };
        Assert.False(Matches(match, json: """{"event":{"id":1}}"""));
    }

    [Fact]
    public void One_matcher_judges_each_record_by_its_own_fields()
    {
        var buffer = new byte[512];
        var matcher = new RecordFilter(Where("event.id == 2"));
        foreach (var (json, expected) in new[] { ("""{"event":{"id":1}}""", false), ("""{"event":{"id":2}}""", true), ("""{"event":{"id":3}}""", false) })
        {
            int n = RecordLayout.Write(buffer, 1, 2, Dialect.Streams, RecordKind.Log, "acme"u8, "info"u8, "payments"u8, ""u8,
                System.Text.Encoding.UTF8.GetBytes(json), ""u8, ""u8);
            Assert.True(RecordView.TryRead(buffer.AsSpan(0, n), out var view, out _));
            Assert.Equal(expected, matcher.Matches(view));
        }
    }

    private static bool Judge(RecordCriteria criteria, string json = "{}", long eventNs = 2)
    {
        var buffer = new byte[512];
        int n = RecordLayout.Write(buffer, 1, eventNs, Dialect.Streams, RecordKind.Log, "acme"u8, "info"u8, "payments"u8, ""u8,
            System.Text.Encoding.UTF8.GetBytes(json), ""u8, ""u8);
        Assert.True(RecordView.TryRead(buffer.AsSpan(0, n), out var view, out _));
        return new RecordFilter(criteria).Matches(view);
    }

    [Fact]
    public void Q_takes_records_whose_event_json_contains_the_text()
    {
        Assert.True(Judge(new RecordCriteria { Contains = "disk full" }, json: """{"message":"the disk full again"}"""));
        Assert.False(Judge(new RecordCriteria { Contains = "disk full" }, json: """{"message":"disk is fine"}"""));
    }

    [Fact]
    public void The_time_range_includes_since_and_excludes_until()
    {
        var range = new RecordCriteria { SinceNs = 10, UntilNs = 20 };
        Assert.True(Judge(range, eventNs: 10));
        Assert.True(Judge(range, eventNs: 19));
        Assert.False(Judge(range, eventNs: 20));
        Assert.False(Judge(range, eventNs: 9));
    }
}
