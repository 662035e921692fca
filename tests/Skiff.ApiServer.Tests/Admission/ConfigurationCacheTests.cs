using Skiff.ApiServer.Admission;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission;

/// <summary>The helpers the configuration-driven plugins (webhooks, validating admission policies) share.</summary>
public sealed class ConfigurationCacheTests
{
    private static AdmissionAttributes Request(string group, string resource) => new()
    {
        Operation = AdmissionOperation.Create,
        Group = group,
        Version = "v1",
        Resource = resource,
        Kind = "Thing",
    };

    [Fact]
    public async Task ForRequestAsync_AdmissionConfigurationObject_GetsNothingWithoutLoadingTheSnapshot()
    {
        var loads = 0;
        ValueTask<IReadOnlyList<string>> Snapshot(CancellationToken ct)
        {
            loads++;
            return ValueTask.FromResult<IReadOnlyList<string>>(["hook"]);
        }

        Assert.Empty(await ConfigurationCache.ForRequestAsync(Snapshot, Request("admissionregistration.k8s.io", "validatingwebhookconfigurations"), default));
        Assert.Equal(0, loads);
        Assert.Equal(new[] { "hook" }, await ConfigurationCache.ForRequestAsync(Snapshot, Request("", "configmaps"), default));
        Assert.Equal(new[] { "hook" }, await ConfigurationCache.ForRequestAsync(Snapshot, Request("apps", "deployments"), default));
        Assert.Equal(2, loads);
    }

    [Fact]
    public void MayMatch_TrueUntilLoaded_ThenWhetherAnythingIsConfigured()
    {
        var loading = new TaskCompletionSource<IReadOnlyList<string>>();

        Assert.True(ConfigurationCache.MayMatch(new ValueTask<IReadOnlyList<string>>(loading.Task)));
        Assert.False(ConfigurationCache.MayMatch(ValueTask.FromResult<IReadOnlyList<string>>([])));
        Assert.True(ConfigurationCache.MayMatch(ValueTask.FromResult<IReadOnlyList<string>>(["hook"])));
    }
}
