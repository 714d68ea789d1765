using System.Text.Json;
using Ingestd.Parsing.Dialects.Journal;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;

namespace Ingestd.Tests.Dialects;

public class JournalExportParserTests
{
    private const long Received = 1_717_000_000_000_000_000;

    private static byte[] U(string s) => System.Text.Encoding.UTF8.GetBytes(s);
    private static string S(ReadOnlySpan<byte> b) => System.Text.Encoding.UTF8.GetString(b);

    private sealed record Rec(long EventNs, Dialect Dialect, string Level, string Service, string TimestampText, string Json);

    /// <summary>A binary-form field: NAME\n, le64 length, the bytes, \n.</summary>
    internal static byte[] BinaryField(string name, byte[] value)
    {
        var ms = new MemoryStream();
        ms.Write(U(name + "\n"));
        ms.Write(BitConverter.GetBytes((ulong)value.Length));
        ms.Write(value);
        ms.WriteByte((byte)'\n');
        return ms.ToArray();
    }

    private static List<Rec> Parse(byte[] body)
    {
        using var batch = new RecordBatch();
        int n = JournalExportParser.Parse(body, Received, "t1"u8, batch);
        var list = new List<Rec>();
        var bytes = batch.Bytes;
        while (!bytes.IsEmpty)
        {
            Assert.True(RecordView.TryRead(bytes, out var v, out int length));
            list.Add(new Rec(v.EventNs, v.Dialect, S(v.Level), S(v.Service), S(v.TimestampText), S(v.Json)));
            bytes = bytes[length..];
        }
        Assert.Equal(n, list.Count);
        return list;
    }

    private static List<Rec> Parse(string body) => Parse(U(body));

    private static RequestRejectedException Refused(byte[] body)
    {
        using var batch = new RecordBatch();
        var e = Assert.Throws<RequestRejectedException>(() => JournalExportParser.Parse(body, Received, "t1"u8, batch));
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        return e;
    }

    [Fact]
    public void Entries_separated_by_an_empty_line_become_one_record_each_with_their_fields()
    {
        var records = Parse("__REALTIME_TIMESTAMP=1735689600000001\nMESSAGE=first\n\n__REALTIME_TIMESTAMP=1735689600000002\nMESSAGE=second=with equals\n\n");
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal(Dialect.Journal, r.Dialect));
        Assert.Equal("""{"__REALTIME_TIMESTAMP":"1735689600000001","MESSAGE":"first"}""", records[0].Json);
        Assert.Equal("second=with equals", JsonDocument.Parse(records[1].Json).RootElement.GetProperty("MESSAGE").GetString());
    }

    [Fact]
    public void Priority_unit_and_realtime_timestamp_give_level_service_and_time()
    {
        var r = Parse("__REALTIME_TIMESTAMP=1735689600123456\nPRIORITY=3\nSYSLOG_IDENTIFIER=sshd\n_SYSTEMD_UNIT=ssh.service\nMESSAGE=m\n\n").Single();
        Assert.Equal("error", r.Level);
        Assert.Equal("ssh.service", r.Service);
        Assert.Equal(1_735_689_600_123_456_000, r.EventNs);
        Assert.Equal("1735689600123456", r.TimestampText);
    }

    [Fact]
    public void Syslog_identifier_is_the_service_of_an_entry_without_a_unit()
        => Assert.Equal("cron", Parse("SYSLOG_IDENTIFIER=cron\nMESSAGE=m\n\n").Single().Service);

    [Fact]
    public void Entry_without_realtime_timestamp_takes_the_receive_time()
        => Assert.Equal(Received, Parse("MESSAGE=m\n\n").Single().EventNs);

    [Fact]
    public void Binary_field_is_read_by_its_length_and_printable_text_stays_a_string()
    {
        var body = U("MESSAGE=x\n").Concat(BinaryField("STACK", U("line one\nline two"))).Concat(U("PRIORITY=6\n\n")).ToArray();
        var r = Parse(body).Single();
        Assert.Equal("line one\nline two", JsonDocument.Parse(r.Json).RootElement.GetProperty("STACK").GetString());
        Assert.Equal("info", r.Level);
    }

    [Fact]
    public void Value_that_is_not_printable_utf8_is_an_array_of_byte_values()
    {
        var body = U("MESSAGE=x\n").Concat(BinaryField("BLOB", [0x00, 0xFF, 0x41, 0x0A])).Concat(U("\n")).ToArray();
        var r = Parse(body).Single();
        Assert.Equal("""{"MESSAGE":"x","BLOB":[0,255,65,10]}""", r.Json);
    }

    [Fact]
    public void Repeated_field_is_an_array_of_its_values_in_order()
    {
        var r = Parse("TAG=a\nMESSAGE=m\nTAG=b\nTAG=c\n\n").Single();
        Assert.Equal("""{"TAG":["a","b","c"],"MESSAGE":"m"}""", r.Json);
    }

    [Fact]
    public void Entry_with_1024_fields_is_kept_and_one_more_is_refused()
    {
        string Fields(int n) => string.Concat(Enumerable.Range(0, n).Select(i => $"F{i}=v{i % 7}\n"));
        var json = JsonDocument.Parse(Parse(Fields(1024) + "\n").Single().Json).RootElement;
        Assert.Equal(1024, json.EnumerateObject().Count());
        Assert.Equal("v1", json.GetProperty("F1023").GetString()); // 1023 % 7
        Assert.Contains("more than 1024 fields", Refused(U(Fields(1025) + "\n")).Detail);
    }

    [Fact]
    public void Last_entry_may_end_with_the_body()
        => Assert.Equal(2, Parse("MESSAGE=a\n\nMESSAGE=b\n").Count);

    [Fact]
    public void Truncated_binary_field_is_refused_naming_the_entry()
    {
        var field = BinaryField("BLOB", U("0123456789"));
        var body = U("MESSAGE=a\n\n").Concat(field[..^4]).ToArray();
        Assert.Contains("entry 2", Refused(body).Detail);
    }

    [Theory]
    [InlineData("message=lower case\n\n")]
    [InlineData("1ST=digit first\n\n")]
    [InlineData("=no name\n\n")]
    public void Invalid_field_name_is_refused(string body)
        => Assert.Contains("invalid field name", Refused(U(body)).Detail);

    [Fact]
    public void Field_without_line_break_at_the_end_is_refused()
        => Assert.Contains("no line break", Refused(U("MESSAGE=a")).Detail);

    [Fact]
    public void Body_without_entries_is_refused()
        => Assert.Contains("no entries", Refused(U("\n\n")).Detail);

    [Fact]
    public void Warm_parse_allocates_nothing()
    {
        var one = U("__REALTIME_TIMESTAMP=1735689600123456\n__MONOTONIC_TIMESTAMP=123\n_BOOT_ID=0123456789abcdef0123456789abcdef\nPRIORITY=4\n_SYSTEMD_UNIT=demo.service\nMESSAGE=hello \"quoted\"\nTAG=a\nTAG=b\n")
            .Concat(BinaryField("BLOB", [0, 1, 2, 200])).Concat(U("\n")).ToArray();
        var body = Enumerable.Repeat(one, 200).SelectMany(b => b).ToArray();
        using var batch = new RecordBatch();
        for (int i = 0; i < 3; i++)
        {
            JournalExportParser.Parse(body, Received, "t1"u8, batch);
            batch.Reset();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = JournalExportParser.Parse(body, Received, "t1"u8, batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(200, n);
        Assert.Equal(0, allocated);
    }
}
