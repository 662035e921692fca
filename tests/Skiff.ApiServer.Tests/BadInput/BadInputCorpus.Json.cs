using System.Text;

namespace Skiff.ApiServer.Tests.BadInput;

public static partial class BadInputCorpus
{
    /// <summary>Wrong types for metadata and type-meta fields: upstream's typed decoding answers each with 400.</summary>
    public static readonly IReadOnlyList<(string Field, string Json)> WrongMetadataTypes =
    [
        ("name", "1"), ("name", "[]"), ("name", "{}"), ("name", "true"),
        ("namespace", "1"), ("generateName", "{}"),
        ("labels", "\"oops\""), ("labels", "[]"), ("labels", "1"), ("labels", "{\"a\":1}"), ("labels", "{\"a\":{}}"),
        ("annotations", "\"x\""), ("annotations", "{\"a\":true}"), ("annotations", "[1]"),
        ("uid", "5"), ("resourceVersion", "5"), ("resourceVersion", "{}"),
        ("generation", "\"1\""), ("generation", "true"), ("generation", "1.5"), ("generation", "1e400"),
        ("generation", "99999999999999999999999"),
        ("creationTimestamp", "\"yesterday\""), ("creationTimestamp", "5"), ("creationTimestamp", "{}"),
        ("deletionTimestamp", "\"x\""), ("deletionGracePeriodSeconds", "\"x\""),
        ("finalizers", "\"x\""), ("finalizers", "[1]"), ("finalizers", "{}"),
        ("ownerReferences", "{}"), ("ownerReferences", "[1]"), ("ownerReferences", "[{\"apiVersion\":5,\"kind\":\"a\",\"name\":\"b\",\"uid\":\"c\"}]"),
        ("ownerReferences", "[{\"apiVersion\":\"v1\",\"kind\":\"a\",\"name\":\"b\",\"uid\":\"c\",\"controller\":\"yes\"}]"),
        ("managedFields", "\"x\""), ("managedFields", "[1]"), ("managedFields", "[{\"manager\":5}]"),
        ("managedFields", "[{\"manager\":\"m\",\"operation\":\"Apply\",\"time\":\"noon\"}]"),
        ("selfLink", "5"),
    ];

