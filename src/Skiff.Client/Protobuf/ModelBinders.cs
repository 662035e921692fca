using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;
using Skiff.Api.Protobuf;
using Skiff.Client.Rest;

namespace Skiff.Client.Protobuf;

/// <summary>
/// Builds and caches (thread-safe, once per message and type) the binders between schema messages and KubernetesClient
/// model types. A pair that cannot be bound (a property whose type does not fit its field) is remembered as unbindable
/// with the reason, and the callers fall back to the JSON object path.
/// </summary>
internal static class ModelBinders
{
    private static readonly ConcurrentDictionary<(ProtoMessage, Type), ModelBinder?> Cache = new();
    private static readonly ConcurrentDictionary<(ProtoMessage, Type), string> Failures = new();
    private static readonly Lock BuildLock = new();

    /// <summary>The binder of a message and a model type, or null when they cannot be bound.</summary>
    public static ModelBinder? Get(ProtoMessage message, Type type)
    {
        if (Cache.TryGetValue((message, type), out var binder))
        {
            return binder;
        }

        lock (BuildLock)
        {
            if (Cache.TryGetValue((message, type), out binder))
            {
                return binder;
            }

            var building = new Dictionary<(ProtoMessage, Type), ModelBinder>();
            try
            {
                binder = Build(message, type, building);
                foreach (var (key, value) in building)
                {
                    Cache.TryAdd(key, value);
                }
            }
            catch (BindException e)
            {
                Failures[(message, type)] = e.Message;
                Cache[(message, type)] = null;
                binder = null;
            }

            return binder;
        }
    }

    /// <summary>Why a message and type could not be bound (null when they could, or were never tried).</summary>
    public static string? FailureReason(ProtoMessage message, Type type) => Failures.GetValueOrDefault((message, type));

    private static ModelBinder Build(ProtoMessage message, Type type, Dictionary<(ProtoMessage, Type), ModelBinder> building)
    {
        if (building.TryGetValue((message, type), out var existing) || Cache.TryGetValue((message, type), out existing!) && existing is not null)
        {
            return existing;
        }

        if (message.Special != SpecialType.None)
        {
            throw new BindException($"{message.Name} is not a plain message");
        }

        if (message.Fields.Length > 64)
        {
            throw new BindException($"{message.Name} has more than 64 fields");
        }

        if (!type.IsClass || type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null || type == typeof(string))
        {
            throw new BindException($"{type.Name} is not a model class with a parameterless constructor");
        }

        if (type.GetCustomAttribute<JsonConverterAttribute>() is not null || KubernetesSerialization.Options.Converters.Any(c => c.CanConvert(type)))
        {
            throw new BindException($"{type.Name} has its own JSON converter (KubernetesClient reads it differently)");
        }

        // A generic `new T()` rather than a compiled expression: as fast when code is JIT-compiled, and not interpreted
        // where dynamic code is unsupported (native AOT, file-based apps).
        var factory = (Func<object>)typeof(ModelBinders).GetMethod(nameof(New), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type).CreateDelegate(typeof(Func<object>));
        var binder = new ModelBinder(message, type, factory);
        building[(message, type)] = binder;
        var properties = Properties(type);
        var byIndex = new FieldBinding?[message.Fields.Length];
        foreach (var field in message.Fields)
        {
            if (field.Inline)
            {
                byIndex[field.Index] = new InlineField(field, message, Build(field.Message!, type, building));
                continue;
            }

            byIndex[field.Index] = properties.TryGetValue(field.JsonName, out var property)
                ? Bind(field, message, type, property, building)
                : new UnboundField(field, message);
        }

        binder.SetFields(byIndex);
        return binder;
    }

    private static object New<T>()
        where T : new() => new T();

    private static Dictionary<string, PropertyInfo> Properties(Type type)
    {
        var result = new Dictionary<string, PropertyInfo>(StringComparer.Ordinal);
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0 || p.GetCustomAttribute<JsonIgnoreAttribute>() is { Condition: JsonIgnoreCondition.Always })
            {
                continue;
            }

