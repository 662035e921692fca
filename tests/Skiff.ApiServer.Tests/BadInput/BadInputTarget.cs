using System.Text;

namespace Skiff.ApiServer.Tests.BadInput;

/// <summary>
/// One endpoint and verb the corpus is sent to: the method and path, the media type a patch is sent as (null: the
/// body's own), which bodies it takes, and the values of the placeholders of a generic body.
/// </summary>
public sealed record BadInputTarget(string Name, HttpMethod Method, string Path, BodyUse Use, string ApiVersion, string Kind, string ObjectName, string? PatchType = null)
{
    private const string Ns = "/namespaces/default";

    /// <summary>Every target: object requests (create, update, subresources, reviews), patches of each type, deletes.</summary>
    public static IReadOnlyList<BadInputTarget> All { get; } =
    [
        Obj("create configmap", HttpMethod.Post, "/api/v1" + Ns + "/configmaps", "v1", "ConfigMap", "bad-input"),
        Obj("update configmap", HttpMethod.Put, "/api/v1" + Ns + "/configmaps/existing", "v1", "ConfigMap", "existing"),
        Obj("create namespace", HttpMethod.Post, "/api/v1/namespaces", "v1", "Namespace", "bad-input"),
        Obj("create deployment", HttpMethod.Post, "/apis/apps/v1" + Ns + "/deployments", "apps/v1", "Deployment", "bad-input"),
        Obj("update deployment", HttpMethod.Put, "/apis/apps/v1" + Ns + "/deployments/existing", "apps/v1", "Deployment", "existing"),
        Obj("update deployment/status", HttpMethod.Put, "/apis/apps/v1" + Ns + "/deployments/existing/status", "apps/v1", "Deployment", "existing"),
        Obj("update deployment/scale", HttpMethod.Put, "/apis/apps/v1" + Ns + "/deployments/existing/scale", "autoscaling/v1", "Scale", "existing"),
        Obj("create controllerrevision", HttpMethod.Post, "/apis/apps/v1" + Ns + "/controllerrevisions", "apps/v1", "ControllerRevision", "bad-input"),
        Obj("create pod/binding", HttpMethod.Post, "/api/v1" + Ns + "/pods/existing/binding", "v1", "Binding", "existing"),
        Obj("create pod/eviction", HttpMethod.Post, "/api/v1" + Ns + "/pods/existing/eviction", "policy/v1", "Eviction", "existing"),
        Obj("create widget (custom)", HttpMethod.Post, "/apis/example.com/v1" + Ns + "/widgets", "example.com/v1", "Widget", "bad-input"),
        Obj("update widget (custom)", HttpMethod.Put, "/apis/example.com/v1" + Ns + "/widgets/existing", "example.com/v1", "Widget", "existing"),
        Obj("selfsubjectaccessreview", HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "authorization.k8s.io/v1", "SelfSubjectAccessReview", "bad-input"),
        Obj("selfsubjectrulesreview", HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", "authorization.k8s.io/v1", "SelfSubjectRulesReview", "bad-input"),
        Obj("selfsubjectreview", HttpMethod.Post, "/apis/authentication.k8s.io/v1/selfsubjectreviews", "authentication.k8s.io/v1", "SelfSubjectReview", "bad-input"),
        .. Patches("configmap", "/api/v1" + Ns + "/configmaps/existing", "v1", "ConfigMap", Merge, Strategic, Apply, JsonPatchType),
        .. Patches("deployment", "/apis/apps/v1" + Ns + "/deployments/existing", "apps/v1", "Deployment", Merge, Strategic, Apply, JsonPatchType),
        .. Patches("deployment/status", "/apis/apps/v1" + Ns + "/deployments/existing/status", "apps/v1", "Deployment", Merge, Apply),
        .. Patches("deployment/scale", "/apis/apps/v1" + Ns + "/deployments/existing/scale", "autoscaling/v1", "Scale", Merge, JsonPatchType),
        .. Patches("widget (custom)", "/apis/example.com/v1" + Ns + "/widgets/existing", "example.com/v1", "Widget", Merge, Apply, JsonPatchType),
        new("delete configmap", HttpMethod.Delete, "/api/v1" + Ns + "/configmaps/existing", BodyUse.Delete, "v1", "DeleteOptions", "existing"),
        new("deletecollection configmaps", HttpMethod.Delete, "/api/v1" + Ns + "/configmaps", BodyUse.Delete, "v1", "DeleteOptions", "existing"),
    ];

    private const string Merge = "application/merge-patch+json";
    private const string Strategic = "application/strategic-merge-patch+json";
    private const string Apply = "application/apply-patch+yaml";
    private const string JsonPatchType = "application/json-patch+json";

    /// <summary>Whether <paramref name="body"/> is sent to this target (huge bodies only to a few).</summary>
    public bool Takes(BadBody body)
    {
        if ((Use & body.Use) == 0 || (body.ValidationOnly && !Validates) || (body.ValidYaml && PatchType == Apply))
        {
            return false;
        }

        if (body.Huge && Name is not ("create configmap" or "patch configmap (merge)"))
        {
            return false;
        }

        if (PatchType is null)
        {
            return true;
        }

        // JSON patches go only as JSON patches; YAML only as apply; JSON as every other patch type; protobuf never.
        return body.ContentType switch
        {
            BadInputCorpus.JsonPatch => PatchType == JsonPatchType,
            BadInputCorpus.Yaml => PatchType == Apply,
            BadInputCorpus.Json => PatchType != JsonPatchType,
            BadInputCorpus.Protobuf => false,
            _ => PatchType == Merge,
        };
    }

    /// <summary>False for the targets that never validate the body's metadata (reviews, bindings, evictions).</summary>
    public bool Validates => !(Kind.StartsWith("SelfSubject", StringComparison.Ordinal) || Kind is "Binding" or "Eviction");

    /// <summary>The media type to send <paramref name="body"/> with.</summary>
    public string ContentTypeFor(BadBody body) =>
        PatchType is null || body.ContentType is not (BadInputCorpus.Json or BadInputCorpus.Yaml or BadInputCorpus.JsonPatch) ? body.ContentType : PatchType;

    /// <summary>The path and query (apply needs a field manager).</summary>
    public string PathAndQuery => PatchType == Apply ? Path + "?fieldManager=bad-input" : Path;

    /// <summary>The body with this target's placeholders filled in.</summary>
    public byte[] Fill(BadBody body)
    {
        if (body.Bytes.AsSpan().IndexOf((byte)'@') < 0)
        {
            return body.Bytes;
        }

        // Placeholders are ASCII, so replacing them in the bytes keeps any invalid UTF-8 around them intact.
        var bytes = body.Bytes;
        bytes = Replace(bytes, "@APIVERSION@", ApiVersion);
        bytes = Replace(bytes, "@KIND@", Kind);
        return Replace(bytes, "@NAME@", ObjectName);
    }

    public override string ToString() => Name;

    private static BadInputTarget Obj(string name, HttpMethod method, string path, string apiVersion, string kind, string objectName) =>
        new(name, method, path, BodyUse.Object, apiVersion, kind, objectName);

    private static IEnumerable<BadInputTarget> Patches(string what, string path, string apiVersion, string kind, params string[] types) =>
        types.Select(t => new BadInputTarget($"patch {what} ({ShortName(t)})", HttpMethod.Patch, path, BodyUse.Patch, apiVersion, kind, "existing", t));

    private static string ShortName(string patchType) => patchType switch
    {
        Merge => "merge",
        Strategic => "strategic",
        Apply => "apply",
        _ => "json-patch",
    };

    private static byte[] Replace(byte[] bytes, string placeholder, string value)
    {
        var from = Encoding.ASCII.GetBytes(placeholder);
        var to = Encoding.UTF8.GetBytes(value);
        var output = new List<byte>(bytes.Length);
        var span = bytes.AsSpan();
        while (true)
        {
            var at = span.IndexOf(from);
            if (at < 0)
            {
                output.AddRange(span);
                return [.. output];
            }

            output.AddRange(span[..at]);
            output.AddRange(to);
            span = span[(at + from.Length)..];
        }
    }
}
