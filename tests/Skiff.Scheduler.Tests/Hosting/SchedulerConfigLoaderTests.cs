using Skiff.Scheduler.Hosting;
using Skiff.Scheduler.Plugins.NodeResourcesFit;
using Xunit;

namespace Skiff.Scheduler.Tests.Hosting;

public sealed class SchedulerConfigLoaderTests
{
    [Fact]
    public void Load_ProfilesPluginsWeightsAndScoringStrategy()
    {
        var options = SchedulerConfigLoader.Load("""
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            percentageOfNodesToScore: 30
            parallelism: 4
            leaderElection:
              leaderElect: false
            profiles:
            - schedulerName: default-scheduler
            - schedulerName: packer
              plugins:
                score:
                  enabled:
                  - name: NodeResourcesFit
                    weight: 5
                  disabled:
                  - name: ImageLocality
              pluginConfig:
              - name: NodeResourcesFit
                args:
                  scoringStrategy:
                    type: RequestedToCapacityRatio
                    requestedToCapacityRatio:
                      shape:
                      - {utilization: 0, score: 0}
                      - {utilization: 100, score: 10}
            """);
        Assert.Equal((30, 4, false), (options.PercentageOfNodesToScore, options.Parallelism, options.LeaderElect));
        Assert.Equal(["default-scheduler", "packer"], options.Profiles.Select(p => p.SchedulerName));
        var packer = options.Profiles[1];
        Assert.Equal(ScoringStrategy.RequestedToCapacityRatio, packer.ScoringStrategy);
        Assert.Equal([(0L, 0L), (100L, 10L)], packer.Shape!);
        Assert.Equal(5, packer.Weights["NodeResourcesFit"]);
        Assert.Contains("ImageLocality", packer.Disabled);
        var profile = PluginRegistry.Build(packer, null!);
        Assert.DoesNotContain(profile.Score, s => s.Plugin.Name == "ImageLocality");
        Assert.Contains(profile.Score, s => s.Plugin.Name == "NodeResourcesFit" && s.Weight == 5);
        Assert.Contains(profile.Score, s => s.Plugin.Name == "TaintToleration" && s.Weight == 3);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: Pod\n", "KubeSchedulerConfiguration")]
    [InlineData("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\npercentageOfNodesToScore: 101\n", "not in valid range")]
    [InlineData("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- plugins:\n    filter:\n      enabled:\n      - name: Nope\n", "plugin \"Nope\" does not exist")]
    [InlineData("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nparallelism: 0\n", "parallelism: Invalid value: 0: should be an integer value greater than zero")]
    [InlineData("a: [", "invalid YAML")]
    public void Load_Invalid_FormatExceptionNamingTheProblem(string yaml, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => SchedulerConfigLoader.Load(yaml)).Message);
}
