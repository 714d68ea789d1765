using System.Text;
using System.Text.Json;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Dialects;

namespace Ingestd.Tests.Dialects;

public class SchemaFieldTests
{
    private enum Rule { String, Number }

    private static readonly SchemaField<Rule>[] Fields =
    [
        new("name", Rule.String, true),
        new("value", Rule.Number, false),
    ];

    [Theory]
    [InlineData("""{"name":1}""", 0)]
    [InlineData("""{"\u0076alue":1}""", 1)]
    [InlineData("""{"other":1}""", -1)]
    public void IndexOf_finds_the_property_name_in_table_order_after_unescaping(string json, int expected)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        reader.Read();
        Assert.Equal(expected, SchemaField<Rule>.IndexOf(ref reader, Fields));
    }

    [Fact]
    public void SchemaFieldStates_holds_one_state_per_field_of_the_largest_schema()
    {
        var states = new SchemaFieldStates();
        Span<SchemaFieldState> span = states;
        Assert.Equal(SchemaFieldStates.MaxFields, span.Length);
    }
}
