using Skiff.OpenApiGen;

// Skiff.OpenApiGen: writes the OpenAPI v3 component schemas of the built-in types Skiff serves
// (src/Skiff.ApiServer/OpenApi/Generated/definitions.json) from the KubernetesClient models, their XML docs, the
// Kubernetes 1.32 proto facts and the fact tables in this project. Run by hand: hack/update-openapi.sh.
// Usage: Skiff.OpenApiGen [--out FILE] [--proto-schema FILE] [--check]
//   --check  compare with FILE instead of writing it; exit 1 when they differ.
var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(p => p.a, p => p.i + 1 < args.Length && !args[p.i + 1].StartsWith("--", StringComparison.Ordinal) ? args[p.i + 1] : "");
var repoRoot = FindUp(Directory.GetCurrentDirectory(), "Skiff.sln")
    ?? throw new InvalidOperationException("run inside the Skiff repository");
var outPath = options.GetValueOrDefault("--out") is { Length: > 0 } o ? Path.GetFullPath(o)
    : Path.Combine(repoRoot, "src/Skiff.ApiServer/OpenApi/Generated/definitions.json");
var protoPath = options.GetValueOrDefault("--proto-schema") is { Length: > 0 } p ? Path.GetFullPath(p)
    : FindUp(repoRoot, "shared/data/k8s-proto-schema-v1.32.json", inParents: true)
      ?? throw new InvalidOperationException("proto schema facts not found; pass --proto-schema");

var (bytes, count, dropped) = OpenApiGenerator.Generate(protoPath);
Console.Error.WriteLine($"{count} schemas, {bytes.Length} bytes; {dropped.Count} model fields not in Kubernetes 1.32 dropped");
if (options.ContainsKey("--verbose"))
{
    foreach (var f in dropped)
    {
        Console.Error.WriteLine("  dropped " + f);
    }
}

if (options.ContainsKey("--check"))
{
    var same = File.Exists(outPath) && File.ReadAllBytes(outPath).AsSpan().SequenceEqual(bytes);
    Console.Error.WriteLine(same ? $"{outPath} is up to date" : $"{outPath} is stale: run hack/update-openapi.sh");
    return same ? 0 : 1;
}

Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
File.WriteAllBytes(outPath, bytes);
Console.Error.WriteLine($"wrote {outPath}");
return 0;

static string? FindUp(string start, string relative, bool inParents = false)
{
    for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, relative);
        if (File.Exists(candidate))
        {
            return inParents ? candidate : dir.FullName;
        }
    }

    return null;
}
