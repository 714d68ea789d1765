namespace Ingestd.Transport;

/// <summary>A certificate, key or CA file that cannot be used; the message names the file and why.</summary>
internal sealed class TlsCertificateException(string message, Exception? inner = null) : Exception(message, inner);
