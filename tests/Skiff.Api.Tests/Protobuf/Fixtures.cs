namespace Skiff.Api.Tests.Protobuf;

/// <summary>Locates the upstream round-trip fixtures (../shared/fixtures/k8s-api-v1.32 beside the repo root, or
/// $SKIFF_SHARED_DIR/fixtures/k8s-api-v1.32).</summary>
internal static class Fixtures
{
    private static readonly Lazy<string?> LazyDirectory = new(Find);

    public static string? Directory => LazyDirectory.Value;

    public const string SkipReason = "../shared/fixtures/k8s-api-v1.32 (upstream protobuf round-trip fixtures) is not present beside the repository";

    /// <summary>Fixture base names (group.version.Kind), sorted.</summary>
    public static IEnumerable<string> Names()
    {
        if (Directory is null)
        {
            return [];
        }

        return System.IO.Directory.EnumerateFiles(Directory, "*.pb")
            .Select(p => Path.GetFileNameWithoutExtension(p))
            .Order(StringComparer.Ordinal);
    }

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("SKIFF_SHARED_DIR");
        if (!string.IsNullOrEmpty(env))
        {
            var p = Path.Combine(env, "fixtures", "k8s-api-v1.32");
            return System.IO.Directory.Exists(p) ? p : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures", "k8s-api-v1.32");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
