namespace Ingestd.Config;

/// <summary>The configuration cannot be used; the message names the file, line and key.</summary>
internal sealed class ConfigException : Exception
{
    public ConfigException(string message) : base(message) { }

    public ConfigException(string message, Exception inner) : base(message, inner) { }
}
