using Ingestd.Config;

namespace Ingestd.Tests.Config;

public class ConfigUnitsTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("512", 512L)]
    [InlineData("512B", 512L)]
    [InlineData("1KB", 1000L)]
    [InlineData("1kb", 1000L)]
    [InlineData("1 GB", 1_000_000_000L)]
    [InlineData("3MB", 3_000_000L)]
    [InlineData("1KiB", 1024L)]
    [InlineData("256MiB", 268_435_456L)]
    [InlineData("256mib", 268_435_456L)]
    [InlineData("2 GiB", 2_147_483_648L)]
    [InlineData("1TiB", 1_099_511_627_776L)]
    [InlineData("  64KiB ", 65_536L)]
    public void Size_parses_units(string text, long expected)
    {
        Assert.True(ConfigUnits.TryParseSize(text, out long bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MiB")]
    [InlineData("-1MiB")]
    [InlineData("1.5GiB")]
    [InlineData("12 parsecs")]
    [InlineData("1 Mi B")]
    [InlineData("99999999999999999999")]
    [InlineData("9999999999TiB")]
    public void Size_rejects_malformed_text(string text)
    {
        Assert.False(ConfigUnits.TryParseSize(text, out _));
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("250ms", 250L)]
    [InlineData("30s", 30_000L)]
    [InlineData("30", 30_000L)]
    [InlineData("5m", 300_000L)]
    [InlineData("1h", 3_600_000L)]
    [InlineData("1d", 86_400_000L)]
    [InlineData("10 S", 10_000L)]
    public void Duration_parses_units(string text, long expectedMilliseconds)
    {
        Assert.True(ConfigUnits.TryParseDuration(text, out TimeSpan duration));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("-5s")]
    [InlineData("1.5h")]
    [InlineData("3 weeks")]
    [InlineData("1h30m")]
    [InlineData("99999999999999d")]
    public void Duration_rejects_malformed_text(string text)
    {
        Assert.False(ConfigUnits.TryParseDuration(text, out _));
    }
}
