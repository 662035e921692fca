using Skiff.Client.Entities;
using TrainingOperator.Api;
using Xunit;

namespace TrainingOperator.Tests;

/// <summary>
/// The committed CRD (<c>examples/TrainingJob/deploy/</c>, what the README applies) is what the generator makes of the
/// TrainingJob class today. When this fails, regenerate it: <c>skiff crd gen examples/TrainingJob/bin/Release/net10.0/TrainingJob.dll
/// --output-dir examples/TrainingJob/deploy</c> (or run this test with <c>SKIFF_UPDATE_GOLDEN=1</c>).
/// </summary>
public sealed class CrdYamlTests
{
    [Fact]
    public void CommittedCrd_IsUpToDate()
    {
        var crd = CustomResourceDefinitionGenerator.Generate(typeof(TrainingJob));
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Skiff.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var file = Path.Combine(dir.FullName, "examples", "TrainingJob", "deploy", CustomResourceDefinitionWriter.FileName(crd));
        var yaml = CustomResourceDefinitionWriter.ToYaml([crd]);
        if (Environment.GetEnvironmentVariable("SKIFF_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(file, yaml);
        }

        Assert.True(File.Exists(file), $"{file} is missing");
        Assert.True(File.ReadAllText(file).ReplaceLineEndings("\n") == yaml, $"{file} is stale: regenerate it with skiff crd gen (see this test's summary)");
    }
}
