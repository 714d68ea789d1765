using Ingestd.Parsing.Framing;

namespace Ingestd.Tests.Framing;

public class LineFramerTests
{
    private static List<(string Text, int Line, int Offset)> Frame(string body)
    {
        var list = new List<(string, int, int)>();
        var lines = new LineFramer(System.Text.Encoding.UTF8.GetBytes(body));
        while (lines.MoveNext())
            list.Add((System.Text.Encoding.UTF8.GetString(lines.Current), lines.LineNumber, lines.Offset));
        return list;
    }

    [Fact]
    public void Splits_on_newline()
    {
        Assert.Equal([("a", 1, 0), ("bc", 2, 2), ("d", 3, 5)], Frame("a\nbc\nd\n"));
    }

    [Fact]
    public void Last_line_without_newline_is_framed()
    {
        Assert.Equal([("a", 1, 0), ("last", 2, 2)], Frame("a\nlast"));
    }

    [Fact]
    public void One_trailing_carriage_return_is_stripped()
    {
        Assert.Equal([("a", 1, 0), ("b\r", 2, 3), ("c", 3, 7)], Frame("a\r\nb\r\r\nc\r"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("\r\n\r\n")]
    [InlineData("   \n\t\n \t \r\n")]
    [InlineData("\r")]
    public void Blank_bodies_frame_no_lines(string body)
    {
        Assert.Empty(Frame(body));
    }

    [Fact]
    public void Blank_lines_are_skipped_but_counted()
    {
        Assert.Equal([("x", 3, 4), ("y", 5, 8)], Frame("\n \t\nx\n\r\ny\n\n"));
    }

    [Fact]
    public void Inner_whitespace_of_a_line_is_kept()
    {
        Assert.Equal([("  a b\t", 1, 0)], Frame("  a b\t\n"));
    }

    [Fact]
    public void Carriage_return_inside_a_line_is_kept()
    {
        Assert.Equal([("a\rb", 1, 0)], Frame("a\rb"));
    }

    [Fact]
    public void Offsets_are_byte_offsets_for_multibyte_text()
    {
        Assert.Equal([("é", 1, 0), ("日本", 2, 3)], Frame("é\n日本"));
    }

    [Fact]
    public void Foreach_enumerates_the_same_lines()
    {
        var texts = new List<string>();
        foreach (var line in new LineFramer("a\r\n\nb"u8))
            texts.Add(System.Text.Encoding.UTF8.GetString(line));
        Assert.Equal(["a", "b"], texts);
    }

    [Fact]
    public void Framing_allocates_nothing()
    {
        var body = "one\r\ntwo\n\n  \nthree"u8;
        int count = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        var lines = new LineFramer(body);
        while (lines.MoveNext()) count += lines.Current.Length;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(11, count);
        Assert.Equal(0, allocated);
    }
}
