using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry.Core;
using Xunit;
using static Skiff.ApiServer.Tests.Registry.StrategyHarness;

namespace Skiff.ApiServer.Tests.Registry.Core;

public class DefaultTolerationSecondsTests
{
    private static List<(string? Key, string? Effect, long? Seconds)> Tolerations(JsonNode spec) =>
        [.. (spec["tolerations"]?.AsArray() ?? []).Select(t => ((string?)t!["key"], (string?)t["effect"], (long?)t["tolerationSeconds"]))];

    [Fact]
    public void PodWithoutTolerations_GetsNotReadyAndUnreachableForFiveMinutes()
    {
        var spec = JsonNode.Parse("""{"containers":[{"name":"c","image":"busybox"}]}""")!.AsObject();
        DefaultTolerationSeconds.Apply(spec);
        Assert.Equal([("node.kubernetes.io/not-ready", "NoExecute", 300L), ("node.kubernetes.io/unreachable", "NoExecute", 300L)], Tolerations(spec));
        Assert.All(spec["tolerations"]!.AsArray(), t => Assert.Equal("Exists", (string?)t!["operator"]));
    }

    [Theory]
    [InlineData("""[{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":5}]""", 2)]
    [InlineData("""[{"operator":"Exists"}]""", 1)]
    [InlineData("""[{"key":"node.kubernetes.io/not-ready","operator":"Exists"}]""", 2)]
    [InlineData("""[{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoSchedule"}]""", 3)]
    public void ExistingTolerations_AreKept_OnlyMissingOnesAdded(string tolerations, int count)
    {
        var spec = JsonNode.Parse($$"""{"containers":[],"tolerations":{{tolerations}}}""")!.AsObject();
        DefaultTolerationSeconds.Apply(spec);
        Assert.Equal(count, spec["tolerations"]!.AsArray().Count);
    }
}
