using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// kubectl 1.32 validates client-side against <c>/openapi/v2</c> (protobuf) what the server's OpenAPI v3 does not
/// declare server-side validation for: <c>kind: List</c> files and kinds without a PATCH operation (create-only kinds).
/// The real kubectl against the real <c>skiff up</c>, with the List produced by <c>kubectl get -o yaml</c>.
/// </summary>
public sealed class KubectlListValidationTests(SkiffFixture fixture) : IClassFixture<SkiffFixture>
{
    private readonly SkiffProcess _skiff = fixture.Skiff!;

    [SkippableFact]
    public async Task ApplyAndCreate_ListFromGetYaml_RecreateTheObjects()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var file = await ExportListAsync("e2e-list-a", "e2e-list-b");

        var apply = await _skiff.KubectlArgsOkAsync(["apply", "-f", file]);
        Assert.Contains("configmap/e2e-list-a created", apply.Out);
        Assert.Contains("configmap/e2e-list-b created", apply.Out);
        Assert.Equal("1", (await _skiff.KubectlAsync("get cm e2e-list-a -o jsonpath={.data.x}")).Out);

        await DeleteAsync("e2e-list-a", "e2e-list-b");
        var create = await _skiff.KubectlArgsOkAsync(["create", "-f", file]);
        Assert.Contains("configmap/e2e-list-a created", create.Out);
        Assert.Contains("configmap/e2e-list-b created", create.Out);
        Assert.Equal("1", (await _skiff.KubectlAsync("get cm e2e-list-b -o jsonpath={.data.x}")).Out);
        await DeleteAsync("e2e-list-a", "e2e-list-b");
    }

    [SkippableFact]
    public async Task ApplyAndCreate_ListItemWithUnknownField_AreRefusedClientSideUnlessValidateFalse()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var exported = await File.ReadAllTextAsync(await ExportListAsync("e2e-list-bad", "e2e-list-bad2"));
        var file = Path.Combine(_skiff.DataDir, "list-bad.yaml");
        await File.WriteAllTextAsync(file, exported.Replace("  kind: ConfigMap\n", "  kind: ConfigMap\n  bogus: 1\n", StringComparison.Ordinal));

        foreach (var verb in new[] { "apply", "create" })
        {
            var refused = await _skiff.KubectlArgsAsync([verb, "-f", file]);
            Assert.NotEqual(0, refused.Exit);
            Assert.Contains($"error validating \"{file}\": error validating data: ValidationError(ConfigMap): unknown field \"bogus\" in io.k8s.api.core.v1.ConfigMap", refused.Err);
            Assert.NotEqual(0, (await _skiff.KubectlAsync("get cm e2e-list-bad")).Exit);
        }

        var unvalidated = await _skiff.KubectlArgsOkAsync(["apply", "--validate=false", "-f", file]);
        Assert.Contains("configmap/e2e-list-bad created", unvalidated.Out);
        Assert.Contains("configmap/e2e-list-bad2 created", unvalidated.Out);
        await DeleteAsync("e2e-list-bad", "e2e-list-bad2");
    }

    [SkippableFact]
    public async Task Create_CreateOnlyKind_ValidatesClientSideLikeUpstream()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var good = Path.Combine(_skiff.DataDir, "ssar.yaml");
        var bad = Path.Combine(_skiff.DataDir, "ssar-bad.yaml");
        const string ssar = "apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectAccessReview\nspec:\n  resourceAttributes:\n    verb: get\n    {0}: pods\n";
        await File.WriteAllTextAsync(good, string.Format(System.Globalization.CultureInfo.InvariantCulture, ssar, "resource"));
        await File.WriteAllTextAsync(bad, string.Format(System.Globalization.CultureInfo.InvariantCulture, ssar, "resourse"));

        var created = await _skiff.KubectlArgsAsync(["create", "-f", good, "-o", "jsonpath={.status.allowed}"]);
        var refused = await _skiff.KubectlArgsAsync(["create", "-f", bad, "-o", "json"]);

        Assert.True(created.Exit == 0, created.Err);
        Assert.Equal("true", created.Out);
        Assert.NotEqual(0, refused.Exit);
        Assert.Contains("ValidationError(SelfSubjectAccessReview.spec.resourceAttributes): unknown field \"resourse\" in io.k8s.api.authorization.v1.ResourceAttributes", refused.Err);
    }

    /// <summary>Creates the config maps, writes <c>kubectl get cm … -o yaml</c> (a <c>kind: List</c>) to a file, deletes them.</summary>
    private async Task<string> ExportListAsync(params string[] names)
    {
        foreach (var name in names)
        {
            await _skiff.KubectlArgsOkAsync(["create", "configmap", name, "--from-literal=x=1"]);
        }

        var get = await _skiff.KubectlArgsOkAsync(["get", "cm", .. names, "-o", "yaml"]);
        Assert.Contains("kind: List", get.Out);
        var file = Path.Combine(_skiff.DataDir, string.Join('-', names) + ".yaml");
        await File.WriteAllTextAsync(file, get.Out);
        await DeleteAsync(names);
        return file;
    }

    private async Task DeleteAsync(params string[] names)
    {
        await _skiff.KubectlArgsOkAsync(["delete", "cm", .. names]);
    }
}
