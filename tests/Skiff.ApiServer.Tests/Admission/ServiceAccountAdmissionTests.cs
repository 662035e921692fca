using System.Text.Json.Nodes;
using Skiff.ApiServer.Admission.Plugins;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission;

/// <summary>ServiceAccount: default account, the kube-api-access projected volume and mounts, missing accounts.</summary>
public sealed class ServiceAccountAdmissionTests(AdmissionFixture f) : IClassFixture<AdmissionFixture>
{
    [Fact]
    public async Task Pod_GetsDefaultAccount_ProjectedTokenVolume_AndMountsInEveryContainer()
    {
        var ns = await f.NamespaceAsync("sa");
        var pod = AdmissionFixture.Pod("p");
        pod["spec"]!["initContainers"] = JsonNode.Parse("""[{"name":"init","image":"busybox"}]""");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", pod);
        Assert.True(status == 201, body?.ToJsonString());
        var spec = body!["spec"]!;
        Assert.Equal("default", (string?)spec["serviceAccountName"]);
        var volume = spec["volumes"]!.AsArray().Single()!;
        var name = (string)volume["name"]!;
        Assert.Matches("^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$", name);
        var sources = volume["projected"]!["sources"]!.AsArray();
        Assert.Equal(3607, (long)sources[0]!["serviceAccountToken"]!["expirationSeconds"]!);
        Assert.Equal("token", (string?)sources[0]!["serviceAccountToken"]!["path"]);
        Assert.Equal("kube-root-ca.crt", (string?)sources[1]!["configMap"]!["name"]);
        Assert.Equal("ca.crt", (string?)sources[1]!["configMap"]!["items"]![0]!["key"]);
        Assert.Equal("metadata.namespace", (string?)sources[2]!["downwardAPI"]!["items"]![0]!["fieldRef"]!["fieldPath"]);
        Assert.Equal(420, (int)volume["projected"]!["defaultMode"]!);
        foreach (var list in new[] { "containers", "initContainers" })
        {
            var mount = spec[list]![0]!["volumeMounts"]!.AsArray().Single()!;
            Assert.Equal(name, (string?)mount["name"]);
            Assert.Equal(ServiceAccountAdmission.MountPath, (string?)mount["mountPath"]);
            Assert.True((bool)mount["readOnly"]!);
        }
    }

    [Fact]
    public async Task AutomountOffOnAccount_NoVolume_PodOverrideWins()
    {
        var ns = await f.NamespaceAsync("sa");
        await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/serviceaccounts", JsonNode.Parse("""{"metadata":{"name":"quiet"},"automountServiceAccountToken":false}"""));
        var (_, off, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods",
            AdmissionFixture.Pod("off", spec: new JsonObject { ["serviceAccountName"] = "quiet" }));
        Assert.Null(off!["spec"]!["volumes"]);
        var (_, on, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods",
            AdmissionFixture.Pod("on", spec: new JsonObject { ["serviceAccountName"] = "quiet", ["automountServiceAccountToken"] = true }));
        Assert.Single(on!["spec"]!["volumes"]!.AsArray());
    }

    [Fact]
    public async Task MissingAccount_Is403WithUpstreamMessage_NothingStored()
    {
        var ns = await f.NamespaceAsync("sa");
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods",
            AdmissionFixture.Pod("p", spec: new JsonObject { ["serviceAccountName"] = "ghost" }));
        Assert.Equal(403, status);
        Assert.Equal($"pods \"p\" is forbidden: error looking up service account {ns}/ghost: serviceaccount \"ghost\" not found", (string?)body!["message"]);
        Assert.Null(await f.Cp.Storage.GetAsync($"/registry/pods/{ns}/p", 0, default));
    }
}
