using System.Globalization;
using Ingestd.Parsing.Time;

namespace Ingestd.Tests.Time;

public class TimestampParserTests
{
    private static long Expected(string roundTrip)
    {
        // The reference value comes from DateTimeOffset, which works in 100 ns ticks; the extra
        // nanoseconds (if any) are given separately by the tests that need them.
        var dto = DateTimeOffset.Parse(roundTrip, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        return (dto.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
    }

    private static bool Parse(string text, out long ns) => TimestampParser.TryParse(System.Text.Encoding.UTF8.GetBytes(text), out ns);

    [Theory]
    // RFC 3339 / ISO 8601 extended
    [InlineData("2024-05-31T15:30:45Z", "2024-05-31T15:30:45+00:00")]
    [InlineData("2024-05-31t15:30:45z", "2024-05-31T15:30:45+00:00")]
    [InlineData("2024-05-31T15:30:45", "2024-05-31T15:30:45+00:00")]
    [InlineData("2024-05-31T15:30:45.1Z", "2024-05-31T15:30:45.1+00:00")]
    [InlineData("2024-05-31T15:30:45.123Z", "2024-05-31T15:30:45.123+00:00")]
    [InlineData("2024-05-31T15:30:45,5Z", "2024-05-31T15:30:45.5+00:00")]
    [InlineData("2024-05-31T15:30:45.1234567Z", "2024-05-31T15:30:45.1234567+00:00")]
    [InlineData("2024-05-31T15:30:45+02:00", "2024-05-31T15:30:45+02:00")]
    [InlineData("2024-05-31T15:30:45-0530", "2024-05-31T15:30:45-05:30")]
    [InlineData("2024-05-31T15:30:45+02", "2024-05-31T15:30:45+02:00")]
    [InlineData("2024-05-31T15:30Z", "2024-05-31T15:30:00+00:00")]
    [InlineData("2024-05-31T15:30+01:00", "2024-05-31T15:30:00+01:00")]
    [InlineData("2024-05-31", "2024-05-31T00:00:00+00:00")]
    // ISO 8601 basic
    [InlineData("20240531T153045Z", "2024-05-31T15:30:45+00:00")]
    [InlineData("20240531T153045.123+0200", "2024-05-31T15:30:45.123+02:00")]
    [InlineData("20240531T1530Z", "2024-05-31T15:30:00+00:00")]
    [InlineData("20240531T153045", "2024-05-31T15:30:45+00:00")]
    // SQL
    [InlineData("2024-05-31 15:30:45", "2024-05-31T15:30:45+00:00")]
    [InlineData("2024-05-31 15:30:45.123456", "2024-05-31T15:30:45.123456+00:00")]
    [InlineData("2024-05-31 15:30:45.123+02:00", "2024-05-31T15:30:45.123+02:00")]
    [InlineData("2024-05-31 15:30:45Z", "2024-05-31T15:30:45+00:00")]
    // Calendar edges
    [InlineData("2024-02-29T12:00:00Z", "2024-02-29T12:00:00+00:00")]
    [InlineData("2000-02-29", "2000-02-29T00:00:00+00:00")]
    [InlineData("1970-01-01T00:00:00Z", "1970-01-01T00:00:00+00:00")]
    [InlineData("1969-12-31T23:59:59.9Z", "1969-12-31T23:59:59.9+00:00")]
    [InlineData("1900-01-01T00:00:00Z", "1900-01-01T00:00:00+00:00")]
    [InlineData("2262-04-11T23:47:16Z", "2262-04-11T23:47:16+00:00")]
    [InlineData("1677-09-21T00:12:44Z", "1677-09-21T00:12:44+00:00")]
    [InlineData("2024-12-31T23:59:59.999999999Z", "2024-12-31T23:59:59.9999999+00:00")]
    public void TryParse_accepts(string text, string reference)
    {
        Assert.True(Parse(text, out long ns));
        Assert.Equal(Expected(reference), ns / 100 * 100 + (ns < 0 && ns % 100 != 0 ? -100 : 0));
    }

    [Fact]
    public void TryParse_keeps_nanoseconds()
    {
        Assert.True(Parse("2024-05-31T15:30:45.123456789Z", out long ns));
        Assert.Equal(Expected("2024-05-31T15:30:45+00:00") + 123_456_789, ns);
    }

    [Fact]
    public void TryParse_truncates_fractions_beyond_nanoseconds()
    {
        Assert.True(Parse("2024-05-31T15:30:45.1234567891234Z", out long ns));
        Assert.Equal(Expected("2024-05-31T15:30:45+00:00") + 123_456_789, ns);
    }

    [Fact]
    public void TryParse_clamps_a_leap_second_to_the_end_of_the_previous_second()
    {
        Assert.True(Parse("2016-12-31T23:59:60Z", out long ns));
        Assert.Equal(Expected("2016-12-31T23:59:59+00:00") + 999_999_999, ns);
    }

    [Fact]
    public void TryParse_offset_moves_the_instant()
    {
        Assert.True(Parse("2024-05-31T17:30:45+02:00", out long a));
        Assert.True(Parse("2024-05-31T15:30:45Z", out long b));
        Assert.Equal(b, a);
    }

    [Fact]
    public void TryParse_accepts_offsets_up_to_23_59()
    {
        // Wider than DateTimeOffset's ±14:00, so compared against the UTC form instead.
        Assert.True(Parse("2024-05-31T15:30:45.250-23:59", out long ns));
        Assert.True(Parse("2024-06-01T15:29:45.250Z", out long utc));
        Assert.Equal(utc, ns);
    }

    [Fact]
    public void TryParse_refuses_the_first_instant_past_long_range()
    {
        Assert.True(Parse("2262-04-11T23:47:16.854775807Z", out long ns));
        Assert.Equal(long.MaxValue, ns);
        Assert.False(Parse("2262-04-11T23:47:16.854775808Z", out _));
    }

    [Fact]
    public void TryParse_all_forms_of_one_instant_agree()
    {
        string[] forms =
        [
            "2024-05-31T15:30:45.5Z", "2024-05-31t15:30:45.5z", "2024-05-31 15:30:45.5",
            "20240531T153045.5Z", "20240531T173045.5+0200", "2024-05-31T10:00:45.5-05:30", "2024-05-31T17:30:45.5+02",
        ];
        Assert.True(Parse(forms[0], out long expected));
        foreach (var f in forms)
        {
            Assert.True(Parse(f, out long ns), f);
            Assert.Equal(expected, ns);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("2024")]
    [InlineData("2024-05")]
    [InlineData("2024-5-31")]
    [InlineData("2024-13-01T00:00:00Z")]
    [InlineData("2024-00-10")]
    [InlineData("2024-02-30")]
    [InlineData("2023-02-29")]
    [InlineData("1900-02-29")]
    [InlineData("2024-04-31")]
    [InlineData("2024-05-00")]
    [InlineData("0000-01-01")]
    [InlineData("2024-05-31T24:00:00Z")]
    [InlineData("24:00")]
    [InlineData("2024-05-31T23:60:00Z")]
    [InlineData("2024-05-31T23:59:61Z")]
    [InlineData("2024-05-31T15:30:45+")]
    [InlineData("2024-05-31T15:30:45+2")]
    [InlineData("2024-05-31T15:30:45+24:00")]
    [InlineData("2024-05-31T15:30:45+02:60")]
    [InlineData("2024-05-31T15:30:45+02:0")]
    [InlineData("2024-05-31T15:30:45.Z")]
    [InlineData("2024-05-31T15:30:45.")]
    [InlineData("2024-05-31T15:30:45ZZ")]
    [InlineData("2024-05-31T15:30:45Z ")]
    [InlineData(" 2024-05-31T15:30:45Z")]
    [InlineData("2024-05-31T15:30:45Zjunk")]
    [InlineData("2024-05-31T15")]
    [InlineData("2024-05-31T")]
    [InlineData("2024-05-31T15:3")]
    [InlineData("2024-05-31T15:30:4")]
    [InlineData("2024-05-31X15:30:45")]
    [InlineData("2024-05-31  15:30:45")]
    [InlineData("2024-05-31Z")]
    [InlineData("2024-05-31T1530")]
    [InlineData("20240531T15:30:45Z")]
    [InlineData("20240531 153045")]
    [InlineData("20240531")]
    [InlineData("abcd-ef-ghTij:kl:mnZ")]
    [InlineData("yesterday")]
    [InlineData("1717169445")]
    [InlineData("2024/05/31 15:30:45")]
    [InlineData("0001-01-01T00:00:00Z")] // before 1677: outside Unix nanoseconds in a long
    [InlineData("9999-12-31T23:59:59Z")] // after 2262: likewise
    public void TryParse_refuses(string text)
    {
        Assert.False(Parse(text, out _));
    }
}
