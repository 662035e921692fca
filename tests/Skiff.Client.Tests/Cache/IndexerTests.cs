using k8s.Models;
using Skiff.Client.Cache;
using Xunit;
using static Skiff.Client.Tests.Testing.TestPods;

namespace Skiff.Client.Tests.Cache;

public class IndexerTests
{
    [Fact]
    public void ByIndex_NamespaceAndCustomIndex_TrackUpdatesAndDeletes()
    {
        var idx = new Indexer<V1Pod>();
        idx.AddIndexers(new Dictionary<string, Func<V1Pod, IEnumerable<string>>>
        {
            ["app"] = p => p.Metadata.Labels is { } l && l.TryGetValue("app", out var v) ? [v] : [],
        });
        idx.AddOrUpdate(Pod("a", "ns1", "web"));
        idx.AddOrUpdate(Pod("b", "ns1", "db"));
        idx.AddOrUpdate(Pod("c", "ns2", "web"));
        Assert.Equal(["ns1/a", "ns1/b"], idx.IndexKeys(Indexer<V1Pod>.NamespaceIndex, "ns1").Order());
        Assert.Equal(["ns1/a", "ns2/c"], idx.IndexKeys("app", "web").Order());

        idx.AddOrUpdate(Pod("a", "ns1", "db"));
        Assert.Equal(["ns2/c"], idx.IndexKeys("app", "web"));
        Assert.Equal(["ns1/a", "ns1/b"], idx.IndexKeys("app", "db").Order());

        idx.Delete("ns1/b");
        Assert.Equal(["ns1/a"], idx.IndexKeys("app", "db"));
        Assert.Equal(2, idx.Count);
        Assert.Throws<KeyNotFoundException>(() => idx.ByIndex("nope", "x"));
    }

    [Fact]
    public void AddIndexers_ExistingObjects_IndexedAtOnce_DuplicateNameRejected()
    {
        var idx = new Indexer<V1Pod>();
        idx.AddOrUpdate(Pod("a", "ns1", "web"));
        idx.AddIndexers(new Dictionary<string, Func<V1Pod, IEnumerable<string>>> { ["name"] = p => [p.Metadata.Name] });
        Assert.Equal("a", Assert.Single(idx.ByIndex("name", "a")).Metadata.Name);
        Assert.Throws<ArgumentException>(() => idx.AddIndexers(new Dictionary<string, Func<V1Pod, IEnumerable<string>>> { ["name"] = p => [] }));
    }

    [Fact]
    public void Lister_GetAndListByNamespaceAndLabels()
    {
        var idx = new Indexer<V1Pod>();
        idx.AddOrUpdate(Pod("a", "ns1", "web"));
        idx.AddOrUpdate(Pod("b", "ns1", "db"));
        idx.AddOrUpdate(Pod("n", null));
        var lister = new Lister<V1Pod>(idx);
        Assert.Equal("a", lister.Get("ns1", "a")?.Metadata.Name);
        Assert.Equal("n", lister.Get(null, "n")?.Metadata.Name);
        Assert.Null(lister.Get("ns2", "a"));
        Assert.Equal(2, lister.List("ns1").Count);
        Assert.Equal("b", Assert.Single(lister.List("ns1", new Dictionary<string, string> { ["app"] = "db" })).Metadata.Name);
        Assert.Equal(3, lister.List().Count);
    }

    [Fact]
    public void Lister_ListWithSelectorGrammar_MatchesSetAndExistenceRequirements()
    {
        var idx = new Indexer<V1Pod>();
        idx.AddOrUpdate(Pod("a", "ns1", "web"));
        idx.AddOrUpdate(Pod("b", "ns1", "db"));
        idx.AddOrUpdate(Pod("c", "ns1", "cache"));
        idx.AddOrUpdate(Pod("n", "ns1"));
        var lister = new Lister<V1Pod>(idx);
        Assert.Equal(["a", "b"], lister.List("ns1", Skiff.Api.Selectors.LabelSelector.Parse("app in (web,db)")).Select(p => p.Metadata.Name).Order());
        Assert.Equal(["n"], lister.List("ns1", Skiff.Api.Selectors.LabelSelector.Parse("!app")).Select(p => p.Metadata.Name));
        Assert.Equal(3, lister.List("ns1", Skiff.Api.Selectors.LabelSelector.Parse("app")).Count);
    }
}
