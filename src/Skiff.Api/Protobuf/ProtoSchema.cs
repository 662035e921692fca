using System.Diagnostics.CodeAnalysis;

namespace Skiff.Api.Protobuf;

/// <summary>
/// The Kubernetes 1.32 protobuf schema, loaded once from the embedded resource k8s-proto-schema.txt (written by
/// tools/Skiff.ProtoSchemaGen), and the mapping from apiVersion + kind to a message.
/// </summary>
public sealed class ProtoSchema
{
    private const string MetaV1 = "k8s.io.apimachinery.pkg.apis.meta.v1.";

    // Kinds upstream registers in every group version (metav1.AddToGroupVersion) or as unversioned meta types.
    private static readonly HashSet<string> MetaKinds = new(StringComparer.Ordinal)
    {
        "Status", "WatchEvent", "DeleteOptions", "CreateOptions", "UpdateOptions", "PatchOptions", "GetOptions",
        "ListOptions", "APIVersions", "APIGroup", "APIGroupList", "APIResourceList", "Table", "TableOptions",
        "PartialObjectMetadata", "PartialObjectMetadataList", "List",
    };

    private static readonly Lazy<ProtoSchema> LazyInstance = new(Load);

    private readonly Dictionary<string, ProtoMessage> _messages;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), ProtoMessage> _kindCache = new();

    private ProtoSchema(Dictionary<string, ProtoMessage> messages) => _messages = messages;

    public static ProtoSchema Instance => LazyInstance.Value;

    public int MessageCount => _messages.Count;

    public ProtoMessage? Message(string name) => _messages.GetValueOrDefault(name);

    /// <summary>The message for a kind: group "" is core, "apps" is k8s.io.api.apps, "x.k8s.io" is x, with the
    /// meta kinds (Status, DeleteOptions, WatchEvent, …) registered in every version.</summary>
    public bool TryGetKind(string apiVersion, string kind, [NotNullWhen(true)] out ProtoMessage? message)
    {
        if (_kindCache.TryGetValue((apiVersion, kind), out message))
        {
            return true;
        }

        message = Resolve(apiVersion, kind);
        if (message is null)
        {
            return false; // misses are not cached: the keys come from untrusted input
        }

        _kindCache.TryAdd((apiVersion, kind), message);
        return true;
    }

    private ProtoMessage? Resolve(string apiVersion, string kind)
    {
        if (kind.Length == 0 || apiVersion.Length == 0)
        {
            return null;
        }

        var slash = apiVersion.IndexOf('/');
        var group = slash < 0 ? string.Empty : apiVersion[..slash];
        var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        if (version.Length == 0 || version.Contains('/') || version.Contains('.'))
        {
            return null;
        }

        var package = group switch
        {
            "" => "core",
            "internal.apiserver.k8s.io" => "apiserverinternal",
            "meta.k8s.io" => null,
            _ when group.EndsWith(".k8s.io", StringComparison.Ordinal) => group[..group.IndexOf('.')],
            _ when !group.Contains('.') => group,
            _ => null,
        };
        if (package is not null && _messages.TryGetValue($"k8s.io.api.{package}.{version}.{kind}", out var m) && m.IsKind)
        {
            return m;
        }

        if ((package is not null || group == "meta.k8s.io") && MetaKinds.Contains(kind)
            && _messages.TryGetValue(MetaV1 + kind, out var meta))
        {
            return meta;
        }

        if (package == "core" && kind == "List" && _messages.TryGetValue("k8s.io.api.core.v1.List", out var list))
        {
            return list;
        }

        return null;
    }

    private static ProtoSchema Load()
    {
        using var stream = typeof(ProtoSchema).Assembly.GetManifestResourceStream("Skiff.Api.Protobuf.k8s-proto-schema.txt")
            ?? throw new InvalidOperationException("embedded resource k8s-proto-schema.txt is missing");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }

    /// <summary>Parses the resource format documented in tools/Skiff.ProtoSchemaGen/SchemaGenerator.cs.</summary>
    internal static ProtoSchema Parse(TextReader reader)
    {
        var messages = new Dictionary<string, ProtoMessage>(StringComparer.Ordinal);
        var pending = new List<(ProtoMessage Message, List<(ProtoField Field, string TypeName)> Fields)>();
        List<(ProtoField, string)>? current = null;
        var package = string.Empty;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var parts = line.Split(' ');
            if (line[0] == '=')
            {
                var name = parts[0][1..];
                package = name[..name.LastIndexOf('.')];
                var message = new ProtoMessage(name, parts.Length > 1 && parts[1] == "K");
                messages[name] = message;
                current = [];
                pending.Add((message, current));
                continue;
            }

            if (current is null || parts.Length < 5)
            {
                throw new FormatException($"bad schema line: {line}");
            }

            var label = parts[2] switch { "o" => ProtoLabel.Optional, "r" => ProtoLabel.Repeated, "m" => ProtoLabel.Map, _ => throw new FormatException(line) };
            var flags = parts[3];
            var typeName = Expand(label == ProtoLabel.Map ? parts[5] : parts[4], package);
            if (label == ProtoLabel.Map && parts[4] != "string")
            {
                throw new FormatException($"only string map keys are supported: {line}");
            }

            var type = typeName switch
            {
                "string" => ProtoType.String,
                "bytes" => ProtoType.Bytes,
                "bool" => ProtoType.Bool,
                "int32" => ProtoType.Int32,
                "int64" => ProtoType.Int64,
                _ => ProtoType.Message,
            };
            var field = new ProtoField(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), parts[1], label, type,
                flags.Contains('p'), flags.Contains('e'), flags.Contains('i'));
            current.Add((field, typeName));
        }

        foreach (var (message, fields) in pending)
        {
            foreach (var (field, typeName) in fields)
            {
                if (field.Type == ProtoType.Message)
                {
                    field.Message = messages.GetValueOrDefault(typeName) ?? throw new FormatException($"{message.Name}: unknown type {typeName}");
                }
            }

            message.SetFields(fields.Select(f => f.Field).ToList());
        }

        return new ProtoSchema(messages);
    }

    private static string Expand(string type, string package) => type[0] switch
    {
        '.' => package + type,
        '@' => "k8s.io.api." + type[1..],
        '~' => "k8s.io.apimachinery.pkg." + type[1..],
        _ => type,
    };
}
