using System.Text;

namespace Skiff.ApiServer.Tests.BadInput;

/// <summary>
/// The malformed bodies of the bad-input suite. Text bodies may hold the placeholders <c>@APIVERSION@</c>,
/// <c>@KIND@</c> and <c>@NAME@</c>, replaced by each target's own (so a body reaches that resource's code path
/// rather than stopping at a kind mismatch). Deterministic: built from fixed seeds.
/// </summary>
public static partial class BadInputCorpus
{
    public const string Json = "application/json";
    public const string Yaml = "application/yaml";
    public const string Protobuf = "application/vnd.kubernetes.protobuf";
    public const string JsonPatch = "application/json-patch+json";

    /// <summary>The type meta of a generic body.</summary>
    private const string Head = "\"apiVersion\":\"@APIVERSION@\",\"kind\":\"@KIND@\"";

    private static readonly Lazy<IReadOnlyList<BadBody>> LazyAll = new(() => [.. JsonBodies(), .. YamlBodies(), .. ProtobufBodies(), .. OtherBodies()]);

    /// <summary>Every body of the corpus.</summary>
    public static IReadOnlyList<BadBody> All => LazyAll.Value;

    /// <summary>A body made of UTF-8 strings and raw byte arrays (for invalid UTF-8).</summary>
    private static byte[] Compose(params object[] parts)
    {
        var output = new List<byte>();
        foreach (var part in parts)
        {
            output.AddRange(part switch
            {
                string s => Encoding.UTF8.GetBytes(s),
                byte[] b => b,
                _ => throw new ArgumentException("strings and byte arrays only", nameof(parts)),
            });
        }

        return [.. output];
    }

    private static BadBody Text(string name, string contentType, string text, BodyUse use = BodyUse.Object | BodyUse.Patch) =>
        new(name, contentType, Encoding.UTF8.GetBytes(text), use);

    private static string Repeat(string s, int count) => new StringBuilder(s.Length * count).Insert(0, s, count).ToString();

    private static IEnumerable<BadBody> OtherBodies()
    {
        const string body = "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\"}}";
        yield return Text("unsupported-text-plain", "text/plain", body, BodyUse.Object | BodyUse.Patch);
        yield return Text("unsupported-xml", "application/xml", "<ConfigMap/>", BodyUse.Object | BodyUse.Patch);
        yield return Text("unsupported-json-patch-as-object", JsonPatch, body, BodyUse.Object);
        yield return Text("unsupported-form", "application/x-www-form-urlencoded", "a=b", BodyUse.All);

        // DeleteOptions of the wrong shape: the delete must not go ahead.
        foreach (var options in new[]
                 {
                     "{\"gracePeriodSeconds\":\"x\"}", "{\"gracePeriodSeconds\":1.5}", "{\"gracePeriodSeconds\":1e400}", "{\"propagationPolicy\":5}",
                     "{\"propagationPolicy\":\"Sometimes\"}", "{\"orphanDependents\":\"yes\"}", "{\"preconditions\":\"x\"}", "{\"preconditions\":{\"uid\":5}}",
                     "{\"preconditions\":{\"uid\":\"not-the-uid\"}}", "{\"dryRun\":\"All\"}", "{\"dryRun\":[5]}", "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\"}",
                     "{\"kind\":5}", "{\"orphanDependents\":true,\"propagationPolicy\":\"Background\"}",
                 })
        {
            yield return Text("deleteoptions-" + Describe(options), Json, options, BodyUse.Delete);
        }
    }
}
