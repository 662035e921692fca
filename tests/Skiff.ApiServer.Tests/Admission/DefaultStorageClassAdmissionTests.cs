using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission;

/// <summary>DefaultStorageClass: a claim without a class gets the default one; an explicit "" stays.</summary>
public sealed class DefaultStorageClassAdmissionTests(AdmissionFixture f) : IClassFixture<AdmissionFixture>
{
    [Fact]
    public async Task ClaimWithoutClass_GetsDefault_EmptyClassKept()
    {
        var (status, _, _) = await f.Cp.SendAsync(HttpMethod.Post, "/apis/storage.k8s.io/v1/storageclasses", JsonNode.Parse("""
            {"metadata":{"name":"fast","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},"provisioner":"example.com/x"}
            """));
        Assert.Equal(201, status);
        var ns = await f.NamespaceAsync("sc");
        const string Claim = """{"metadata":{"name":"NAME"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}CLASS}}""";
        var (_, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/persistentvolumeclaims",
            JsonNode.Parse(Claim.Replace("NAME", "a", StringComparison.Ordinal).Replace("CLASS", "", StringComparison.Ordinal)));
        Assert.Equal("fast", (string?)body!["spec"]!["storageClassName"]);
        (_, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/persistentvolumeclaims",
            JsonNode.Parse(Claim.Replace("NAME", "b", StringComparison.Ordinal).Replace("CLASS", ",\"storageClassName\":\"\"", StringComparison.Ordinal)));
        Assert.Equal("", (string?)body!["spec"]!["storageClassName"]);
    }
}
