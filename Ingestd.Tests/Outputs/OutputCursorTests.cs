using Ingestd.Outputs;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Outputs;

public class OutputCursorTests
{
    [Fact]
    public void A_saved_cursor_reads_back()
    {
        using var dir = new TempDir();
        string path = OutputCursor.PathFor(dir.Path, "o");
        OutputCursor.Save(path, 12345);
        Assert.Equal(12345, OutputCursor.Load(path, out string? problem));
        Assert.Null(problem);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void A_missing_cursor_is_no_cursor_and_no_problem()
    {
        using var dir = new TempDir();
        Assert.Null(OutputCursor.Load(OutputCursor.PathFor(dir.Path, "absent"), out string? problem));
        Assert.Null(problem);
    }

    [Fact]
    public void A_flipped_bit_is_caught_by_the_checksum()
    {
        using var dir = new TempDir();
        string path = OutputCursor.PathFor(dir.Path, "o");
        OutputCursor.Save(path, 7);
        var bytes = File.ReadAllBytes(path);
        bytes[9] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        Assert.Null(OutputCursor.Load(path, out string? problem));
        Assert.Contains("checksum mismatch", problem);
    }

    [Fact]
    public void A_torn_cursor_is_reported_as_such()
    {
        using var dir = new TempDir();
        string path = OutputCursor.PathFor(dir.Path, "o");
        OutputCursor.Save(path, 7);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..5]);
        Assert.Null(OutputCursor.Load(path, out string? problem));
        Assert.Contains("torn write?", problem);
    }
}
