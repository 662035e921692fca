using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests.Discovery;

/// <summary>Legacy discovery's <c>storageVersionHash</c>, checked against upstream's own table
/// (test/utils/storageversionhashdata GVRToStorageVersionHash).</summary>
public sealed class StorageVersionHashTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    [Theory]
    [InlineData("/api/v1", "configmaps", "qFsyl6wFWjQ=")]
    [InlineData("/api/v1", "endpoints", "fWeeMqaN/OA=")]
    [InlineData("/api/v1", "events", "r2yiGXH7wu8=")]
    [InlineData("/api/v1", "namespaces", "Q3oi5N2YM8M=")]
    [InlineData("/api/v1", "nodes", "XwShjMxG9Fs=")]
    [InlineData("/api/v1", "pods", "xPOwRZ+Yhw8=")]
    [InlineData("/api/v1", "secrets", "S6u1pOWzb84=")]
    [InlineData("/api/v1", "services", "0/CO1lhkEBI=")]
    [InlineData("/apis/apps/v1", "deployments", "8aSe+NMegvE=")]
    [InlineData("/apis/apps/v1", "replicasets", "P1RzHs8/mWQ=")]
    [InlineData("/apis/apps/v1", "statefulsets", "H+vl74LkKdo=")]
    [InlineData("/apis/batch/v1", "jobs", "mudhfqk/qZY=")]
    [InlineData("/apis/coordination.k8s.io/v1", "leases", "gqkMMb/YqFM=")]
    [InlineData("/apis/rbac.authorization.k8s.io/v1", "clusterroles", "bYE5ZWDrJ44=")]
    [InlineData("/apis/events.k8s.io/v1", "events", "r2yiGXH7wu8=")]
    public async Task LegacyDiscovery_StoredResource_CarriesUpstreamsHash(string path, string resource, string hash)
    {
        var entry = await EntryAsync(path, resource);
        Assert.Equal(hash, entry["storageVersionHash"]?.GetValue<string>());
    }

    [Theory]
    [InlineData("/api/v1", "bindings")]
    [InlineData("/api/v1", "componentstatuses")]
    [InlineData("/apis/authorization.k8s.io/v1", "selfsubjectaccessreviews")]
    [InlineData("/api/v1", "pods/status")]
    public async Task LegacyDiscovery_VirtualResourceOrSubresource_HasNoHash(string path, string resource)
    {
        var entry = await EntryAsync(path, resource);
        Assert.Null(entry["storageVersionHash"]);
    }

    private async Task<JsonObject> EntryAsync(string path, string resource)
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Get, path);
        Assert.Equal(200, status);
        return body!["resources"]!.AsArray().OfType<JsonObject>().Single(r => r["name"]!.GetValue<string>() == resource);
    }
}
