using Microsoft.Extensions.Time.Testing;
using Skiff.Client.Discovery;
using Skiff.Client.Rest;
using Skiff.Client.Schema;
using Xunit;

namespace Skiff.Client.Tests.Integration;

/// <summary>Discovery and the REST mapper against the real in-process API server.</summary>
public sealed class DiscoveryIntegrationTests(ControlPlaneFixture fx) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task GetAsync_ServerOffersAggregated_UsesItAndDescribesBuiltIns()
    {
        using var rest = new RestClient(fx.Config());
        var doc = await new DiscoveryClient(rest).GetAsync();
        Assert.Equal(DiscoverySource.Aggregated, doc.Source);
        Assert.Equal("", doc.Groups[0].Name);

        var pods = doc.Find(new GroupVersionResource("", "v1", "pods"));
        Assert.NotNull(pods);
        Assert.True(pods.Namespaced);
        Assert.Equal("pod", pods.SingularName);
        Assert.Equal(new GroupVersionKind("", "v1", "Pod"), pods.Kind);
        Assert.Contains("po", pods.ShortNames);
        Assert.Contains("watch", pods.Verbs);
        Assert.Contains("status", pods.Subresources);

        var deployments = doc.Find(new GroupVersionResource("apps", "v1", "deployments"));
        Assert.NotNull(deployments);
        Assert.Contains("scale", deployments.Subresources);
        Assert.False(doc.Find(new GroupVersionResource("", "v1", "namespaces"))!.Namespaced);
        Assert.NotNull(doc.Find(new GroupVersionResource("coordination.k8s.io", "v1", "leases")));
    }

    [Fact]
    public async Task GetAsync_LegacyEndpoints_DescribeTheSameResourcesAsAggregated()
    {
        using var rest = new RestClient(fx.Config());
        var aggregated = await new DiscoveryClient(rest).GetAsync();
        var legacy = await new DiscoveryClient(rest, new DiscoveryClientOptions { PreferAggregated = false }).GetAsync();
        Assert.Equal(DiscoverySource.Legacy, legacy.Source);

        static string[] Shape(DiscoveryDocument d) =>
        [
            .. d.Resources.Select(r =>
                $"{r.Resource} {r.Kind.Kind} {r.SingularName} ns={r.Namespaced} short={string.Join(',', r.ShortNames)} sub={string.Join(',', r.Subresources.Order(StringComparer.Ordinal))} verbs={string.Join(',', r.Verbs.Order(StringComparer.Ordinal))}")
                .Order(StringComparer.Ordinal),
        ];
        Assert.Equal(Shape(aggregated), Shape(legacy));
        Assert.Equal(aggregated.Groups.Select(g => $"{g.Name}:{string.Join(',', g.Versions)}"), legacy.Groups.Select(g => $"{g.Name}:{string.Join(',', g.Versions)}"));
    }

    [Fact]
    public async Task GetAsync_Cached_RefetchesOnlyAfterInvalidateOrTtl()
    {
        using var rest = new RestClient(fx.Config());
        var time = new FakeTimeProvider();
        var discovery = new DiscoveryClient(rest, new DiscoveryClientOptions { CacheTtl = TimeSpan.FromMinutes(10), TimeProvider = time });
        var first = await discovery.GetAsync();
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => discovery.GetAsync()));
        Assert.All(concurrent, d => Assert.Same(first, d));
        Assert.Equal(1, discovery.Fetches);

        discovery.Invalidate();
        var second = await discovery.GetAsync();
        Assert.NotSame(first, second);
        Assert.Equal(2, discovery.Fetches);

        time.Advance(TimeSpan.FromMinutes(9));
        Assert.Same(second, await discovery.GetAsync());
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.NotSame(second, await discovery.GetAsync());
        Assert.Equal(3, discovery.Fetches);

        var version = await discovery.ServerVersionAsync();
        Assert.Equal("32", version.Minor.TrimEnd('+'));
    }

    [Theory]
    [InlineData("pods", "", "v1", "pods")]
    [InlineData("po", "", "v1", "pods")]
    [InlineData("pod", "", "v1", "pods")]
    [InlineData("Pod", "", "v1", "pods")]
    [InlineData("deploy", "apps", "v1", "deployments")]
    [InlineData("deployments.apps", "apps", "v1", "deployments")]
    [InlineData("deployments.v1.apps", "apps", "v1", "deployments")]
    [InlineData("ns", "", "v1", "namespaces")]
    [InlineData("leases.coordination.k8s.io", "coordination.k8s.io", "v1", "leases")]
    public async Task RestMapper_ResourceArgument_ResolvesLikeKubectl(string argument, string group, string version, string resource)
    {
        using var rest = new RestClient(fx.Config());
        var mapper = new RestMapper(await new DiscoveryClient(rest).GetAsync());
        Assert.Equal(new GroupVersionResource(group, version, resource), mapper.ResourceFor(argument).Resource);
    }

    [Fact]
    public async Task RestMapper_KindsAndPreferredVersions_MapBothWays()
    {
        using var rest = new RestClient(fx.Config());
        var doc = await new DiscoveryClient(rest).GetAsync();
        var mapper = new RestMapper(doc);

        var deployment = mapper.RestMappingFor("apps", "Deployment");
        Assert.Equal(new GroupVersionResource("apps", "v1", "deployments"), deployment.Resource);
        Assert.True(deployment.Namespaced);
        Assert.False(mapper.RestMappingFor(new GroupVersionKind("", "v1", "Namespace")).Namespaced);
        Assert.Equal(new GroupVersionKind("apps", "v1", "Deployment"), mapper.KindFor(new GroupVersionResource("apps", "", "deploy")));

        // Every group maps its kinds to the server's preferred version by default.
        foreach (var g in doc.Groups.Where(g => g.Versions.Count > 1))
        {
            var kind = doc.ResourcesFor(g.Name, g.PreferredVersion)[0].Kind.Kind;
            Assert.Equal(g.PreferredVersion, mapper.RestMappingFor(g.Name, kind).Resource.Version);
        }

        Assert.Throws<NoMatchException>(() => mapper.ResourceFor("frobnicators"));
        Assert.Throws<NoMatchException>(() => mapper.RestMappingFor("apps", "Deployment", "v1beta9"));
        Assert.Throws<NoMatchException>(() => mapper.RestMappingFor("", "Deployment"));
    }

    [Fact]
    public async Task DeferredRestMapper_NoMatch_RefetchesDiscoveryOnceThenFails()
    {
        using var rest = new RestClient(fx.Config());
        var discovery = new DiscoveryClient(rest);
        var mapper = new DeferredRestMapper(discovery);
        Assert.Equal("configmaps", (await mapper.ResourceForAsync("cm")).Resource.Resource);
        Assert.Equal("services", (await mapper.RestMappingForAsync("", "Service")).Resource.Resource);
        Assert.Equal(1, discovery.Fetches);

        await Assert.ThrowsAsync<NoMatchException>(() => mapper.ResourceForAsync("widgets.example.com"));
        Assert.Equal(2, discovery.Fetches);
    }
}