    private static IEnumerable<BadBody> JsonBodies()
    {
        // Syntax: refused by every request, DeleteOptions included.
        yield return Text("json-truncated", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\"", BodyUse.All);
        yield return Text("json-truncated-in-string", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NA", BodyUse.All);
        yield return Text("json-concatenated", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\"}}{" + Head + ",\"metadata\":{\"name\":\"@NAME@\"}}", BodyUse.All);
        yield return Text("json-trailing-garbage", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\"}} xyz", BodyUse.All);
        yield return Text("json-trailing-comma", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\",}}", BodyUse.All) with { ValidYaml = true };
        yield return Text("json-comment", Json, "{" + Head + ",/* c */\"metadata\":{\"name\":\"@NAME@\"}}", BodyUse.All);
        yield return Text("json-single-quotes", Json, "{'apiVersion':'@APIVERSION@','kind':'@KIND@','metadata':{'name':'@NAME@'}}", BodyUse.All) with { ValidYaml = true };
        yield return Text("json-nan", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\",\"generation\":NaN}}", BodyUse.All);
        yield return Text("json-infinity", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\",\"generation\":-Infinity}}", BodyUse.All);
        yield return new BadBody("json-control-character", Json, Compose("{" + Head + ",\"metadata\":{\"name\":\"a", new byte[] { 0x01 }, "b\"}}"), BodyUse.All);
        yield return new BadBody("json-bom", Json, Compose(new byte[] { 0xEF, 0xBB, 0xBF }, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\"}}"), BodyUse.All);
        yield return Text("json-empty", Json, "", BodyUse.Object | BodyUse.Patch);
        yield return Text("json-whitespace", Json, "  \n ", BodyUse.All);
        yield return Text("json-null", Json, "null", BodyUse.Object | BodyUse.Patch);
        yield return Text("json-array", Json, "[]", BodyUse.Object);
        yield return Text("json-array-of-object", Json, "[{" + Head + ",\"metadata\":{\"name\":\"@NAME@\"}}]", BodyUse.All);
        yield return Text("json-string", Json, "\"text\"", BodyUse.All);
        yield return Text("json-number", Json, "12", BodyUse.All);
        yield return Text("json-true", Json, "true", BodyUse.All);
        yield return Text("json-unterminated-escape", Json, "{" + Head + ",\"metadata\":{\"name\":\"a\\u12\"}}", BodyUse.All);

        // Nesting.
        yield return Text("json-deep-arrays-5000", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\"},\"data\":{\"a\":" + new string('[', 5000) + new string(']', 5000) + "}}", BodyUse.All);
        yield return Text("json-deep-objects-5000", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\"},\"spec\":" + Repeat("{\"a\":", 5000) + "1" + new string('}', 5000) + "}", BodyUse.All);
        yield return Text("json-deep-arrays-100", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\"},\"data\":{\"a\":" + new string('[', 100) + new string(']', 100) + "}}", BodyUse.All);
        yield return Text("json-deep-labels-100", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\",\"labels\":" + Repeat("{\"a\":", 100) + "\"v\"" + new string('}', 100) + "}}", BodyUse.All);
        yield return Text("json-deep-unclosed-100000", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\"},\"data\":" + new string('[', 100_000), BodyUse.All);

        // Text that Go reads as U+FFFD: then name validation answers 422.
        yield return new BadBody("json-invalid-utf8-name", Json, Compose("{" + Head + ",\"metadata\":{\"name\":\"bad", new byte[] { 0xFF, 0xFE }, "\"}}")) with { ValidationOnly = true };
        yield return new BadBody("json-invalid-utf8-label-key", Json, Compose("{" + Head + ",\"metadata\":{\"name\":\"@NAME@\",\"labels\":{\"k", new byte[] { 0xFF }, "\":\"v\"}}}")) with { ValidationOnly = true };
        yield return new BadBody("json-invalid-utf8-label-value", Json, Compose("{" + Head + ",\"metadata\":{\"name\":\"@NAME@\",\"labels\":{\"k\":\"v", new byte[] { 0xC3 }, "\"}}}")) with { ValidationOnly = true };
        yield return new BadBody("json-invalid-utf8-value-bad-name", Json, Compose("{" + Head + ",\"data\":{\"k\":\"", new byte[] { 0xE2, 0x82 }, "\"},\"spec\":{\"x\":\"", new byte[] { 0xED, 0xA0, 0x80 }, "\"},\"metadata\":{\"name\":\"Bad_Name\"}}")) with { ValidationOnly = true };
        yield return new BadBody("json-overlong-utf8-name", Json, Compose("{" + Head + ",\"metadata\":{\"name\":\"a", new byte[] { 0xC0, 0xAF }, "\"}}")) with { ValidationOnly = true };
        yield return Text("json-lone-surrogate-name", Json, "{" + Head + ",\"metadata\":{\"name\":\"bad\\udead\"}}") with { ValidationOnly = true };
        yield return Text("json-lone-surrogate-label-key", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\",\"labels\":{\"\\ud800\":\"v\"}}}") with { ValidationOnly = true };
        yield return Text("json-lone-surrogate-annotation-bad-name", Json, "{" + Head + ",\"metadata\":{\"annotations\":{\"a\":\"\\udc00\\ud800\"},\"name\":\"Bad_Name\"}}") with { ValidationOnly = true };
        yield return Text("json-lone-surrogate-data-bad-name", Json, "{" + Head + ",\"data\":{\"k\":\"\\udfff\"},\"spec\":{\"\\ud83d\":1},\"metadata\":{\"name\":\"Bad_Name\"}}") with { ValidationOnly = true };
        yield return Text("json-escaped-nul-name", Json, "{" + Head + ",\"metadata\":{\"name\":\"a\\u0000b\"}}") with { ValidationOnly = true };

        // Duplicate keys: the last wins (as in Go), and it is invalid.
        yield return Text("json-duplicate-name", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\",\"name\":\"Bad_Name\"}}") with { ValidationOnly = true };
        yield return Text("json-duplicate-metadata", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\"},\"metadata\":\"x\"}");
        yield return Text("json-duplicate-labels", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\",\"labels\":{\"a\":\"b\"},\"labels\":7}}");

        // Wrong types for type meta and every metadata field.
        yield return Text("json-metadata-string", Json, "{" + Head + ",\"metadata\":\"x\"}");
        yield return Text("json-metadata-array", Json, "{" + Head + ",\"metadata\":[]}");
        yield return Text("json-metadata-number", Json, "{" + Head + ",\"metadata\":5}");
        yield return Text("json-apiversion-number", Json, "{\"apiVersion\":5,\"kind\":\"@KIND@\",\"metadata\":{\"name\":\"@NAME@\"}}");
        yield return Text("json-kind-array", Json, "{\"apiVersion\":\"@APIVERSION@\",\"kind\":[],\"metadata\":{\"name\":\"@NAME@\"}}");
        yield return Text("json-kind-empty", Json, "{\"apiVersion\":\"@APIVERSION@\",\"kind\":\"\",\"metadata\":{\"name\":\"Bad_Name\"}}") with { ValidationOnly = true };
        yield return Text("json-mismatched-kind", Json, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"@NAME@\"}}");
        yield return Text("json-mismatched-apiversion", Json, "{\"apiVersion\":\"v9\",\"kind\":\"@KIND@\",\"metadata\":{\"name\":\"@NAME@\"}}");
        yield return Text("json-unknown-group", Json, "{\"apiVersion\":\"nope.example.com/v1\",\"kind\":\"@KIND@\",\"metadata\":{\"name\":\"@NAME@\"}}");
        yield return Text("json-apiversion-slashes", Json, "{\"apiVersion\":\"a/b/c\",\"kind\":\"@KIND@\",\"metadata\":{\"name\":\"@NAME@\"}}");
        foreach (var (field, value) in WrongMetadataTypes)
        {
            var name = field == "name" ? "" : "\"name\":\"@NAME@\",";
            yield return Text($"json-metadata-{field}-{Describe(value)}", Json, "{" + Head + ",\"metadata\":{" + name + "\"" + field + "\":" + value + "}}");
        }

        // Kind-specific wrong types (other endpoints see a kind mismatch).
        yield return Text("json-deployment-replicas-string", Json, "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"@NAME@\"},\"spec\":{\"replicas\":\"three\"}}");
        yield return Text("json-deployment-replicas-out-of-range", Json, "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"@NAME@\"},\"spec\":{\"replicas\":1e400}}");
        yield return Text("json-deployment-replicas-over-int32", Json, "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"@NAME@\"},\"spec\":{\"replicas\":4294967296}}");
        yield return Text("json-deployment-spec-array", Json, "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"@NAME@\"},\"spec\":[]}");
        yield return Text("json-deployment-containers-object", Json, "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"@NAME@\"},\"spec\":{\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":{}}}}}");
        yield return Text("json-configmap-data-number", Json, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"@NAME@\"},\"data\":{\"k\":5}}");
        yield return Text("json-configmap-data-array", Json, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"@NAME@\"},\"data\":[\"k\"]}");
        yield return Text("json-configmap-binarydata-not-base64", Json, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"@NAME@\"},\"binaryData\":{\"k\":\"not base64!\"}}");
        yield return Text("json-configmap-immutable-string", Json, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"@NAME@\"},\"immutable\":\"yes\"}");
        yield return Text("json-scale-replicas-string", Json, "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"Scale\",\"metadata\":{\"name\":\"@NAME@\"},\"spec\":{\"replicas\":\"x\"}}");
        yield return Text("json-eviction-deleteoptions-string", Json, "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"@NAME@\"},\"deleteOptions\":\"now\"}");
        yield return Text("json-binding-target-string", Json, "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"@NAME@\"},\"target\":\"node\"}");
        yield return Text("json-ssar-spec-string", Json, "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":\"x\"}");
        yield return Text("json-ssar-verb-number", Json, "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{\"resourceAttributes\":{\"verb\":5}}}");
        yield return Text("json-ssrr-namespace-number", Json, "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\",\"spec\":{\"namespace\":5}}");

        // Patch bodies invalid for every patch target (a patched object of the wrong shape).
        foreach (var (field, value) in WrongMetadataTypes.Where(t => t.Field is not ("name" or "managedFields")).Take(20))
        {
            yield return Text($"json-patch-metadata-{field}-{Describe(value)}", Json, "{\"metadata\":{\"" + field + "\":" + value + "}}", BodyUse.Patch);
        }

        yield return Text("json-patch-metadata-string", Json, "{\"metadata\":\"x\"}", BodyUse.Patch);
        yield return Text("json-patch-name-number", Json, "{\"metadata\":{\"name\":5}}", BodyUse.Patch);
        yield return Text("json-patch-kind-number", Json, "{\"kind\":5}", BodyUse.Patch);
        yield return Text("json-patch-smp-directive-number", Json, "{\"metadata\":{\"$patch\":5,\"labels\":7}}", BodyUse.Patch);
        yield return Text("json-patch-smp-retainkeys-string", Json, "{\"metadata\":{\"labels\":{\"$retainKeys\":\"x\"}},\"spec\":{\"$setElementOrder/containers\":5}}", BodyUse.Patch);

        // JSON patches.
        yield return Text("jsonpatch-replace-labels-string", JsonPatch, "[{\"op\":\"replace\",\"path\":\"/metadata/labels\",\"value\":\"oops\"}]", BodyUse.Patch);
        yield return Text("jsonpatch-name-number", JsonPatch, "[{\"op\":\"replace\",\"path\":\"/metadata/name\",\"value\":5}]", BodyUse.Patch);
        yield return Text("jsonpatch-unknown-op", JsonPatch, "[{\"op\":\"bogus\",\"path\":\"/metadata\"}]", BodyUse.Patch);
        yield return Text("jsonpatch-op-number", JsonPatch, "[{\"op\":5,\"path\":\"/metadata\"}]", BodyUse.Patch);
        yield return Text("jsonpatch-path-number", JsonPatch, "[{\"op\":\"add\",\"path\":5,\"value\":1}]", BodyUse.Patch);
        yield return Text("jsonpatch-object", JsonPatch, "{\"op\":\"add\",\"path\":\"/metadata/labels/a\",\"value\":\"b\"}", BodyUse.Patch);
        yield return Text("jsonpatch-op-not-object", JsonPatch, "[1,\"x\",null]", BodyUse.Patch);
        yield return Text("jsonpatch-path-no-slash", JsonPatch, "[{\"op\":\"add\",\"path\":\"metadata\",\"value\":1}]", BodyUse.Patch);
        yield return Text("jsonpatch-bad-escape", JsonPatch, "[{\"op\":\"add\",\"path\":\"/metadata/labels/a~2b\",\"value\":\"x\"},{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":1}]", BodyUse.Patch);
        yield return Text("jsonpatch-remove-metadata", JsonPatch, "[{\"op\":\"remove\",\"path\":\"/metadata\"}]", BodyUse.Patch);
        yield return Text("jsonpatch-move-into-child", JsonPatch, "[{\"op\":\"move\",\"from\":\"/metadata\",\"path\":\"/metadata/x\"}]", BodyUse.Patch);
        yield return Text("jsonpatch-failing-test", JsonPatch, "[{\"op\":\"test\",\"path\":\"/metadata/name\",\"value\":\"not-this\"}]", BodyUse.Patch);
        yield return Text("jsonpatch-index-out-of-range", JsonPatch, "[{\"op\":\"add\",\"path\":\"/metadata/finalizers/99999999999999999999\",\"value\":\"x\"}]", BodyUse.Patch);
        yield return Text("jsonpatch-copy-bomb", JsonPatch,
            "[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"a\":\"" + new string('x', 1000) + "\"}}" +
            Repeat(",{\"op\":\"copy\",\"from\":\"/metadata/annotations\",\"path\":\"/metadata/annotations/a\"}", 40) + "]", BodyUse.Patch);
        yield return Text("jsonpatch-too-many-ops", JsonPatch, "[" + string.Join(",", Enumerable.Repeat("{\"op\":\"test\",\"path\":\"/kind\",\"value\":5}", 20_000)) + "]", BodyUse.Patch);

        // Huge (sent to fewer endpoints).
        yield return Text("json-huge-name", Json, "{" + Head + ",\"metadata\":{\"name\":\"" + new string('a', 2_000_000) + "\"}}") with { ValidationOnly = true };
        yield return Text("json-huge-annotation", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\",\"annotations\":{\"a\":\"" + new string('a', 2_500_000) + "\"}}}") with { ValidationOnly = true };
        yield return Text("json-huge-labels-200000", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\",\"labels\":{" + string.Join(",", Enumerable.Range(0, 200_000).Select(i => $"\"l{i}\":\"v\"")) + "}}}") with { ValidationOnly = true };
        yield return Text("json-huge-finalizers", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\",\"finalizers\":[" + string.Join(",", Enumerable.Range(0, 150_000).Select(i => $"\"f/{i}\"")) + "]}}") with { ValidationOnly = true };
        yield return Text("json-huge-array-of-numbers", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\",\"finalizers\":[" + Repeat("1,", 1_000_000) + "1]}}");
        yield return Text("json-huge-data-bad-name", Json, "{" + Head + ",\"data\":{" + string.Join(",", Enumerable.Range(0, 100_000).Select(i => $"\"k{i}\":\"v\"")) + "},\"metadata\":{\"name\":\"Bad_Name\"}}") with { ValidationOnly = true };
        yield return Text("json-over-body-limit", Json, "{" + Head + ",\"metadata\":{\"name\":\"@NAME@\"},\"data\":{\"a\":\"" + new string('a', 3_300_000) + "\"}}", BodyUse.All);
    }

    private static string Describe(string json)
    {
        var sb = new StringBuilder();
        foreach (var c in json)
        {
            sb.Append(char.IsLetterOrDigit(c) ? c : c switch { '"' => 'q', '[' => 'A', '{' => 'O', '.' => 'p', _ => '_' });
        }

        return sb.Length > 24 ? sb.ToString(0, 24) : sb.ToString();
    }
}
