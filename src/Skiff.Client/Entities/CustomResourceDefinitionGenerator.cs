using System.Reflection;
using k8s;
using k8s.Models;

namespace Skiff.Client.Entities;

/// <summary>
/// Generates <c>apiextensions.k8s.io/v1</c> CustomResourceDefinitions from custom resource classes, as controller-gen
/// generates them from Go types with kubebuilder markers. A class is a custom resource when it carries
/// <c>[KubernetesEntity(Group, ApiVersion, Kind, PluralName)]</c>; classes sharing group and kind become the versions of
/// one CRD (one of them marked <see cref="StorageVersionAttribute"/> when there are several). Names, scope,
/// subresources, printer columns and selectable fields come from the attributes of the storage version's class
/// (names and scope) or of each version's class (the rest); the schema from <see cref="OpenApiSchemaGenerator"/>.
/// The result is what upstream's API server accepts: a structural schema, <c>metadata</c> as <c>type: object</c>.
/// </summary>
public static class CustomResourceDefinitionGenerator
{
    /// <summary>The CRD of one kind, from the classes of its versions.</summary>
    /// <exception cref="ArgumentException">A type is not a custom resource class, or the classes disagree.</exception>
    public static V1CustomResourceDefinition Generate(params Type[] versions) => Generate(versions, new CrdGeneratorOptions()).Single();

    /// <summary>
    /// One CRD per group and kind among <paramref name="types"/>, ordered by name (<c>plural.group</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A type is not a custom resource class, or the classes of one kind disagree.</exception>
    public static IReadOnlyList<V1CustomResourceDefinition> Generate(IEnumerable<Type> types, CrdGeneratorOptions? options)
    {
        options ??= new CrdGeneratorOptions();
        var entities = types.Distinct().Select(t => (Type: t, Entity: t.GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{t.FullName} has no [KubernetesEntity] attribute", nameof(types)))).ToList();
        var result = new List<V1CustomResourceDefinition>();
        foreach (var kind in entities.GroupBy(e => (Group: e.Entity.Group ?? "", e.Entity.Kind)))
        {
            result.Add(ForKind(kind.Key.Group, kind.Key.Kind, [.. kind], options));
        }

        return [.. result.OrderBy(c => c.Metadata.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The custom resource classes of <paramref name="assembly"/>: public, non-abstract types with
    /// <c>[KubernetesEntity]</c>, except the KubernetesClient's built-in models. Types that fail to load are skipped.
    /// </summary>
    public static IReadOnlyList<Type> FindEntityTypes(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        if (assembly == typeof(V1Pod).Assembly)
        {
            return [];
        }

        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = [.. e.Types.OfType<Type>()];
        }

        return [.. types.Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false } && t.IsDefined(typeof(KubernetesEntityAttribute), inherit: false))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)];
    }

    private static V1CustomResourceDefinition ForKind(string group, string kind, List<(Type Type, KubernetesEntityAttribute Entity)> versions, CrdGeneratorOptions options)
    {
        if (group.Length == 0)
        {
            throw new ArgumentException($"{kind}: a custom resource needs a group ([KubernetesEntity(Group = \"example.com\")])");
        }

        var duplicate = versions.GroupBy(v => v.Entity.ApiVersion).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"{group}/{kind}: version {duplicate.Key} is declared by {string.Join(" and ", duplicate.Select(v => v.Type.FullName))}");
        }

        var storage = versions.Where(v => v.Type.IsDefined(typeof(StorageVersionAttribute), false)).ToList();
        var storageType = (versions.Count, storage.Count) switch
        {
            (1, _) => versions[0],
            (_, 1) => storage[0],
            _ => throw new ArgumentException(
                $"{group}/{kind}: {versions.Count} versions ({string.Join(", ", versions.Select(v => v.Entity.ApiVersion))}) need exactly one [StorageVersion], found {storage.Count}"),
        };

        var plural = string.IsNullOrEmpty(storageType.Entity.PluralName) ? Pluralize(kind.ToLowerInvariant()) : storageType.Entity.PluralName;
        foreach (var v in versions.Where(v => !string.IsNullOrEmpty(v.Entity.PluralName) && v.Entity.PluralName != plural))
        {
            throw new ArgumentException($"{group}/{kind}: {v.Type.FullName} has plural {v.Entity.PluralName}, {storageType.Type.FullName} has {plural}");
        }

