using System.Collections;
using System.ComponentModel;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;
using Skiff.Client.Rest;

namespace Skiff.Client.Entities;

/// <summary>
/// Builds the structural OpenAPI v3 schema of a CLR type as controller-tools builds it from a Go type: objects with
/// <c>properties</c> (JSON names, sorted) and <c>required</c>, arrays (<c>items</c>), maps (<c>additionalProperties</c>),
/// scalars with their formats, the validation attributes of <see cref="Entities"/>, and descriptions from
/// <see cref="DescriptionAttribute"/> or XML documentation. A type that contains itself becomes an object that
/// preserves unknown fields (a structural schema cannot recurse).
/// </summary>
internal sealed class OpenApiSchemaGenerator(bool descriptions, bool builtInDescriptions = false)
{
    private const string QuantityPattern = @"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

    private readonly HashSet<Type> _stack = [];

    /// <summary>The schema of a custom resource class: apiVersion, kind, metadata (<c>type: object</c>) and its own properties.</summary>
    public V1JSONSchemaProps ForRoot(Type type)
    {
        _stack.Add(type);
        try
        {
            var schema = ForObject(type, root: true);
            ApplyTypeAttributes(schema, type);
            return schema;
        }
        finally
        {
            _stack.Remove(type);
        }
    }

    private V1JSONSchemaProps ForType(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var scalar = Scalar(type);
        if (scalar is not null)
        {
            return scalar;
        }

        if (type.IsEnum)
        {
            return new V1JSONSchemaProps
            {
                Type = "string",
                EnumProperty = [.. type.GetFields(BindingFlags.Public | BindingFlags.Static)
                    .Select(f => (object)(f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name))],
                Description = Describe(type),
            };
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            return new V1JSONSchemaProps { Type = "object", AdditionalProperties = ForType(valueType) };
        }

        if (ItemType(type) is { } itemType)
        {
            return new V1JSONSchemaProps { Type = "array", Items = ForType(itemType) };
        }

        if (!_stack.Add(type))
        {
            return new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true, Description = Describe(type) };
        }

