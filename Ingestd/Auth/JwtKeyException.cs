namespace Ingestd.Auth;

/// <summary>
/// A configured JWT key cannot be used: an unreadable or invalid PEM file, an unsupported key type,
/// an EC key not on P-256. Raised at start-up; the message names the file (or secret index) and the problem.
/// </summary>
internal sealed class JwtKeyException : Exception
{
    public JwtKeyException(string message) : base(message) { }

    public JwtKeyException(string message, Exception inner) : base(message, inner) { }
}
