using System.CommandLine;
using System.Reflection;
using k8s.Models;
using Skiff.Client.Entities;

namespace Skiff.Cli;

/// <summary>
/// <c>skiff crd gen ASSEMBLY [--type NAME]… [-o yaml|json] [--output-dir DIR] [--no-descriptions] [--builtin-descriptions]</c>: loads a .NET
/// assembly (in a collectible <see cref="CrdAssemblyLoadContext"/>), finds its custom resource classes (every
/// <c>[KubernetesEntity]</c> type that is not a KubernetesClient model) and writes their CustomResourceDefinitions
/// (<see cref="CustomResourceDefinitionGenerator"/>): to stdout, or one file per CRD (<c>GROUP_PLURAL.yaml</c>, as
/// controller-gen names them) in <c>--output-dir</c>. Exit 1 with <c>error: …</c> on stderr when the assembly cannot be
/// loaded, a <c>--type</c> matches nothing, or the classes do not make a valid CRD.
/// </summary>
internal static class CrdCommand
{
    public static Command Create()
    {
        var assembly = new Argument<string>("ASSEMBLY") { Description = "The .dll holding the custom resource classes (its dependencies are resolved from its .deps.json)." };
        var types = new Option<string[]>("--type")
        {
            Description = "Only this class (full name, name or kind); repeatable. Other versions of the same kind are included.",
            HelpName = "NAME",
        };
        var output = new Option<string>("--output", "-o") { Description = "yaml or json.", HelpName = "FORMAT", DefaultValueFactory = _ => "yaml" };
        output.AcceptOnlyFromAmong("yaml", "json");
        var outputDir = new Option<string?>("--output-dir") { Description = "Write one file per CRD (GROUP_PLURAL.yaml) here instead of stdout.", HelpName = "DIR" };
        var noDescriptions = new Option<bool>("--no-descriptions") { Description = "Leave descriptions (from [Description] and XML docs) out of the schemas." };
        var builtInDescriptions = new Option<bool>("--builtin-descriptions")
        {
            Description = "Also describe the fields of embedded built-in types (pod templates: ~250 KB more, too big for client-side kubectl apply).",
        };
        var gen = new Command("gen", "Generate CustomResourceDefinitions from the [KubernetesEntity] classes of an assembly.")
        {
            assembly, types, output, outputDir, noDescriptions, builtInDescriptions,
        };
        gen.SetAction(async (r, ct) =>
        {
            try
            {
                var crds = Generate(Path.GetFullPath(r.GetValue(assembly)!), r.GetValue(types) ?? [], new CrdGeneratorOptions { Descriptions = !r.GetValue(noDescriptions), BuiltInDescriptions = r.GetValue(builtInDescriptions) });
                var json = r.GetValue(output) == "json";
                if (r.GetValue(outputDir) is { } dir)
                {
                    Directory.CreateDirectory(dir);
                    foreach (var crd in crds)
                    {
                        var file = Path.Combine(dir, CustomResourceDefinitionWriter.FileName(crd, json ? "json" : "yaml"));
                        await File.WriteAllTextAsync(file, json ? CustomResourceDefinitionWriter.ToJson([crd]) : CustomResourceDefinitionWriter.ToYaml([crd]), ct).ConfigureAwait(false);
                        Console.WriteLine($"wrote {file}");
                    }
                }
                else
                {
                    Console.Write(json ? CustomResourceDefinitionWriter.ToJson(crds) : CustomResourceDefinitionWriter.ToYaml(crds));
                }

                return 0;
            }
            catch (Exception e) when (e is IOException or BadImageFormatException or ArgumentException or NotSupportedException or TypeLoadException
                or ReflectionTypeLoadException or UnauthorizedAccessException or System.Text.Json.JsonException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return new Command("crd", "Custom resource definitions from C# classes.") { gen };
    }

    /// <summary>Loads <paramref name="path"/>, generates its CRDs (filtered by <paramref name="filters"/>) and unloads it.</summary>
    internal static IReadOnlyList<V1CustomResourceDefinition> Generate(string path, IReadOnlyList<string> filters, CrdGeneratorOptions options)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }

        var context = new CrdAssemblyLoadContext(path);
        try
        {
            var found = CustomResourceDefinitionGenerator.FindEntityTypes(context.LoadFromAssemblyPath(path));
            if (found.Count == 0)
            {
                throw new ArgumentException($"{Path.GetFileName(path)} has no [KubernetesEntity] classes");
            }

            var selected = found;
            if (filters.Count > 0)
            {
                var missing = filters.Where(f => !found.Any(t => Matches(t, f))).ToList();
                if (missing.Count > 0)
                {
                    throw new ArgumentException($"no custom resource class matches --type {string.Join(", ", missing)} (found: {string.Join(", ", found.Select(t => t.FullName))})");
                }

                // A kind's other versions come along, so the CRD is whole.
                var kinds = found.Where(t => filters.Any(f => Matches(t, f))).Select(Key).ToHashSet();
                selected = [.. found.Where(t => kinds.Contains(Key(t)))];
            }

            return CustomResourceDefinitionGenerator.Generate(selected, options);
        }
        finally
        {
            context.Unload();
        }
    }

    private static (string?, string) Key(Type t) => t.GetCustomAttribute<KubernetesEntityAttribute>() is { } a ? (a.Group, a.Kind) : (null, t.FullName!);

    private static bool Matches(Type t, string filter) =>
        t.FullName == filter || t.Name == filter || t.GetCustomAttribute<KubernetesEntityAttribute>()?.Kind == filter;
}