            var name = p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name);
            result.TryAdd(name, p);
        }

        return result;
    }

    private static FieldBinding Bind(ProtoField field, ProtoMessage message, Type owner, PropertyInfo property, Dictionary<(ProtoMessage, Type), ModelBinder> building)
    {
        if (property.GetMethod is not { IsPublic: true } || property.SetMethod is not { IsPublic: true })
        {
            throw new BindException($"{owner.Name}.{property.Name} is not a public read/write property");
        }

        var propertyType = property.PropertyType;
        Type bindingType;
        Type valueType;
        switch (field.Label)
        {
            case ProtoLabel.Optional:
                valueType = propertyType;
                bindingType = typeof(OptionalField<,>);
                break;
            case ProtoLabel.Repeated:
                valueType = ElementType(propertyType, typeof(IList<>))
                    ?? throw new BindException($"{owner.Name}.{property.Name}: {propertyType.Name} is not IList<T> for repeated {field.JsonName}");
                bindingType = typeof(RepeatedField<,>);
                break;
            default:
                valueType = ElementType(propertyType, typeof(IDictionary<,>))
                    ?? throw new BindException($"{owner.Name}.{property.Name}: {propertyType.Name} is not IDictionary<string, T> for map {field.JsonName}");
                bindingType = typeof(MapField<,>);
                break;
        }

        var codec = Codec(field, valueType, building)
            ?? throw new BindException($"{owner.Name}.{property.Name}: {valueType} does not fit {message.Name}.{field.JsonName} ({field.Type} {field.Message?.Name})");
        var closed = bindingType.MakeGenericType(owner, valueType);
        var getter = Delegate.CreateDelegate(typeof(Func<,>).MakeGenericType(owner, propertyType), property.GetMethod);
        var setter = Delegate.CreateDelegate(typeof(Action<,>).MakeGenericType(owner, propertyType), property.SetMethod);
        return (FieldBinding)Activator.CreateInstance(closed, field, message, codec, getter, setter)!;
    }

    /// <summary>T of IList&lt;T&gt; (or the value type of IDictionary&lt;string, T&gt;) when the property is exactly that interface.</summary>
    private static Type? ElementType(Type propertyType, Type generic)
    {
        if (!propertyType.IsGenericType || propertyType.GetGenericTypeDefinition() != generic)
        {
            return null;
        }

        var args = propertyType.GetGenericArguments();
        return generic == typeof(IList<>) ? args[0] : args[0] == typeof(string) ? args[1] : null;
    }

    private static object? Codec(ProtoField field, Type t, Dictionary<(ProtoMessage, Type), ModelBinder> building)
    {
        var is64 = field.Type == ProtoType.Int64;
        switch (field.Type)
        {
            case ProtoType.String:
                return t == typeof(string) ? StringCodec.Instance : null;
            case ProtoType.Bytes:
                return t == typeof(byte[]) ? BytesCodec.Instance : null;
            case ProtoType.Bool:
                return t == typeof(bool?) ? NullableBoolCodec.Instance : t == typeof(bool) ? BoolCodec.Instance : null;
            case ProtoType.Int32:
            case ProtoType.Int64:
                return t == typeof(int?) ? new NullableInt32Codec(is64)
                    : t == typeof(long?) ? new NullableInt64Codec(is64)
                    : t == typeof(int) ? new Int32Codec(is64)
                    : t == typeof(long) ? new Int64Codec(is64)
                    : null;
        }

        var message = field.Message!;
        switch (message.Special)
        {
            case SpecialType.Time:
            case SpecialType.MicroTime:
                var micro = message.Special == SpecialType.MicroTime;
                return t == typeof(DateTime?) ? new NullableTimeCodec(micro) : t == typeof(DateTime) ? new TimeCodec(micro) : null;
            case SpecialType.Duration:
                return t == typeof(string) ? DurationCodec.Instance : null;
            case SpecialType.Quantity:
                return t == typeof(ResourceQuantity) ? QuantityCodec.Instance : null;
            case SpecialType.IntOrString:
                return t == typeof(IntOrString) ? IntOrStringCodec.Instance : null;
            case SpecialType.RawExtension:
            case SpecialType.FieldsV1:
                return t == typeof(object) ? new RawCodec(message.Name) : null;
            case SpecialType.StringList:
                return t == typeof(IList<string>) ? StringListCodec.Instance : null;
            default:
                if (t == typeof(object) && message.Fields.Length == 0)
                {
                    return new EmptyMessageCodec(message.Name);
                }

                if (t == typeof(string) || t == typeof(object) || !t.IsClass || t.IsGenericType)
                {
                    return null;
                }

                var nested = Build(message, t, building);
                return Activator.CreateInstance(typeof(MessageCodec<>).MakeGenericType(t), nested);
        }
    }

    private sealed class BindException(string message) : Exception(message);
}
