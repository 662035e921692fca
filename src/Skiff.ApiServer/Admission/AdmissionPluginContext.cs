using Skiff.ApiServer.Admission.Webhooks;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Webhooks;

namespace Skiff.ApiServer.Admission;

/// <summary>What a plugin is built with (upstream's plugin initializers): the reader over the store, and the clock.</summary>
/// <param name="Reader">Reads (and, for ResourceQuota, writes) the objects plugins consult.</param>
/// <param name="Clock">The clock (PodSecurity's audit annotations, quota status times).</param>
/// <param name="Registry">The served resources (the webhook plugins' equivalent versions and subresource kinds), when known.</param>
public sealed record AdmissionPluginContext(AdmissionReader Reader, TimeProvider Clock, ResourceRegistry? Registry = null)
{
    private WebhookDispatcher? _webhooks;

    /// <summary>The webhook dispatcher both webhook plugins share (one pooled webhook client).</summary>
    public WebhookDispatcher Webhooks() =>
        _webhooks ??= new WebhookDispatcher(new WebhookClient(new WebhookServiceResolver(Reader.Storage)), Reader, Registry);
}
