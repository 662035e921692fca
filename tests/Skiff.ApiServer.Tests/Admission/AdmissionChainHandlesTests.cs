using System.Text;
using Skiff.ApiServer.Admission;
using Skiff.Storage.Memory;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission;

/// <summary>
/// The policy and webhook plugins step out of the chain while nothing is configured: a chain of only them handles no
/// delete (callers build no attributes) until a webhook configuration appears, then handles it again.
/// </summary>
public sealed class AdmissionChainHandlesTests
{
    private static Task WaitUntilAsync(Func<bool> condition, string what) =>
        Skiff.ApiServer.Tests.Webhooks.WebhookFixture.EventuallyAsync(() => Task.FromResult(condition()), what);

    [Fact]
    public async Task PolicyAndWebhookPlugins_HandleNothing_UntilAConfigurationExists()
    {
        await using var storage = new MemoryStorage();
        var only = new[] { "MutatingAdmissionWebhook", "ValidatingAdmissionPolicy", "ValidatingAdmissionWebhook" };
        var chain = AdmissionPluginCatalog.Build(only, AdmissionPluginCatalog.Ordered.Except(only),
            new AdmissionPluginContext(new AdmissionReader(storage), TimeProvider.System));
        Assert.Equal(only, chain.Names);

        await WaitUntilAsync(() => !chain.Handles(AdmissionOperation.Delete), "the empty caches to stop handling deletes");
        Assert.False(chain.Handles(AdmissionOperation.Connect));

        await storage.CreateAsync("/registry/admissionregistration.k8s.io/validatingwebhookconfigurations/deny", Encoding.UTF8.GetBytes(
            """{"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingWebhookConfiguration","metadata":{"name":"deny","uid":"u"},"webhooks":[{"name":"deny.example.com","clientConfig":{"url":"https://127.0.0.1:1/"},"rules":[{"operations":["DELETE"],"apiGroups":["*"],"apiVersions":["*"],"resources":["*"]}],"sideEffects":"None","admissionReviewVersions":["v1"]}]}"""),
            default);

        await WaitUntilAsync(() => chain.Handles(AdmissionOperation.Delete), "deletes to be handled once a webhook configuration exists");
    }
}
