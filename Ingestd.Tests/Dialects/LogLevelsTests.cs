using System.Text;
using System.Text.Json;
using Ingestd.Parsing.Dialects.Levels;
using Ingestd.Parsing.Dialects;

namespace Ingestd.Tests.Dialects;

public class LogLevelsTests
{
    private static int MatchString(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return LogLevels.Match(ref reader);
    }

    [Theory]
    [InlineData("\"debug\"", "debug")]
    [InlineData("\"info\"", "info")]
    [InlineData("\"warn\"", "warn")]
    [InlineData("\"error\"", "error")]
    [InlineData("\"fatal\"", "fatal")]
    [InlineData("\"\\u0069nfo\"", "info")]
    public void Match_names_the_five_levels_after_unescaping(string json, string stored)
        => Assert.Equal(stored, Encoding.UTF8.GetString(LogLevels.Name(MatchString(json))));

    [Theory]
    [InlineData("\"INFO\"")]
    [InlineData("\"warning\"")]
    [InlineData("\"\"")]
    public void Match_refuses_other_spellings(string json)
    {
        Assert.Equal(LogLevels.None, MatchString(json));
        Assert.True(LogLevels.Name(LogLevels.None).IsEmpty);
    }
}
