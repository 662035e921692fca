using System.Text.Json.Nodes;
using Skiff.Api.Quota;
using Xunit;

namespace Skiff.Api.Tests.Quota;

/// <summary>
/// What an object counts against a quota (upstream's evaluators): counts, a pod's effective requests and limits, the
/// requests and limits a quota makes mandatory (sorted, as upstream reports them), scopes, and the status' used list.
/// </summary>
public sealed class QuotaUsageTests
{
    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    private static string Usage(Dictionary<string, QuotaQuantity> usage) =>
        string.Join(",", usage.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    [Fact]
    public void Of_CountsCoreLegacyAndGroupResources()
    {
        var cm = Obj("""{"metadata":{"name":"c"}}""");
        Assert.Equal("configmaps=1,count/configmaps=1", Usage(QuotaUsage.Of("", "configmaps", cm)));
        Assert.Equal("configmaps=1,count/configmaps=1", Usage(QuotaUsage.Of("", "configmaps", cm))); // the cached name again
        Assert.Equal("count/endpoints=1", Usage(QuotaUsage.Of("", "endpoints", cm)));
        Assert.Equal("count/deployments.apps=1", Usage(QuotaUsage.Of("apps", "deployments", cm)));
    }

    [Fact]
    public void Of_Pod_SumsContainersTakesLargestInitContainerAndAddsOverhead()
    {
        var pod = Obj("""
            {"spec":{"containers":[{"resources":{"requests":{"cpu":"100m","memory":"1Mi"},"limits":{"cpu":"1"}}},{"resources":{"requests":{"cpu":"200m"}}},{"name":"none"}],
             "initContainers":[{"resources":{"requests":{"cpu":"1","memory":"512Ki"}}}],
             "overhead":{"cpu":"10m"}}}
            """);
        Assert.Equal(
            "count/pods=1,cpu=1010m,limits.cpu=1010m,memory=1Mi,pods=1,requests.cpu=1010m,requests.memory=1Mi",
            Usage(QuotaUsage.Of("", "pods", pod)));
        Assert.Equal("", Usage(QuotaUsage.Of("", "pods", Obj("""{"spec":{},"status":{"phase":"Succeeded"}}"""))));
        Assert.Equal("count/pods=1,pods=1", Usage(QuotaUsage.Of("", "pods", Obj("{}"))));
    }

    [Theory]
    [InlineData("""{"containers":[{"resources":{"requests":{"cpu":"1"}}}]}""", "limits.cpu,limits.memory,memory,requests.memory")]
    [InlineData("""{"containers":[{"resources":{"requests":{"cpu":"1","memory":"1"},"limits":{"cpu":"1","memory":"1"}}}]}""", "")]
    [InlineData("""{"containers":[{"resources":{"requests":{"cpu":"1","memory":"1"},"limits":{"cpu":"1","memory":"1"}}}],"initContainers":[{"name":"i"}]}""",
        "cpu,limits.cpu,limits.memory,memory,requests.cpu,requests.memory")]
    [InlineData("""{}""", "")]
    public void MissingPodResources_NamesEveryLimitedResourceAContainerLacks_Sorted(string spec, string expected)
    {
        var limited = new Dictionary<string, QuotaQuantity>(StringComparer.Ordinal)
        {
            ["requests.memory"] = default, ["limits.memory"] = default, ["requests.cpu"] = default, ["cpu"] = default,
            ["memory"] = default, ["limits.cpu"] = default, ["pods"] = default,
        };
        var pod = new JsonObject { ["spec"] = JsonNode.Parse(spec) };
        Assert.Equal(expected, string.Join(",", QuotaUsage.MissingPodResources(pod, limited.Keys)));
        Assert.Equal(expected, string.Join(",", QuotaUsage.MissingPodResources(pod, limited.Keys.ToList().AsEnumerable().Select(k => k))));
    }

    [Fact]
    public void MissingPodResources_OnlyWhatTheQuotaLimits()
    {
        var pod = Obj("""{"spec":{"containers":[{"name":"a"}]}}""");
        Assert.Equal(new[] { "requests.cpu" }, QuotaUsage.MissingPodResources(pod, ["pods", "requests.cpu"]));
        Assert.Empty(QuotaUsage.MissingPodResources(pod, ["pods", "configmaps"]));
    }

    [Theory]
    [InlineData("""{"hard":{"pods":"1"}}""", "pods", true)]
    [InlineData("""{"hard":{"pods":"1"}}""", "configmaps", true)]
    [InlineData("""{"hard":{"pods":"1"},"scopes":[]}""", "configmaps", true)]
    [InlineData("""{"hard":{"pods":"1"},"scopes":["BestEffort"]}""", "pods", true)]
    [InlineData("""{"hard":{"pods":"1"},"scopes":["NotBestEffort"]}""", "pods", false)]
    [InlineData("""{"hard":{"pods":"1"},"scopes":["BestEffort"]}""", "configmaps", false)]
    [InlineData("""{"hard":{"pods":"1"},"scopeSelector":{}}""", "configmaps", true)]
    [InlineData("""{"hard":{"pods":"1"},"scopeSelector":{"matchExpressions":[{"scopeName":"PriorityClass","operator":"In","values":["high"]}]}}""", "pods", false)]
    [InlineData("""{"hard":{"pods":"1"},"scopeSelector":{"matchExpressions":[{"scopeName":"PriorityClass","operator":"DoesNotExist"}]}}""", "pods", true)]
    public void ScopesMatch_UnscopedQuotasSelectEverythingScopesSelectOnlyPods(string spec, string resource, bool expected)
    {
        var quota = new JsonObject { ["spec"] = JsonNode.Parse(spec) };
        var pod = Obj("""{"spec":{"containers":[{"name":"a"}]}}""");
        Assert.Equal(expected, QuotaUsage.ScopesMatch(quota, "", resource, pod));
    }

    [Fact]
    public void ToJson_SortsByNameAndPrintsCanonically()
    {
        var used = new Dictionary<string, QuotaQuantity>(StringComparer.Ordinal)
        {
            ["requests.memory"] = new(3 * 1048576m, true), ["pods"] = new(2, false), ["cpu"] = new(0.3m, false), ["configmaps"] = QuotaQuantity.Zero,
        };
        Assert.Equal("""{"configmaps":"0","cpu":"300m","pods":"2","requests.memory":"3Mi"}""", QuotaUsage.ToJson(used).ToJsonString());
        Assert.Equal("{}", QuotaUsage.ToJson([]).ToJsonString());
    }
}
