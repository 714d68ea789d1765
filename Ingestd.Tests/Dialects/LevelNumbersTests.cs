using Ingestd.Parsing.Dialects.Levels;
using Ingestd.Parsing.Dialects;

namespace Ingestd.Tests.Dialects;

public class LevelNumbersTests
{
    private static string Name(long number, LevelScale scale) => System.Text.Encoding.UTF8.GetString(LevelNumbers.Name(number, scale));

    [Theory]
    [InlineData(0, "fatal")]
    [InlineData(1, "fatal")]
    [InlineData(2, "fatal")]
    [InlineData(3, "error")]
    [InlineData(4, "warn")]
    [InlineData(5, "info")]
    [InlineData(6, "info")]
    [InlineData(7, "debug")]
    public void Syslog_severity_0_to_7_is_folded_into_the_level_names(long number, string expected)
        => Assert.Equal(expected, Name(number, LevelScale.Syslog));

    [Theory]
    [InlineData(10, "trace")]
    [InlineData(20, "debug")]
    [InlineData(30, "info")]
    [InlineData(40, "warn")]
    [InlineData(50, "error")]
    [InlineData(60, "fatal")]
    public void Pino_and_bunyan_levels_10_to_60_are_named(long number, string expected)
        => Assert.Equal(expected, Name(number, LevelScale.Pino));

    [Theory]
    [InlineData(1, "trace")]
    [InlineData(4, "trace")]
    [InlineData(5, "debug")]
    [InlineData(9, "info")]
    [InlineData(12, "info")]
    [InlineData(13, "warn")]
    [InlineData(17, "error")]
    [InlineData(21, "fatal")]
    [InlineData(24, "fatal")]
    public void Otel_severity_numbers_are_named_by_their_range_of_four(long number, string expected)
        => Assert.Equal(expected, Name(number, LevelScale.OtelSeverity));

    [Theory]
    [InlineData(3, "error")]
    [InlineData(6, "info")]
    [InlineData(30, "info")]
    [InlineData(50, "error")]
    public void A_level_member_is_syslog_from_0_to_7_and_pino_above(long number, string expected)
        => Assert.Equal(expected, Name(number, LevelScale.SyslogOrPino));

    [Theory]
    [InlineData(8, "Syslog")]
    [InlineData(-1, "Syslog")]
    [InlineData(35, "Pino")]
    [InlineData(0, "OtelSeverity")]
    [InlineData(25, "OtelSeverity")]
    [InlineData(15, "SyslogOrPino")]
    public void A_number_outside_its_scale_has_no_name(long number, string scale)
        => Assert.Equal("", Name(number, Enum.Parse<LevelScale>(scale)));

    [Theory]
    [InlineData("30", "info")]
    [InlineData("30.0", "")]
    [InlineData("3e1", "")]
    public void Number_text_is_named_only_when_it_is_an_integer(string text, string expected)
        => Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(LevelNumbers.Name(System.Text.Encoding.UTF8.GetBytes(text), LevelScale.Pino)));
}
