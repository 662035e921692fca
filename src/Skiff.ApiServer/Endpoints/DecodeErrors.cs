using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Endpoints;

/// <summary>
/// Upstream's messages for a request body that cannot be decoded into the endpoint's kind (apiserver
/// <c>handlers.transformDecodeError</c>), for built-in resources:
/// <list type="bullet">
/// <item>no type information could be read (malformed JSON or YAML, not an object):
/// <c>the object provided is unrecognized (must be of type Namespace): ERROR (SUMMARY)</c>, where SUMMARY is the body's
/// first 30 bytes, as text when it starts with '{', else hex, then " ..." when cut;</item>
/// <item>a body naming another kind: <c>Pod in version "v1" cannot be handled as a Namespace: REASON</c>, REASON being
/// the conversion failure for a kind the server knows in that version and "no kind is registered" otherwise.</item>
/// </list>
/// Custom resources keep the CRD handler's own messages (<c>the kind in the data … does not match …</c>).
/// </summary>
internal static class DecodeErrors
{
    /// <summary>Go's error for unmarshalling a non-object into upstream's type-meta struct.</summary>
    private const string TypeMetaStruct = "struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }";

    /// <summary>400: the body's type could not be read at all.</summary>
    public static StatusException Unrecognized(string kind, string error, ReadOnlySpan<byte> body) =>
        StatusErrors.BadRequest($"the object provided is unrecognized (must be of type {kind}): {error} ({Summarize(body, 30)})");

    /// <summary>The decoder's error for a JSON value that is not an object (Go's "cannot unmarshal X into Go value").</summary>
    public static string NotAnObject(JsonNode? node) =>
        "couldn't get version/kind; json parse error: json: cannot unmarshal " + GoKind(node) + " into Go value of type " + TypeMetaStruct;

    /// <summary>
    /// 400 when <paramref name="obj"/> names a kind other than <paramref name="d"/>'s, or its kind in another group;
    /// null when it names the same or leaves them out (they are defaulted).
    /// </summary>
    public static StatusException? CheckKind(ResourceDescriptor d, JsonObject obj, ResourceRegistry registry)
    {
        if (d.Custom)
        {
            return null;
        }

        var apiVersion = ResourceEndpoint.JsonString(obj["apiVersion"]);
        var kind = ResourceEndpoint.JsonString(obj["kind"]);
        var gv = apiVersion.Length > 0 ? apiVersion : d.GroupVersion;
        kind = kind.Length > 0 ? kind : d.Kind;
        var slash = gv.IndexOf('/', StringComparison.Ordinal);
        var (group, version) = slash < 0 ? ("", gv) : (gv[..slash], gv[(slash + 1)..]);
        if (kind == d.Kind && group == d.Group)
        {
            // The same kind in another version of its group converts upstream (policy/v1beta1 Evictions); whether this
            // server accepts that version is the store's check.
            return null;
        }

        var known = registry.All.Any(r => r.Group == group && r.Version == version && r.Kind == kind);
        var reason = known
            ? $"converting ({version}.{kind}) to ({InternalPackage(d.Group)}.{d.Kind}): unknown conversion"
            : $"no kind \"{kind}\" is registered for version \"{gv}\" in scheme \"pkg/api/legacyscheme/scheme.go:30\"";
        return StatusErrors.BadRequest($"{kind} in version \"{version}\" cannot be handled as a {d.Kind}: {reason}");
    }

    /// <summary>Upstream's <c>summarizeData</c>.</summary>
    internal static string Summarize(ReadOnlySpan<byte> data, int max)
    {
        if (data.Length == 0)
        {
            return "<empty>";
        }

        var cut = data.Length > max;
        var head = cut ? data[..max] : data;
        var text = data[0] == (byte)'{' ? System.Text.Encoding.UTF8.GetString(head) : Convert.ToHexStringLower(head);
        return cut ? text + " ..." : text;
    }

    /// <summary>The Go package of a group's internal types: <c>core</c> for the core group, else its first label.</summary>
    private static string InternalPackage(string group) => group.Length == 0 ? "core" : group.Split('.')[0];

    private static string GoKind(JsonNode? node) => node switch
    {
        JsonArray => "array",
        JsonValue v when v.TryGetValue<string>(out _) => "string",
        JsonValue v when v.TryGetValue<bool>(out _) => "bool",
        _ => "number",
    };
}
