using Ingestd.Parsing.Time;

namespace Ingestd.Tests.Time;

public class EpochTimeTests
{
    // 2024-05-31T15:30:45.123456789Z
    private const long Instant = 1_717_169_445_123_456_789;

    private static long Parse(string number)
    {
        Assert.True(EpochTime.TryParse(System.Text.Encoding.UTF8.GetBytes(number), out long ns), number);
        return ns;
    }

    private static bool Refuses(string number) => !EpochTime.TryParse(System.Text.Encoding.UTF8.GetBytes(number), out _);

    [Theory]
    [InlineData("1717169445", 1_717_169_445_000_000_000)]
    [InlineData("1717169445.123456789", Instant)]
    [InlineData("1717169445.5", 1_717_169_445_500_000_000)]
    [InlineData("1717169445.1234567899", Instant)] // below a nanosecond is truncated
    public void Below_1e11_is_seconds_with_a_fraction_down_to_nanoseconds(string number, long expected)
        => Assert.Equal(expected, Parse(number));

    [Theory]
    [InlineData("1717169445123", 1_717_169_445_123_000_000)]
    [InlineData("1717169445123.456789", Instant)]
    public void From_1e11_below_1e14_is_milliseconds(string number, long expected)
        => Assert.Equal(expected, Parse(number));

    [Theory]
    [InlineData("1717169445123456", 1_717_169_445_123_456_000)]
    [InlineData("1717169445123456.789", Instant)]
    public void From_1e14_below_1e17_is_microseconds(string number, long expected)
        => Assert.Equal(expected, Parse(number));

    [Theory]
    [InlineData("1717169445123456789", Instant)]
    [InlineData("1717169445123456789.9", Instant)]
    public void From_1e17_is_nanoseconds(string number, long expected)
        => Assert.Equal(expected, Parse(number));

    [Fact]
    public void Seconds_past_2262_are_refused_not_read_in_a_smaller_unit()
    {
        // Just under the 1e11 cut-off (year 5138) is still seconds; a long of nanoseconds ends in 2262.
        Assert.True(Refuses("99999999999"));
        Assert.Equal(9_000_000_000_000_000_000, Parse("9000000000"));
    }

    [Fact]
    public void Each_cut_off_starts_the_smaller_unit_in_1973()
    {
        var march1973 = DateTimeOffset.Parse("1973-03-03T09:46:40Z");
        long expected = (march1973.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        Assert.Equal(expected, Parse("100000000000"));        // 1e11 ms
        Assert.Equal(expected, Parse("100000000000000"));     // 1e14 µs
        Assert.Equal(expected, Parse("100000000000000000"));  // 1e17 ns
    }

    [Theory]
    [InlineData("1.717169445123E9", 1_717_169_445_123_000_000)]
    [InlineData("1.717169445123e12", 1_717_169_445_123_000_000)]
    [InlineData("1717169445123E+3", 1_717_169_445_123_000_000)]
    public void Exponent_forms_are_read_by_magnitude_too(string number, long expected)
        => Assert.InRange(Parse(number), expected - 1000, expected + 1000);

    [Theory]
    [InlineData("0", 0)]
    [InlineData("-1", -1_000_000_000)]
    [InlineData("-1717169445123", -1_717_169_445_123_000_000)]
    [InlineData("0001717169445", 1_717_169_445_000_000_000)]
    public void Zero_negative_and_leading_zeros_are_read(string number, long expected)
        => Assert.Equal(expected, Parse(number));

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("1e")]
    [InlineData("12a")]
    [InlineData(" 12")]
    [InlineData("+12")]
    [InlineData("2024-05-31")]
    [InlineData("99999999999999999999")]   // beyond a long
    [InlineData("9300000000000000000")]    // nanoseconds past 2262
    [InlineData("1e400")]
    public void Anything_else_is_refused(string number)
        => Assert.True(Refuses(number));

    [Fact]
    public void Parsing_allocates_nothing()
    {
        var numbers = new[] { "1717169445.123456789"u8.ToArray(), "1717169445123"u8.ToArray(), "1.7e12"u8.ToArray() };
        foreach (var n in numbers) EpochTime.TryParse(n, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var n in numbers) EpochTime.TryParse(n, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
