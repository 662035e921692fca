using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission;

/// <summary>PodSecurity: enforce and warn by namespace labels, upstream's messages, and the real kubectl.</summary>
public sealed class PodSecurityAdmissionTests(AdmissionFixture f) : IClassFixture<AdmissionFixture>
{
    private const string RestrictedPrivilegedMessage =
        "violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false), " +
        "unrestricted capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]), " +
        "privileged (container \"c\" must not set securityContext.privileged=true), " +
        "runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true), " +
        "seccompProfile (pod or container \"c\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")";

    private static JsonObject Labels(string mode, string level) => new() { [$"pod-security.kubernetes.io/{mode}"] = level };

    [Fact]
    public async Task RestrictedEnforce_PrivilegedPod_Is403WithUpstreamMessage()
    {
        var ns = await f.NamespaceAsync("psa", Labels("enforce", "restricted"));
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods",
            AdmissionFixture.Pod("p", JsonNode.Parse("""{"securityContext":{"privileged":true}}""")!.AsObject()));
        Assert.Equal(403, status);
        Assert.Equal("Forbidden", (string?)body!["reason"]);
        Assert.Equal("pods \"p\" is forbidden: " + RestrictedPrivilegedMessage, (string?)body["message"]);
    }

    [Fact]
    public async Task RestrictedEnforce_CompliantPod_IsAdmitted()
    {
        var ns = await f.NamespaceAsync("psa", Labels("enforce", "restricted"));
        var container = JsonNode.Parse("""
            {"securityContext":{"allowPrivilegeEscalation":false,"runAsNonRoot":true,"capabilities":{"drop":["ALL"]},"seccompProfile":{"type":"RuntimeDefault"}}}
            """)!.AsObject();
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", AdmissionFixture.Pod("ok", container));
        Assert.True(status == 201, body?.ToJsonString());
    }

    [Fact]
    public async Task BaselineEnforce_HostNetworkAndHostPath_ListedInCheckOrder()
    {
        var ns = await f.NamespaceAsync("psa", Labels("enforce", "baseline"));
        var spec = JsonNode.Parse("""{"hostNetwork":true,"volumes":[{"name":"h","hostPath":{"path":"/"}}]}""")!.AsObject();
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", AdmissionFixture.Pod("p", spec: spec));
        Assert.Equal(403, status);
        Assert.Equal("pods \"p\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), hostPath volumes (volume \"h\")",
            (string?)body!["message"]);
    }

    [Fact]
    public async Task WarnMode_AdmitsWithWarningHeader_DeploymentsOnlyWarned()
    {
        var labels = Labels("warn", "baseline");
        labels["pod-security.kubernetes.io/enforce"] = "baseline";
        var ns = await f.NamespaceAsync("psa", labels);
        var deployment = JsonNode.Parse("""
            {"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},
             "spec":{"containers":[{"name":"c","image":"busybox","securityContext":{"privileged":true}}]}}}}
            """);
        var (status, _, resp) = await f.Cp.SendAsync(HttpMethod.Post, $"/apis/apps/v1/namespaces/{ns}/deployments", deployment);
        Assert.Equal(201, status);
        Assert.Contains("299 - \"would violate PodSecurity \\\"baseline:latest\\\": privileged (container \\\"c\\\" must not set securityContext.privileged=true)\"",
            resp.Headers.GetValues("Warning"));
    }

    [Fact]
    public async Task RealKubectl_ShowsRejectionAndWarning()
    {
        var enforced = await f.NamespaceAsync("psa", Labels("enforce", "restricted"));
        var warned = await f.NamespaceAsync("psa", Labels("warn", "restricted"));
        var kubectl = new Kubectl(f.Cp.KubeconfigPath);
        const string Manifest = """
            apiVersion: v1
            kind: Pod
            metadata: {name: priv}
            spec:
              containers: [{name: c, image: busybox, securityContext: {privileged: true}}]
            """;
        var (exit, _, err) = await kubectl.RunAsync(["apply", "-n", enforced, "-f", "-"], Manifest);
        Assert.NotEqual(0, exit);
        Assert.Contains("pods \"priv\" is forbidden: " + RestrictedPrivilegedMessage, err, StringComparison.Ordinal);

        (exit, _, err) = await kubectl.RunAsync(["apply", "-n", warned, "-f", "-"], Manifest);
        Assert.True(exit == 0, err);
        Assert.Contains("Warning: would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false", err, StringComparison.Ordinal);
    }
}
