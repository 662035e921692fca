using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Admission.Plugins;
using Skiff.ApiServer.Tests.Storage.Cacher;
using Skiff.Storage.Memory;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission;

/// <summary>
/// ResourceQuota admission in a namespace without quota: the store is looked up live once per
/// <see cref="ResourceQuotaAdmission.LiveTtl"/> (upstream's quotaAccessor), not on every create.
/// </summary>
public sealed class ResourceQuotaLiveLookupTests
{
    private static AdmissionAttributes ConfigMapCreate(string ns, string name) => new()
    {
        Operation = AdmissionOperation.Create,
        Group = "",
        Version = "v1",
        Resource = "configmaps",
        Kind = "ConfigMap",
        Namespace = ns,
        Name = name,
        Object = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns } },
    };

    [Fact]
    public async Task NamespaceWithoutQuota_IsListedLiveOncePerTtl_NotOnEveryCreate()
    {
        await using var memory = new MemoryStorage();
        var storage = new InstrumentedStorage(memory);
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var plugin = new ResourceQuotaAdmission(new AdmissionReader(storage), clock);

        for (var i = 0; i < 5; i++)
        {
            await plugin.ValidateAsync(ConfigMapCreate("ns", $"c{i}"), default);
        }

        var afterFive = storage.Lists;
        clock.Advance(ResourceQuotaAdmission.LiveTtl + TimeSpan.FromSeconds(1));
        await plugin.ValidateAsync(ConfigMapCreate("ns", "late"), default);

        Assert.Equal(5 + 1, afterFive); // one cached list per create, one live list for the namespace
        Assert.Equal(afterFive + 2, storage.Lists); // past the TTL: looked up live again
    }

    [Fact]
    public async Task QuotaInTheStore_IsEnforcedEvenAfterANamespaceWasSeenWithout()
    {
        await using var memory = new MemoryStorage();
        var storage = new InstrumentedStorage(memory);
        var plugin = new ResourceQuotaAdmission(new AdmissionReader(storage), new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        await plugin.ValidateAsync(ConfigMapCreate("ns", "a"), default);

        var quota = """{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"q","namespace":"ns","uid":"u"},"spec":{"hard":{"configmaps":"1"}},"status":{"hard":{"configmaps":"1"},"used":{"configmaps":"1"}}}""";
        await memory.CreateAsync("/registry/resourcequotas/ns/q", System.Text.Encoding.UTF8.GetBytes(quota), default);
        var refused = await Assert.ThrowsAsync<Skiff.Api.Errors.StatusException>(() => plugin.ValidateAsync(ConfigMapCreate("ns", "b"), default).AsTask());

        Assert.Equal(403, refused.Code);
        Assert.Contains("exceeded quota: q", refused.Message, StringComparison.Ordinal);
    }
}
