using k8s.Models;
using Skiff.ApiServer.Security;
using Skiff.Client.Rest;
using Skiff.Kubelet.Hollow;
using Skiff.Kubelet.Tests.Testing;
using Xunit;

namespace Skiff.Kubelet.Tests.Hollow;

public sealed class HollowNodeTokensTests
{
    [Fact]
    public void Generate_OneDistinctTokenPerNode()
    {
        var tokens = HollowNodeTokens.Generate(HollowNodeTokens.NodeNames(new HollowNodeOptions { Count = 3, NamePrefix = "n-", FirstIndex = 5 }));
        Assert.Equal(["n-5", "n-6", "n-7"], tokens.Keys);
        Assert.Equal(3, tokens.Values.Distinct().Count());
        Assert.All(tokens.Values, t => Assert.Equal(32, t.Length));
    }

    [Fact]
    public void Csv_IsAnUpstreamTokenFile_AndParsesBack()
    {
        var tokens = new Dictionary<string, string> { ["n-0"] = "aaa", ["n-1"] = "bbb" };
        var path = Path.Combine(Path.GetTempPath(), $"hollow-tokens-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "# kubemark known_tokens.csv\nadmintoken,admin,admin,\"system:masters\"\n" + HollowNodeTokens.ToCsv(tokens));
        try
        {
            var file = TokenFile.Load(path);
            var user = file.Find("bbb");
            Assert.NotNull(user);
            Assert.Equal("system:node:n-1", user.Name);
            Assert.Equal(["system:nodes"], user.Groups);
            Assert.Equal(tokens, HollowNodeTokens.ParseCsv(File.ReadLines(path)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WithTokens_EveryNodeInTheFile_EachWritesWithItsLine()
    {
        var lines = ("admintoken,admin,admin,\"system:masters\"\n" + HollowNodeTokens.ToCsv(new Dictionary<string, string> { ["n-3"] = "t3", ["n-4"] = "t4", ["other-0"] = "x" })).Split('\n');

        var options = HollowNodeTokens.WithTokens(new HollowNodeOptions { Count = 2, NamePrefix = "n-", FirstIndex = 3 }, lines);

        Assert.NotNull(options.NodeToken);
        Assert.Equal("t3", options.NodeToken("n-3"));
        Assert.Equal("t4", options.NodeToken("n-4"));
        Assert.Null(options.NodeToken("n-5"));
    }

    [Fact]
    public void WithTokens_ANodeWithoutALine_IsRefused()
    {
        var lines = HollowNodeTokens.ToCsv(new Dictionary<string, string> { ["hollow-0"] = "t0" }).Split('\n');

        var e = Assert.Throws<InvalidDataException>(() => HollowNodeTokens.WithTokens(new HollowNodeOptions { Count = 3 }, lines));
        Assert.Contains("2 of the 3 nodes (first: hollow-1)", e.Message, StringComparison.Ordinal);
    }

    private static Func<Skiff.ApiServer.Hosting.ApiServerOptions, Skiff.ApiServer.Hosting.ApiServerOptions> ServerWith(IReadOnlyDictionary<string, string> tokens) =>
        o => o with
        {
            Tokens = TokenFile.From(tokens.Select(t => KeyValuePair.Create(t.Value,
                new UserInfo(HollowNodeTokens.NodeUserPrefix + t.Key, null, [HollowNodeTokens.NodesGroup])))),
        };

    [Fact]
    public async Task EachNodeWritesAsItself_NodeRestrictionLetsItsOwnPodRun()
    {
        var tokens = HollowNodeTokens.Generate(["hollow-0", "hollow-1"]);
        await using var h = await HollowHarness.StartAsync(new HollowNodeOptions { Count = 2, NodeToken = tokens.GetValueOrDefault }, ServerWith(tokens));
        var lease = await h.Clientset.CoordinationV1().Leases(HollowNodeSet.LeaseNamespace).GetAsync("hollow-1");
        Assert.Equal("hollow-1", lease.Spec.HolderIdentity);

        var ns = await h.NamespaceAsync();
        await h.CreatePodAsync(ns, "web", "hollow-1");
        var pod = await h.UntilPodAsync(ns, "web", p => p.Status?.Phase == "Running");
        Assert.StartsWith("10.64.1.", pod.Status.PodIP, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANodeWithAnotherNodesToken_IsRefusedByNodeRestriction()
    {
        // hollow-1 is handed hollow-0's token: the server sees system:node:hollow-0 creating Node hollow-1 and refuses.
        var tokens = HollowNodeTokens.Generate(["hollow-0"]);
        var set = HollowHarness.StartAsync(new HollowNodeOptions { Count = 2, NodeToken = _ => tokens["hollow-0"] }, ServerWith(tokens));
        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => set);
        Assert.Equal(403, (int)e.Code);
        Assert.Contains("node \"hollow-0\" is not allowed to modify node \"hollow-1\"", e.Message, StringComparison.Ordinal);
    }
}
