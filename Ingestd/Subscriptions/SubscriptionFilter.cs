using System.Text;
using System.Text.Json;
using Ingestd.Parsing.Conditions;
using Ingestd.Parsing.Records;

namespace Ingestd.Subscriptions;

/// <summary>
/// What an Air subscriber wants: Air entries of one tenant and one kind (messages or events), optionally one
/// <c>name</c> and any number of <c>attributes</c> key = value pairs (all must match).
/// </summary>
internal sealed class SubscriptionFilter : ISubscription
{
    public SubscriptionFilter(byte[] tenant, RecordKind kind, string? name, IReadOnlyList<KeyValuePair<string, string>> attributes)
    {
        Tenant = tenant;
        Kind = kind;
        Name = name is null ? null : Encoding.UTF8.GetBytes(name);
        Attributes = attributes;
    }

    public byte[] Tenant { get; }
    public RecordKind Kind { get; }
    public byte[]? Name { get; }
    public IReadOnlyList<KeyValuePair<string, string>> Attributes { get; }

    public FrameShape Shape => FrameShape.AirEntry;

    public bool Wants(in RecordView record, FieldLocator locator)
    {
        if (record.Dialect != Dialect.Air || record.Kind != Kind || !record.Tenant.SequenceEqual(Tenant)) return false;
        // Event names are in the envelope's service field; messages have none.
        if (Name is not null && !record.Service.SequenceEqual(Name)) return false;
        foreach (var (key, value) in Attributes)
            if (!HasAttribute(record.Json, key, value)) return false;
        return true;
    }

    // Looks for "attributes": { key: value } at the top level of the entry; strings compare
    // by their text, other scalars by their JSON text (so attr.count=3 matches 3).
    private static bool HasAttribute(ReadOnlySpan<byte> json, string key, string value)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isAttributes = reader.ValueTextEquals("attributes"u8);
            reader.Read();
            if (!isAttributes || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isKey = reader.ValueTextEquals(key);
                reader.Read();
                if (isKey)
                {
                    return reader.TokenType switch
                    {
                        JsonTokenType.String => reader.ValueTextEquals(value),
                        JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False =>
                            Encoding.UTF8.GetString(reader.ValueSpan) == value,
                        _ => false,
                    };
                }
                reader.Skip();
            }
            return false;
        }
        return false;
    }
}
