using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Docs;

/// <summary>The committed Swagger UI, Scalar and uPlot files are the versions Ingestd/WebAssets/package.json pins.</summary>
public class VendoredAssetsTests
{
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "Ingestd", "WebAssets");

    private static string Pinned(string package)
        => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "package.json"))).RootElement.GetProperty("dependencies").GetProperty(package).GetString()!;

    [Fact]
    public void Swagger_ui_bundle_is_the_pinned_swagger_ui_dist()
        => Assert.Contains($"PACKAGE_VERSION:\"{Pinned("swagger-ui-dist")}\"", File.ReadAllText(Path.Combine(Folder, "swagger-ui-bundle.js")));

    [Fact]
    public void Scalar_standalone_is_the_pinned_api_reference()
        => Assert.Contains($"@scalar/api-reference@{Pinned("@scalar/api-reference")}", File.ReadAllText(Path.Combine(Folder, "scalar-standalone.js")));

    [Fact]
    public void Uplot_is_the_pinned_uplot()
        => Assert.StartsWith($"/*! https://github.com/leeoniya/uPlot (v{Pinned("uplot")}) */", File.ReadAllText(Path.Combine(Folder, "uplot.iife.min.js")));

    [Fact]
    public void Every_vendored_package_has_its_licence_beside_it()
    {
        Assert.True(File.Exists(Path.Combine(Folder, "uplot.LICENSE")));
        Assert.True(File.Exists(Path.Combine(Folder, "swagger-ui-dist.LICENSE")));
        Assert.True(File.Exists(Path.Combine(Folder, "scalar-api-reference.LICENSE")));
    }
}
