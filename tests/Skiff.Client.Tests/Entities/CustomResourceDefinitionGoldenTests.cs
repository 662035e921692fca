using Skiff.Client.Entities;
using Skiff.Client.Tests.Entities.Samples;
using Xunit;

namespace Skiff.Client.Tests.Entities;

/// <summary>
/// The generated YAML of the sample classes, byte for byte, against <c>Entities/Golden/samples.skiff.dev.yaml</c>. After an
/// intended change of the generator, regenerate it with <c>SKIFF_UPDATE_GOLDEN=1</c> and review the diff.
/// </summary>
public sealed class CustomResourceDefinitionGoldenTests
{
    internal static Type[] SampleTypes => [typeof(Widget), typeof(GadgetV1), typeof(GadgetV1beta1), typeof(GadgetV2), typeof(Policy)];

    [Fact]
    public void SampleYaml_MatchesTheGoldenFile()
    {
        var yaml = CustomResourceDefinitionWriter.ToYaml(CustomResourceDefinitionGenerator.Generate(SampleTypes, null));
        var golden = Path.Combine(SourceDirectory(), "Entities", "Golden", "samples.skiff.dev.yaml");
        if (Environment.GetEnvironmentVariable("SKIFF_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(golden, yaml);
        }

        Assert.True(File.Exists(golden), $"{golden} is missing; run with SKIFF_UPDATE_GOLDEN=1");
        Assert.Equal(File.ReadAllText(golden).ReplaceLineEndings("\n"), yaml);
    }

    [Fact]
    public void Generation_IsDeterministic()
    {
        var a = CustomResourceDefinitionWriter.ToYaml(CustomResourceDefinitionGenerator.Generate(SampleTypes, null));
        var b = CustomResourceDefinitionWriter.ToYaml(CustomResourceDefinitionGenerator.Generate([.. SampleTypes.Reverse()], null));
        Assert.Equal(a, b);
    }

    /// <summary>This test project's source directory (found from the build output by walking up to Skiff.sln).</summary>
    private static string SourceDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Skiff.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "tests", "Skiff.Client.Tests");
    }
}
