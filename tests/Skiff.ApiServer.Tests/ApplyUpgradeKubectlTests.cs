using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests;

/// <summary>
/// The client-side → server-side apply upgrade with the real kubectl: the "kubectl apply upgrade" cases of upstream's
/// <c>test/cmd/apply.sh</c> (<c>run_kubectl_server_side_apply_tests</c>) written anew, and <c>kubectl diff --server-side</c>.
/// </summary>
public sealed class ApplyUpgradeKubectlTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private static string Pod(string ns, string label) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: test-pod
          namespace: {ns}
          labels:
            name: {label}
        spec:
          containers:
          - name: kubernetes-pause
            image: registry.k8s.io/pause:3.10
        """;

    private static string ConfigMap(string ns, bool legacy) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: test
          namespace: {ns}
        data:
          key: value
        {(legacy ? "  legacy: unused" : "")}
        """;

    private async Task<Kubectl> NamespaceAsync(string ns)
    {
        var k = new Kubectl(f.Cp.KubeconfigPath);
        await k.OkAsync("create", "namespace", ns);
        return k;
    }

    private static async Task ApplyAsync(Kubectl k, string yaml, params string[] flags)
    {
        var (exit, _, err) = await k.RunAsync(["apply", .. flags, "-f", "-"], yaml);
        Assert.True(exit == 0, $"kubectl apply {string.Join(' ', flags)}: {err}");
    }

    [Fact]
    public async Task ServerSideApply_UpgradesFromClientSideApply_AndDowngradesBack()
    {
        var k = await NamespaceAsync("upgrade-pod");

        // run client-side apply
        await ApplyAsync(k, Pod("upgrade-pod", "test-pod-label"));

        // the upgrade does not work with a non-standard server-side apply field manager
        var (refused, _, conflict) = await k.RunAsync(["apply", "--server-side", "--field-manager=not-kubectl", "-f", "-"], Pod("upgrade-pod", "test-pod-applied"));
        Assert.NotEqual(0, refused);
        Assert.Contains("conflict", conflict, StringComparison.OrdinalIgnoreCase);

        // upgrade from client-side apply to server-side apply
        await ApplyAsync(k, Pod("upgrade-pod", "test-pod-applied"), "--server-side");
        Assert.Contains("kubectl.kubernetes.io/last-applied-configuration", await k.OkAsync("get", "pods", "test-pod", "-n", "upgrade-pod", "-o", "yaml"), StringComparison.Ordinal);
        Assert.Contains("\"name\": \"test-pod-applied\"", await k.OkAsync("apply", "view-last-applied", "pod/test-pod", "-n", "upgrade-pod", "-o", "json"), StringComparison.Ordinal);
        Assert.Equal("test-pod-applied", await k.OkAsync("get", "pod", "test-pod", "-n", "upgrade-pod", "-o", "jsonpath={.metadata.labels.name}"));

        // kubectl moved the client-side manager's fields to its own apply entry (csaupgrade)
        var managers = await k.OkAsync("get", "pod", "test-pod", "-n", "upgrade-pod", "--show-managed-fields", "-o",
            "jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}");
        Assert.DoesNotContain("kubectl-client-side-apply", managers, StringComparison.Ordinal);
        Assert.Contains("kubectl/Apply", managers, StringComparison.Ordinal);

        // downgrade from server-side apply to client-side apply
        await ApplyAsync(k, Pod("upgrade-pod", "test-pod-label"), "--server-side");
        Assert.Contains("\"name\": \"test-pod-label\"", await k.OkAsync("apply", "view-last-applied", "pod/test-pod", "-n", "upgrade-pod", "-o", "json"), StringComparison.Ordinal);
        await ApplyAsync(k, Pod("upgrade-pod", "test-pod-applied"));
        Assert.Equal("test-pod-applied", await k.OkAsync("get", "pod", "test-pod", "-n", "upgrade-pod", "-o", "jsonpath={.metadata.labels.name}"));
    }

    [Fact]
    public async Task ServerSideApply_AfterClientSideApply_OwnsAndPrunesTheMigratedFields()
    {
        var k = await NamespaceAsync("upgrade-cm");

        await ApplyAsync(k, ConfigMap("upgrade-cm", legacy: true));
        Assert.Contains("legacy: unused", await k.OkAsync("get", "configmap", "test", "-n", "upgrade-cm", "-o", "yaml"), StringComparison.Ordinal);

        await ApplyAsync(k, ConfigMap("upgrade-cm", legacy: true), "--server-side");
        Assert.Contains("legacy: unused", await k.OkAsync("get", "configmap", "test", "-n", "upgrade-cm", "-o", "yaml"), StringComparison.Ordinal);

        // The migrated fields are kubectl's now, so leaving one out of the configuration removes it.
        await ApplyAsync(k, ConfigMap("upgrade-cm", legacy: false), "--server-side");
        Assert.DoesNotContain("legacy: unused", await k.OkAsync("get", "configmap", "test", "-n", "upgrade-cm", "-o", "yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DiffServerSide_OnAClientSideAppliedObject_ShowsTheChange()
    {
        var k = await NamespaceAsync("upgrade-diff");
        await ApplyAsync(k, ConfigMap("upgrade-diff", legacy: true));

        var changed = ConfigMap("upgrade-diff", legacy: true).Replace("key: value", "key: changed", StringComparison.Ordinal);
        var (exit, diff, err) = await k.RunAsync(["diff", "--server-side", "-f", "-"], changed);

        // kubectl diff exits 1 when there are differences and >1 on errors (a 409 would be one).
        Assert.True(exit == 1, $"exit {exit}: {err}");
        Assert.Contains("+  key: changed", diff, StringComparison.Ordinal);
        Assert.Equal("value", await k.OkAsync("get", "configmap", "test", "-n", "upgrade-diff", "-o", "jsonpath={.data.key}"));
    }
}
