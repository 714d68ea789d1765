using System.Text.Json;

namespace Ingestd.Parsing.Records;

/// <summary>
/// The one way a stored record is shown as JSON, for <c>ingestd read</c> and the outputs alike:
/// <c>seq, received_at, time, tenant, stream?, dialect, kind, level, service, timestamp, routes?, event</c>,
/// on one line. Keeps a scratch buffer, so one instance per reader.
/// </summary>
internal sealed class RecordJsonWriter
{
    private byte[] _oneLine = new byte[4096];

    /// <summary>
    /// Writes the record's members into the object <paramref name="w"/> has open. A negative <paramref name="sequence"/>
    /// leaves out <c>seq</c> (the live tail sees records before the writer numbers them).
    /// </summary>
    public void WriteMembers(Utf8JsonWriter w, long sequence, in RecordView view)
    {
        Span<byte> time = stackalloc byte[30];
        if (sequence >= 0) w.WriteNumber("seq"u8, sequence);
        FormatTime(view.ReceivedNs, time);
        w.WriteString("received_at"u8, time);
        FormatTime(view.EventNs, time);
        w.WriteString("time"u8, time);
        w.WriteString("tenant"u8, view.Tenant);
        if (!view.Stream.IsEmpty) w.WriteString("stream"u8, view.Stream);
        w.WriteString("dialect"u8, RecordNames.Of(view.Dialect));
        w.WriteString("kind"u8, RecordNames.Of(view.Kind));
        w.WriteString("level"u8, view.Level);
        w.WriteString("service"u8, view.Service);
        w.WriteString("timestamp"u8, view.TimestampText);
        if (!view.Routes.IsEmpty)
        {
            // Route tags are stored comma-separated; shown as a list (absent = the default route "store").
            var routes = view.Routes;
            w.WriteStartArray("routes"u8);
            foreach (var range in routes.Split((byte)',')) w.WriteStringValue(routes[range]);
            w.WriteEndArray();
        }
        w.WritePropertyName("event"u8);
        if (view.Json.IsEmpty) w.WriteNullValue();
        else if (view.Json.IndexOfAny((byte)'\n', (byte)'\r') < 0) w.WriteRawValue(view.Json, skipInputValidation: true);
        else w.WriteRawValue(OnOneLine(view.Json), skipInputValidation: true);
    }

    // NDJSON needs one line per record. JSON strings cannot hold raw line breaks, so any in
    // the event are whitespace between tokens: turning them into spaces changes nothing else.
    private ReadOnlySpan<byte> OnOneLine(ReadOnlySpan<byte> json)
    {
        if (_oneLine.Length < json.Length) _oneLine = new byte[Math.Max(json.Length, _oneLine.Length * 2)];
        var copy = _oneLine.AsSpan(0, json.Length);
        json.CopyTo(copy);
        copy.Replace((byte)'\n', (byte)' ');
        copy.Replace((byte)'\r', (byte)' ');
        return copy;
    }

    /// <summary>Formats Unix nanoseconds as RFC 3339 UTC with nine fraction digits; writes 30 bytes.</summary>
    public static int FormatTime(long unixNs, Span<byte> dest)
    {
        long seconds = Math.DivRem(unixNs, 1_000_000_000L, out long fraction);
        if (fraction < 0)
        {
            fraction += 1_000_000_000L;
            seconds--;
        }
        var t = new DateTime(DateTime.UnixEpoch.Ticks + seconds * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        Digits(dest[..4], t.Year);
        dest[4] = (byte)'-';
        Digits(dest.Slice(5, 2), t.Month);
        dest[7] = (byte)'-';
        Digits(dest.Slice(8, 2), t.Day);
        dest[10] = (byte)'T';
        Digits(dest.Slice(11, 2), t.Hour);
        dest[13] = (byte)':';
        Digits(dest.Slice(14, 2), t.Minute);
        dest[16] = (byte)':';
        Digits(dest.Slice(17, 2), t.Second);
        dest[19] = (byte)'.';
        Digits(dest.Slice(20, 9), fraction);
        dest[29] = (byte)'Z';
        return 30;
    }

    private static void Digits(Span<byte> dest, long value)
    {
        for (int i = dest.Length - 1; i >= 0; i--)
        {
            dest[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }
}
