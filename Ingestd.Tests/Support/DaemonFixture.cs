namespace Ingestd.Tests.Support;

/// <summary>One open-mode daemon shared by the tests of a class (each test uses its own tenant or tag).</summary>
public sealed class DaemonFixture : IDisposable
{
    private readonly TempDir _dir = new("ingestd-e2e");

    public DaemonFixture()
    {
        Daemon = DaemonProcess.Start(_dir.File("data"));
    }

    public DaemonProcess Daemon { get; }

    public void Dispose()
    {
        Daemon.Dispose();
        _dir.Dispose();
    }
}
