using System.Reflection;
using k8s.Models;

namespace Skiff.OpenApiGen;

/// <summary>
/// Maps a KubernetesClient model class to its upstream schema name (<c>V1PodSpec</c> →
/// <c>io.k8s.api.core.v1.PodSpec</c>) and Go package. The package is found, in order, by: the 1.32 proto facts
/// (which served package of the class's version defines a message of that short name; the client's group prefix or
/// the <c>[KubernetesEntity]</c> group breaks ties); the <c>[KubernetesEntity]</c> group for kinds the proto facts do
/// not list (apiextensions); the package of the type that referenced it, for the non-kind types of packages without
/// proto facts (apiextensions). A class of a proto-backed package that 1.32 does not define yields null (a type added
/// after Kubernetes 1.32, not served).
/// </summary>
internal sealed class SchemaNamer(ProtoSchemaIndex proto)
{
    private readonly Dictionary<Type, (string Name, ServedPackage Package)> _cache = [];

    /// <summary>True when the package's types are described by the proto facts (all but apiextensions).</summary>
    public bool IsProtoBacked(ServedPackage package) => package.Prefix.StartsWith("io.k8s.api.", StringComparison.Ordinal)
        || package.Prefix.StartsWith("io.k8s.apimachinery.", StringComparison.Ordinal);

    /// <summary>Resolves a model class; <paramref name="referrer"/> is the package of the type that uses it.</summary>
    public (string Name, ServedPackage Package)? Resolve(Type type, ServedPackage? referrer)
    {
        if (_cache.TryGetValue(type, out var cached))
        {
            return cached;
        }

        // Unresolved results are not cached: a later referrer may settle them (apiextensions types).
        var result = ResolveUncached(type, referrer);
        if (result is not null)
        {
            _cache[type] = result.Value;
        }

        return result;
    }

    private (string Name, ServedPackage Package)? ResolveUncached(Type type, ServedPackage? referrer)
    {
        var name = ModelName.Parse(type.Name);
        if (name is null)
        {
            return null;
        }

        var entity = type.GetCustomAttribute<KubernetesEntityAttribute>();
        var sameVersion = ServedPackages.All.Where(p => p.Version == name.Version).ToList();
        if (name.ClientPrefix is not null)
        {
            sameVersion = sameVersion.Where(p => string.Equals(p.ClientPrefix, name.ClientPrefix, StringComparison.OrdinalIgnoreCase)).ToList();
        }

        var inProto = sameVersion.Where(p => proto.Has(p.ProtoPackage + "." + name.ShortName)).ToList();
        if (inProto.Count > 1 && entity is not null)
        {
            inProto = inProto.Where(p => p.Group == entity.Group).ToList();
        }

        if (inProto.Count > 1 && referrer is not null && inProto.Contains(referrer))
        {
            inProto = [referrer];
        }

        if (inProto.Count > 1 && name.ClientPrefix is null && inProto.Any(p => p.Group is null))
        {
            // core/v1 keeps legacy proto copies of meta types (Preconditions, List) that upstream's OpenAPI does not
            // publish; the client prefixes a name only when the OpenAPI has it twice, so a bare name is meta's.
            inProto = inProto.Where(p => p.Group is null).ToList();
        }

        if (inProto.Count > 1)
        {
            throw new InvalidOperationException($"{type.Name}: ambiguous package ({string.Join(", ", inProto.Select(p => p.Prefix))})");
        }

        ServedPackage? package = inProto.Count == 1 ? inProto[0] : null;
        if (package is null && entity is not null)
        {
            package = sameVersion.FirstOrDefault(p => p.Group == entity.Group && !IsProtoBacked(p));
        }

        if (package is null && referrer is not null && !IsProtoBacked(referrer) && sameVersion.Contains(referrer))
        {
            package = referrer;
        }

        return package is null ? null : (package.Prefix + "." + name.ShortName, package);
    }
}
