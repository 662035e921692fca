using System.Reflection;
using k8s.Models;

namespace Skiff.Client.Tests.Protobuf;

/// <summary>Locates upstream's round-trip fixtures (../shared/fixtures/k8s-api-v1.32 beside the repo root, or
/// $SKIFF_SHARED_DIR/fixtures/k8s-api-v1.32) and maps their kinds to KubernetesClient model types.</summary>
internal static class Fixtures
{
    public const string SkipReason = "../shared/fixtures/k8s-api-v1.32 (upstream protobuf round-trip fixtures) is not present beside the repository";

    private static readonly Lazy<string?> LazyDirectory = new(Find);

    private static readonly Lazy<Dictionary<(string, string), Type>> LazyModels = new(() =>
    {
        var map = new Dictionary<(string, string), Type>();
        foreach (var t in typeof(V1Pod).Assembly.GetExportedTypes())
        {
            if (t.GetCustomAttribute<KubernetesEntityAttribute>() is { } e && !string.IsNullOrEmpty(e.Kind))
            {
                var apiVersion = string.IsNullOrEmpty(e.Group) ? e.ApiVersion : $"{e.Group}/{e.ApiVersion}";
                map.TryAdd((apiVersion, e.Kind), t);
            }
        }

        return map;
    });

    public static string? Directory => LazyDirectory.Value;

    /// <summary>Fixture base names (group.version.Kind), sorted.</summary>
    public static IEnumerable<string> Names()
        => Directory is null
            ? []
            : System.IO.Directory.EnumerateFiles(Directory, "*.pb").Select(p => Path.GetFileNameWithoutExtension(p)).Order(StringComparer.Ordinal);

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(Directory!, name + ".pb"));

    /// <summary>"apps.v1.Deployment" → "apps/v1"; "core.v1.Pod" → "v1".</summary>
    public static string ApiVersionOf(string name)
    {
        var parts = name.Split('.');
        var group = string.Join('.', parts[..^2]);
        return group == "core" ? parts[^2] : $"{group}/{parts[^2]}";
    }

    public static string KindOf(string name) => name.Split('.')[^1];

    /// <summary>The KubernetesClient model type of a fixture's kind, from the models' [KubernetesEntity] attributes.</summary>
    public static Type? ModelType(string name) => LazyModels.Value.GetValueOrDefault((ApiVersionOf(name), KindOf(name)));

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
