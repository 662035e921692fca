using System.Reflection;
using System.Runtime.Loader;

namespace Skiff.Cli;

/// <summary>
/// A collectible load context for <c>skiff crd gen</c>: the user's assembly and its private dependencies come from its
/// own directory (resolved through its <c>.deps.json</c> by <see cref="AssemblyDependencyResolver"/>); every assembly
/// the <c>skiff</c> binary carries itself (KubernetesClient, Skiff.Client, the framework) is shared with the default
/// context, so <c>[KubernetesEntity]</c> and the generator's attributes are the same types on both sides.
/// </summary>
internal sealed class CrdAssemblyLoadContext(string assemblyPath) : AssemblyLoadContext($"crd-gen:{Path.GetFileName(assemblyPath)}", isCollectible: true)
{
    private static readonly HashSet<string> Shared = new(
        ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>(),
        StringComparer.OrdinalIgnoreCase);

    private readonly AssemblyDependencyResolver _resolver = new(assemblyPath);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is { } name && Shared.Contains(name))
        {
            return null;
        }

        return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
}
