using System.Security.Cryptography;
using System.Text;
using Ingestd.Http;

namespace Ingestd.Endpoints.Operations;

/// <summary>
/// A file of the API documentation pages or the console (Ingestd/WebAssets, embedded in the binary): its bytes, media type and
/// strong ETag. Each file is read from the assembly on its first request only; together they are about 7 MB.
/// </summary>
internal sealed class WebAsset
{
    private readonly Lazy<(byte[] Content, byte[] ETag)> _loaded;

    private WebAsset(string file, string contentType)
    {
        File = file;
        ContentType = Encoding.ASCII.GetBytes(contentType);
        _loaded = new Lazy<(byte[], byte[])>(() => Load(file));
    }

    public string File { get; }
    public byte[] ContentType { get; }
    public byte[] Content => _loaded.Value.Content;
    public byte[] ETag => _loaded.Value.ETag;

    public static readonly WebAsset SwaggerPage = new("api.html", Html);
    public static readonly WebAsset ScalarPage = new("reference.html", Html);
    public static readonly WebAsset ConsolePage = new("console.html", Html);

    /// <summary>What <c>GET /assets/{file}</c> serves: the scripts and styles the pages load.</summary>
    public static readonly WebAsset[] Served =
    [
        new("swagger-ui-bundle.js", JavaScript),
        new("swagger-ui.css", Css),
        new("swagger-init.js", JavaScript),
        new("scalar-standalone.js", JavaScript),
        new("scalar-init.js", JavaScript),
        new("console.js", JavaScript),
        new("console.css", Css),
        new("uplot.iife.min.js", JavaScript),
        new("uplot.min.css", Css),
    ];

    // RFC 9239 §6: text/javascript is the media type for JavaScript.
    private const string JavaScript = "text/javascript; charset=utf-8";
    private const string Css = "text/css; charset=utf-8";
    private const string Html = "text/html; charset=utf-8";

    public static WebAsset? Find(ReadOnlySpan<byte> file)
    {
        foreach (var asset in Served)
            if (Ascii.Equals(file, asset.File)) return asset;
        return null;
    }

    /// <summary>
    /// Answers 200 with the file, or 304 when the client's <c>If-None-Match</c> already names it. Clients revalidate
    /// every time (<c>no-cache</c>): the URLs carry no version, and on loopback a 304 costs next to nothing.
    /// </summary>
    public void WriteTo(RequestContext ctx, Response response)
    {
        bool notModified = ctx.Head.TryGetHeader("If-None-Match"u8, out var condition) && Matches(condition, ETag);
        response.SetStatus(notModified ? 304 : 200);
        // RFC 9110 §15.4.5: a 304 carries the validators and caching fields, not the content's metadata.
        if (!notModified) response.AddHeader("Content-Type"u8, ContentType);
        response.AddHeader("ETag"u8, ETag);
        response.AddHeader("Cache-Control"u8, "no-cache"u8);
        response.AddHeader("X-Content-Type-Options"u8, "nosniff"u8);
        if (!notModified) response.Body.Write(Content);
    }

    // RFC 9110 §13.1.2: If-None-Match is "*" or a list of entity tags, compared weakly (a W/ prefix is ignored).
    internal static bool Matches(ReadOnlySpan<byte> condition, ReadOnlySpan<byte> etag)
    {
        condition = condition.Trim(" \t"u8);
        if (condition.SequenceEqual("*"u8)) return true;
        while (!condition.IsEmpty)
        {
            int comma = condition.IndexOf((byte)',');
            var tag = (comma < 0 ? condition : condition[..comma]).Trim(" \t"u8);
            if (tag.StartsWith("W/"u8)) tag = tag[2..];
            if (tag.SequenceEqual(etag)) return true;
            condition = comma < 0 ? default : condition[(comma + 1)..];
        }
        return false;
    }

    private static (byte[], byte[]) Load(string file)
    {
        using var stream = typeof(WebAsset).Assembly.GetManifestResourceStream("Ingestd.WebAssets." + file)
            ?? throw new InvalidOperationException($"{file} is not embedded");
        var content = new byte[stream.Length];
        stream.ReadExactly(content);
        var hash = SHA256.HashData(content);
        var etag = Encoding.ASCII.GetBytes("\"" + Convert.ToHexStringLower(hash.AsSpan(0, 16)) + "\"");
        return (content, etag);
    }
}
