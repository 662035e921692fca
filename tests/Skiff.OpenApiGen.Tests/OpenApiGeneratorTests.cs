using Skiff.OpenApiGen;
using Xunit;

namespace Skiff.OpenApiGen.Tests;

public class OpenApiGeneratorTests
{
    private static string? RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Skiff.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>The 1.32 proto facts: $SKIFF_SHARED_DIR/data when that variable is set (a directory that does not exist
    /// means "absent", as on a fresh clone), else ../shared/data found in a parent of the repository; or null.</summary>
    private static string? ProtoFacts()
    {
        var env = Environment.GetEnvironmentVariable("SKIFF_SHARED_DIR");
        if (!string.IsNullOrEmpty(env))
        {
            var p = Path.Combine(env, "data", "k8s-proto-schema-v1.32.json");
            return File.Exists(p) ? p : null;
        }

        for (var dir = RepoRoot() is { } r ? new DirectoryInfo(r) : null; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared/data/k8s-proto-schema-v1.32.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    [SkippableFact]
    public void Generate_TwoRuns_GiveIdenticalBytes()
    {
        var proto = ProtoFacts();
        Skip.If(proto is null, "shared/data/k8s-proto-schema-v1.32.json not found");
        var first = OpenApiGenerator.Generate(proto!).Bytes;
        var second = OpenApiGenerator.Generate(proto!).Bytes;
        Assert.Equal(first, second);
    }

    [SkippableFact]
    public void Generate_MatchesCommittedDefinitions()
    {
        var proto = ProtoFacts();
        Skip.If(proto is null, "shared/data/k8s-proto-schema-v1.32.json not found");
        var committed = File.ReadAllBytes(Path.Combine(RepoRoot()!, "src/Skiff.ApiServer/OpenApi/Generated/definitions.json"));
        var generated = OpenApiGenerator.Generate(proto!).Bytes;
        Assert.True(committed.AsSpan().SequenceEqual(generated), "definitions.json is stale: run hack/update-openapi.sh");
    }
}