        try
        {
            var schema = ForObject(type, root: false);
            ApplyTypeAttributes(schema, type);
            return schema;
        }
        finally
        {
            _stack.Remove(type);
        }
    }

    private static V1JSONSchemaProps? Scalar(Type type)
    {
        if (type == typeof(string) || type == typeof(char) || type == typeof(TimeSpan) || type == typeof(Uri))
        {
            return new V1JSONSchemaProps { Type = "string" };
        }

        if (type == typeof(bool))
        {
            return new V1JSONSchemaProps { Type = "boolean" };
        }

        if (type == typeof(int) || type == typeof(short) || type == typeof(byte) || type == typeof(sbyte) || type == typeof(ushort))
        {
            return new V1JSONSchemaProps { Type = "integer", Format = "int32" };
        }

        if (type == typeof(long) || type == typeof(uint) || type == typeof(ulong))
        {
            return new V1JSONSchemaProps { Type = "integer", Format = "int64" };
        }

        if (type == typeof(float))
        {
            return new V1JSONSchemaProps { Type = "number", Format = "float" };
        }

        if (type == typeof(double) || type == typeof(decimal))
        {
            return new V1JSONSchemaProps { Type = "number", Format = type == typeof(double) ? "double" : null };
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return new V1JSONSchemaProps { Type = "string", Format = "date-time" };
        }

        if (type == typeof(DateOnly))
        {
            return new V1JSONSchemaProps { Type = "string", Format = "date" };
        }

        if (type == typeof(Guid))
        {
            return new V1JSONSchemaProps { Type = "string", Format = "uuid" };
        }

        if (type == typeof(byte[]))
        {
            return new V1JSONSchemaProps { Type = "string", Format = "byte" };
        }

        if (type == typeof(IntOrString))
        {
            return IntOrString();
        }

        if (type == typeof(ResourceQuantity))
        {
            var q = IntOrString();
            q.Pattern = QuantityPattern;
            return q;
        }

        if (type == typeof(JsonObject))
        {
            return new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true };
        }

        if (type == typeof(JsonElement) || type == typeof(JsonNode) || type == typeof(object))
        {
            return new V1JSONSchemaProps { XKubernetesPreserveUnknownFields = true };
        }

        if (type == typeof(V1ObjectMeta))
        {
            // An embedded ObjectMeta (a pod template's) as controller-tools' generateEmbeddedObjectMeta writes it, so the
            // API server keeps its labels and annotations instead of pruning them.
            return new V1JSONSchemaProps
            {
                Type = "object",
                Properties = new Dictionary<string, V1JSONSchemaProps>
                {
                    ["annotations"] = new() { Type = "object", AdditionalProperties = new V1JSONSchemaProps { Type = "string" } },
                    ["finalizers"] = new() { Type = "array", Items = new V1JSONSchemaProps { Type = "string" } },
                    ["labels"] = new() { Type = "object", AdditionalProperties = new V1JSONSchemaProps { Type = "string" } },
                    ["name"] = new() { Type = "string" },
                    ["namespace"] = new() { Type = "string" },
                },
            };
        }

        return null;
    }

    private static V1JSONSchemaProps IntOrString() => new()
    {
        AnyOf = [new V1JSONSchemaProps { Type = "integer" }, new V1JSONSchemaProps { Type = "string" }],
        XKubernetesIntOrString = true,
    };

    private V1JSONSchemaProps ForObject(Type type, bool root)
    {
        var properties = new SortedDictionary<string, V1JSONSchemaProps>(StringComparer.Ordinal);
        var required = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0 || p.GetMethod is null || !p.GetMethod.IsPublic
                || p.GetCustomAttribute<JsonIgnoreAttribute>() is { Condition: JsonIgnoreCondition.Always })
            {
                continue;
            }

            var name = JsonName(p);
            if (properties.ContainsKey(name))
            {
                continue;
            }

            properties[name] = root ? RootProperty(name, p) : ForProperty(p);
            if (p.GetCustomAttribute<RequiredAttribute>() is not null || p.GetCustomAttribute<JsonRequiredAttribute>() is not null
                || p.GetCustomAttribute<RequiredMemberAttribute>() is not null && IsCSharpRequired(p))
            {
                required.Add(name);
            }
        }

        return new V1JSONSchemaProps
        {
            Type = "object",
            Description = Describe(type),
            Properties = properties.Count > 0 ? new Dictionary<string, V1JSONSchemaProps>(properties) : null,
            Required = required.Count > 0 ? [.. required] : null,
        };
    }

    // A C# `required` member carries [RequiredMember] (and its type too); checking the property is enough.
    private static bool IsCSharpRequired(PropertyInfo p) => p.IsDefined(typeof(RequiredMemberAttribute), inherit: false);

    private V1JSONSchemaProps RootProperty(string name, PropertyInfo p) => name switch
    {
        "apiVersion" => new V1JSONSchemaProps
        {
            Type = "string",
            Description = descriptions ? "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources" : null,
        },
        "kind" => new V1JSONSchemaProps
        {
            Type = "string",
            Description = descriptions ? "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds" : null,
        },
        "metadata" => new V1JSONSchemaProps { Type = "object" },
        _ => ForProperty(p),
    };

    private V1JSONSchemaProps ForProperty(PropertyInfo p)
    {
        var schema = p.GetCustomAttribute<IntOrStringAttribute>() is not null ? IntOrString() : ForType(p.PropertyType);
        if (PropertyDoc(p) is { } doc)
        {
            schema.Description = doc;
        }

        Apply(schema, p);
        if (p.GetCustomAttribute<DefaultAttribute>() is { } d)
        {
            schema.DefaultProperty = d.ToJson();
        }

        if (p.GetCustomAttribute<NullableAttribute>() is not null)
        {
            schema.Nullable = true;
        }

        if (p.GetCustomAttribute<ListTypeAttribute>() is { } lt)
        {
            schema.XKubernetesListType = lt.Type.ToString().ToLowerInvariant();
        }

        if (p.GetCustomAttribute<ListMapKeysAttribute>() is { } keys)
        {
            schema.XKubernetesListMapKeys = [.. keys.Keys];
        }

        return schema;
    }

    private void ApplyTypeAttributes(V1JSONSchemaProps schema, Type type) => Apply(schema, type);

    // The attributes allowed on both properties and types.
    private static void Apply(V1JSONSchemaProps schema, MemberInfo member)
    {
        if (member.GetCustomAttribute<FormatAttribute>() is { } f)
        {
            schema.Format = f.Format;
        }

        if (member.GetCustomAttribute<MinimumAttribute>() is { } min)
        {
            schema.Minimum = min.Value;
            schema.ExclusiveMinimum = min.Exclusive ? true : null;
        }

        if (member.GetCustomAttribute<MaximumAttribute>() is { } max)
        {
            schema.Maximum = max.Value;
            schema.ExclusiveMaximum = max.Exclusive ? true : null;
        }

        schema.MultipleOf = member.GetCustomAttribute<MultipleOfAttribute>()?.Value ?? schema.MultipleOf;
        schema.MinLength = member.GetCustomAttribute<MinLengthAttribute>()?.Value ?? schema.MinLength;
        schema.MaxLength = member.GetCustomAttribute<MaxLengthAttribute>()?.Value ?? schema.MaxLength;
        schema.MinItems = member.GetCustomAttribute<MinItemsAttribute>()?.Value ?? schema.MinItems;
        schema.MaxItems = member.GetCustomAttribute<MaxItemsAttribute>()?.Value ?? schema.MaxItems;
        schema.MinProperties = member.GetCustomAttribute<MinPropertiesAttribute>()?.Value ?? schema.MinProperties;
        schema.MaxProperties = member.GetCustomAttribute<MaxPropertiesAttribute>()?.Value ?? schema.MaxProperties;
        schema.Pattern = member.GetCustomAttribute<PatternAttribute>()?.Pattern ?? schema.Pattern;
        if (member.GetCustomAttribute<EnumValuesAttribute>() is { } e)
        {
            schema.EnumProperty = [.. e.Values.Select(v => (object)JsonSerializer.SerializeToNode(v, v.GetType(), KubernetesSerialization.Options)!)];
        }

        if (member.GetCustomAttribute<PreserveUnknownFieldsAttribute>() is not null)
        {
            schema.XKubernetesPreserveUnknownFields = true;
        }

        if (member.GetCustomAttribute<EmbeddedResourceAttribute>() is not null)
        {
            schema.Type ??= "object";
            schema.XKubernetesEmbeddedResource = true;
        }

        if (member.GetCustomAttribute<MapTypeAttribute>() is { } mt)
        {
            schema.XKubernetesMapType = mt.Type.ToString().ToLowerInvariant();
        }

        var rules = member.GetCustomAttributes<ValidationRuleAttribute>().ToList();
        if (rules.Count > 0)
        {
            schema.XKubernetesValidations = [.. schema.XKubernetesValidations ?? [], .. rules.Select(r => new V1ValidationRule
            {
                Rule = r.Rule,
                Message = r.Message,
                MessageExpression = r.MessageExpression,
                Reason = r.Reason,
                FieldPath = r.FieldPath,
                OptionalOldSelf = r.OptionalOldSelf ? true : null,
            })];
        }
    }

    private string? Describe(Type type) => Describes(type)
        ? type.GetCustomAttribute<DescriptionAttribute>()?.Description ?? XmlDocComments.Of(type)
        : null;

    private string? PropertyDoc(PropertyInfo p) => p.DeclaringType is { } t && Describes(t)
        ? p.GetCustomAttribute<DescriptionAttribute>()?.Description ?? XmlDocComments.Of(p)
        : null;

    private bool Describes(Type type) => descriptions && (builtInDescriptions || type.Assembly != typeof(V1Pod).Assembly);

    /// <summary>The JSON name the client's serializer uses: <c>[JsonPropertyName]</c>, else its naming policy (camelCase).</summary>
    public static string JsonName(PropertyInfo p) =>
        p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
        ?? KubernetesSerialization.Options.PropertyNamingPolicy?.ConvertName(p.Name)
        ?? p.Name;

    private static Type? DictionaryValueType(Type type)
    {
        foreach (var i in type.IsInterface ? [type, .. type.GetInterfaces()] : type.GetInterfaces())
        {
            if (i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)))
            {
                var args = i.GetGenericArguments();
                if (args[0] != typeof(string))
                {
                    throw new NotSupportedException($"{type}: map keys must be strings (JSON object keys)");
                }

                return args[1];
            }
        }

        return null;
    }

    private static Type? ItemType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        foreach (var i in type.IsInterface ? [type, .. type.GetInterfaces()] : type.GetInterfaces())
        {
            if (i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            {
                return i.GetGenericArguments()[0];
            }
        }

        return null;
    }
}
