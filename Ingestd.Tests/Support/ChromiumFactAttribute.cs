namespace Ingestd.Tests.Support;

/// <summary>A test that drives headless Chromium: skipped, with the reason, where it is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.Executable is null)
            Skip = "needs Debian's chromium (scripts/install-test-deps.sh installs it when run as root)";
    }
}
