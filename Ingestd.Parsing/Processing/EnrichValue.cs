using System.Text.Json;
using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>Where an enrich assignment's value comes from; writes it as JSON for one event, or nothing when it has none.</summary>
internal abstract class EnrichValue
{
    /// <summary>Writes the value with <paramref name="w"/>; false when the event has none (the assignment is skipped).</summary>
    public abstract bool Write(EventWork work, ref EventFields fields, Utf8JsonWriter w);

    /// <summary>
    /// True for a value that is JSON text already (a fixed value, a table cell): <see cref="TryGetJson"/> gives it,
    /// to be copied as it is instead of through a writer (what <see cref="Write"/> would write: the same bytes).
    /// </summary>
    public virtual bool IsJsonText => false;

    /// <summary>The value's JSON text, for <see cref="IsJsonText"/> values; false when the event has none.</summary>
    public virtual bool TryGetJson(ref EventFields fields, out ReadOnlySpan<byte> json)
    {
        json = default;
        return false;
    }

    public virtual void CollectPaths(List<FieldPath> into) { }
}

/// <summary>A value fixed in the config (a static tag, the host name), as JSON text.</summary>
internal sealed class StaticValue(byte[] json) : EnrichValue
{
    public override bool Write(EventWork work, ref EventFields fields, Utf8JsonWriter w)
    {
        w.WriteRawValue(json, skipInputValidation: true);
        return true;
    }

    public override bool IsJsonText => true;

    public override bool TryGetJson(ref EventFields fields, out ReadOnlySpan<byte> value)
    {
        value = json;
        return true;
    }
}

/// <summary>The record's receive time, RFC 3339 UTC with nanoseconds.</summary>
internal sealed class ReceivedAtValue : EnrichValue
{
    public override bool Write(EventWork work, ref EventFields fields, Utf8JsonWriter w)
    {
        Span<byte> text = stackalloc byte[40];
        long ns = work.ReceivedNs;
        var time = DateTime.UnixEpoch.AddTicks(ns / 100);
        if (!time.TryFormat(text, out int n, "yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)) return false;
        text[n++] = (byte)'.';
        long fraction = ns % 1_000_000_000;
        if (fraction < 0) fraction += 1_000_000_000;
        for (int i = 8; i >= 0; i--)
        {
            text[n + i] = (byte)('0' + fraction % 10);
            fraction /= 10;
        }
        n += 9;
        text[n++] = (byte)'Z';
        w.WriteStringValue(text[..n]);
        return true;
    }
}

/// <summary>Another field's value (a header field as a string; a JSON member as its JSON): <c>tenant</c>, <c>stream</c>, or the source of a rename.</summary>
internal sealed class FieldCopyValue(FieldPath source) : EnrichValue
{
    public override void CollectPaths(List<FieldPath> into) => into.Add(source);

    public override bool Write(EventWork work, ref EventFields fields, Utf8JsonWriter w)
    {
        var v = fields.Get(source);
        if (!v.Exists || (source.IsHeader && v.Bytes.IsEmpty)) return false;
        if (v.Kind == FieldKind.String) w.WriteStringValue(v.Bytes);
        else w.WriteRawValue(v.Bytes, skipInputValidation: true);
        return true;
    }
}

/// <summary>One column of the lookup table row whose key is the value of a field.</summary>
internal sealed class LookupValue(LookupTable table, FieldPath key, int column) : EnrichValue
{
    public override void CollectPaths(List<FieldPath> into) => into.Add(key);

    public override bool Write(EventWork work, ref EventFields fields, Utf8JsonWriter w)
    {
        if (!TryGetJson(ref fields, out var json)) return false;
        w.WriteRawValue(json, skipInputValidation: true);
        return true;
    }

    public override bool IsJsonText => true;

    public override bool TryGetJson(ref EventFields fields, out ReadOnlySpan<byte> json)
    {
        json = default;
        var v = fields.Get(key);
        if (v.Kind is not (FieldKind.String or FieldKind.Number) || !table.TryGet(v.Bytes, out var row)) return false;
        json = row[column];
        return true;
    }
}
