using System.Text;

namespace Skiff.ApiServer.Tests.BadInput;

public static partial class BadInputCorpus
{
    /// <summary>The "billion laughs" body of issue 17: 9 anchors, each a list of 9 aliases of the previous one (about 400 bytes).</summary>
    public static string BillionLaughs(string head = "apiVersion: @APIVERSION@\nkind: @KIND@\nmetadata:\n  name: @NAME@\n")
    {
        var sb = new StringBuilder(head);
        sb.Append("data:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var c = 'b'; c <= 'i'; c++)
        {
            var prev = (char)(c - 1);
            sb.Append("  ").Append(c).Append(": &").Append(c).Append(" [")
                .Append(string.Join(",", Enumerable.Repeat("*" + prev, 9))).Append("]\n");
        }

        return sb.ToString();
    }

    /// <summary>YAML nested <paramref name="depth"/> flow sequences deep (<c>data: [[[[…]]]]</c>).</summary>
    public static string DeepYaml(int depth) =>
        "apiVersion: @APIVERSION@\nkind: @KIND@\nmetadata:\n  name: @NAME@\ndata: " + new string('[', depth) + new string(']', depth) + "\n";

    private static IEnumerable<BadBody> YamlBodies()
    {
        const string head = "apiVersion: @APIVERSION@\nkind: @KIND@\nmetadata:\n  name: @NAME@\n";
        const BodyUse all = BodyUse.All;

        // Alias expansion (CVE-2019-11253).
        yield return Text("yaml-billion-laughs", Yaml, BillionLaughs(), all);
        yield return Text("yaml-billion-laughs-in-labels", Yaml, BillionLaughs("apiVersion: @APIVERSION@\nkind: @KIND@\n").Replace("data:", "metadata:\n  name: @NAME@\n  labels:", StringComparison.Ordinal), all);
        yield return Text("yaml-quadratic-aliases", Yaml, head + "x: &x [" + string.Join(",", Enumerable.Repeat("a", 2000)) + "]\ny: [" + string.Join(",", Enumerable.Repeat("*x", 2000)) + "]\n", all);
        yield return Text("yaml-alias-string-bomb", Yaml, head + "x: &x \"" + new string('a', 200_000) + "\"\ny: [" + string.Join(",", Enumerable.Repeat("*x", 40)) + "]\n", all);
        yield return Text("yaml-alias-to-map-keys", Yaml, head + "k: &k " + new string('k', 100_000) + "\nm: {" + string.Join(",", Enumerable.Range(0, 40).Select(i => "*k: " + i)) + "}\n", all);

        // Nesting.
        yield return Text("yaml-deep-flow-5000", Yaml, DeepYaml(5000), all);
        yield return Text("yaml-deep-flow-100", Yaml, DeepYaml(100), all);
        yield return Text("yaml-deep-flow-unclosed-200000", Yaml, head + "data: " + new string('[', 200_000) + "\n", all);
        yield return Text("yaml-deep-flow-maps-5000", Yaml, head + "spec: " + Repeat("{a: ", 5000) + "1" + new string('}', 5000) + "\n", all);
        yield return Text("yaml-deep-block-200", Yaml, head + "spec:\n" + string.Concat(Enumerable.Range(1, 200).Select(i => new string(' ', i) + "a:\n")), all);
        yield return Text("yaml-deep-block-sequences-500", Yaml, head + "spec:\n" + string.Concat(Enumerable.Range(1, 500).Select(i => new string(' ', i) + "-\n")), all);
        yield return Text("yaml-deep-via-aliases", Yaml, head + "x: &x " + new string('[', 40) + new string(']', 40) + "\ny: " + new string('[', 40) + "*x" + new string(']', 40) + "\n", all);

        // Text.
        yield return new BadBody("yaml-invalid-utf8", Yaml, Compose("apiVersion: @APIVERSION@\nkind: @KIND@\nmetadata:\n  name: bad", new byte[] { 0xFF, 0xFE }, "\n"), all);
        yield return Text("yaml-lone-surrogate-escape", Yaml, "apiVersion: @APIVERSION@\nkind: @KIND@\nmetadata:\n  name: \"bad\\ud800\"\n", all);
        yield return Text("yaml-surrogate-escape-in-data", Yaml, head + "data:\n  k: \"\\udead\"\n", all);
        yield return Text("yaml-truncated-string", Yaml, "apiVersion: @APIVERSION@\nkind: @KIND@\nmetadata:\n  name: \"@NA", all);
        yield return Text("yaml-truncated-flow", Yaml, head + "data: {a: [1, 2", all);
        yield return Text("yaml-tab-indent", Yaml, "apiVersion: @APIVERSION@\nkind: @KIND@\nmetadata:\n\tname: @NAME@\n", all);
        yield return Text("yaml-bad-indent", Yaml, "apiVersion: @APIVERSION@\nkind: @KIND@\nmetadata:\n    name: @NAME@\n  labels: x\n", all);
        yield return Text("yaml-undefined-alias", Yaml, head + "data: *nope\n", all);
        yield return Text("yaml-recursive-alias", Yaml, head + "data: &a [*a]\n", all);
        yield return Text("yaml-complex-key", Yaml, head + "? [a, b]\n: c\n", all);
        yield return Text("yaml-alias-map-as-key", Yaml, head + "x: &x {a: b}\ny: {*x : c}\n", all);
        yield return Text("yaml-not-a-mapping", Yaml, "- a\n- b\n", all);
        yield return Text("yaml-scalar", Yaml, "hello\n", all);
        yield return Text("yaml-empty", Yaml, "", BodyUse.Object | BodyUse.Patch);
        yield return Text("yaml-document-markers-only", Yaml, "---\n...\n", BodyUse.Object | BodyUse.Patch);
        yield return Text("yaml-null-document", Yaml, "~\n", BodyUse.Object | BodyUse.Patch);
        yield return Text("yaml-directive-garbage", Yaml, "%YAML 9.9\n%FOO\n--- " + head, all);
        yield return Text("yaml-invalid-escape", Yaml, "apiVersion: @APIVERSION@\nkind: @KIND@\nmetadata:\n  name: \"a\\qb\"\n", all);

        // Documents, duplicates, numbers and types.
        yield return Text("yaml-concatenated-first-invalid", Yaml, "apiVersion: @APIVERSION@\nkind: @KIND@\nmetadata:\n  name: Bad_Name\n---\n" + head) with { ValidationOnly = true };
        yield return Text("yaml-duplicate-keys", Yaml, "apiVersion: @APIVERSION@\nkind: @KIND@\nmetadata:\n  name: @NAME@\n  name: Bad_Name\n") with { ValidationOnly = true };
        yield return Text("yaml-generation-out-of-range", Yaml, head + "  generation: 1e400\n");
        yield return Text("yaml-generation-huge-int", Yaml, head + "  generation: 99999999999999999999999\n");
        yield return Text("yaml-labels-string", Yaml, head + "  labels: oops\n");
        yield return Text("yaml-labels-list", Yaml, head + "  labels: [a, b]\n");
        yield return Text("yaml-name-list", Yaml, "apiVersion: @APIVERSION@\nkind: @KIND@\nmetadata:\n  name: [1]\n");
        yield return Text("yaml-name-binary-tag", Yaml, "apiVersion: @APIVERSION@\nkind: @KIND@\nmetadata:\n  name: !!binary AAEC\n  labels: 5\n");
        yield return Text("yaml-metadata-string", Yaml, "apiVersion: @APIVERSION@\nkind: @KIND@\nmetadata: x\n");
        yield return Text("yaml-kind-map", Yaml, "apiVersion: @APIVERSION@\nkind: {a: b}\nmetadata:\n  name: @NAME@\n");
        yield return Text("yaml-deployment-replicas-string", Yaml, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: @NAME@\nspec:\n  replicas: three\n");
        yield return Text("yaml-deployment-replicas-float", Yaml, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: @NAME@\nspec:\n  replicas: 1.5\n");
        yield return Text("yaml-patch-labels-string", Yaml, "metadata:\n  labels: oops\n", BodyUse.Patch);
        yield return Text("yaml-patch-finalizers-map", Yaml, "metadata:\n  finalizers: {a: b}\n", BodyUse.Patch);
    }
}