        var t = storageType.Type;
        var scope = t.GetCustomAttribute<EntityScopeAttribute>()?.Scope ?? EntityScope.Namespaced;
        var names = new V1CustomResourceDefinitionNames
        {
            Kind = kind,
            ListKind = kind + "List",
            Plural = plural,
            Singular = t.GetCustomAttribute<SingularNameAttribute>()?.Name ?? kind.ToLowerInvariant(),
            ShortNames = t.GetCustomAttribute<ShortNamesAttribute>() is { Names.Count: > 0 } sn ? [.. sn.Names] : null,
            Categories = t.GetCustomAttribute<CategoriesAttribute>() is { Categories.Count: > 0 } cat ? [.. cat.Categories] : null,
        };

        return new V1CustomResourceDefinition
        {
            ApiVersion = "apiextensions.k8s.io/v1",
            Kind = "CustomResourceDefinition",
            Metadata = new V1ObjectMeta { Name = $"{plural}.{group}" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = group,
                Names = names,
                Scope = scope == EntityScope.Cluster ? "Cluster" : "Namespaced",
                Versions = [.. versions.OrderBy(v => v.Entity.ApiVersion, StringComparer.Ordinal).Select(v => Version(v.Type, v.Entity, v == storageType, options))],
            },
        };
    }

    private static V1CustomResourceDefinitionVersion Version(Type type, KubernetesEntityAttribute entity, bool storage, CrdGeneratorOptions options)
    {
        var deprecated = type.GetCustomAttribute<DeprecatedVersionAttribute>();
        var scale = type.GetCustomAttribute<ScaleSubresourceAttribute>();
        var status = type.IsDefined(typeof(StatusSubresourceAttribute), false);
        var columns = type.GetCustomAttributes<PrinterColumnAttribute>().Select(c => new V1CustomResourceColumnDefinition
        {
            Name = c.Name,
            Type = c.Type,
            JsonPath = c.JsonPath,
            Description = c.Description,
            Format = c.Format,
            Priority = c.Priority == 0 ? null : c.Priority,
        }).ToList();
        var selectable = type.GetCustomAttributes<SelectableFieldAttribute>().Select(f => new V1SelectableField { JsonPath = f.JsonPath }).ToList();
        return new V1CustomResourceDefinitionVersion
        {
            Name = entity.ApiVersion,
            Served = !type.IsDefined(typeof(UnservedVersionAttribute), false),
            Storage = storage,
            Deprecated = deprecated is null ? null : true,
            DeprecationWarning = deprecated?.Warning,
            Schema = new V1CustomResourceValidation { OpenAPIV3Schema = new OpenApiSchemaGenerator(options.Descriptions, options.BuiltInDescriptions).ForRoot(type) },
            Subresources = status || scale is not null
                ? new V1CustomResourceSubresources
                {
                    Status = status ? new Dictionary<string, object>() : null,
                    Scale = scale is null ? null : new V1CustomResourceSubresourceScale
                    {
                        SpecReplicasPath = scale.SpecReplicasPath,
                        StatusReplicasPath = scale.StatusReplicasPath,
                        LabelSelectorPath = scale.LabelSelectorPath,
                    },
                }
                : null,
            AdditionalPrinterColumns = columns.Count > 0 ? columns : null,
            SelectableFields = selectable.Count > 0 ? selectable : null,
        };
    }

    /// <summary>English plural of a lower-case kind, as kubebuilder's default (flect) for the common cases.</summary>
    internal static string Pluralize(string singular) => singular switch
    {
        _ when singular.EndsWith('s') || singular.EndsWith('x') || singular.EndsWith('z') || singular.EndsWith("ch", StringComparison.Ordinal)
            || singular.EndsWith("sh", StringComparison.Ordinal) => singular + "es",
        _ when singular.Length > 1 && singular[^1] == 'y' && !"aeiou".Contains(singular[^2], StringComparison.Ordinal) => singular[..^1] + "ies",
        _ => singular + "s",
    };
}
