using Skiff.ApiServer.Store;
using Skiff.Storage;

namespace Skiff.ApiServer.Admission.Webhooks;

/// <summary>
/// The admission webhooks of one kind (mutating or validating), read through the watch cache, which follows the
/// store: every request lists the configurations at <c>resourceVersion="0"</c> (served from memory) and reuses the
/// parsed webhooks while no configuration changed (same keys and revisions). Configurations are sorted by name and
/// webhooks keep their order, as upstream's configuration manager.
/// </summary>
public sealed class WebhookConfigurationCache(IStorage storage, bool mutating)
{
    private volatile Snapshot _snapshot = new("", []);

    /// <summary>The storage prefix of the configurations.</summary>
    public string Prefix { get; } = mutating
        ? "/registry/admissionregistration.k8s.io/mutatingwebhookconfigurations/"
        : "/registry/admissionregistration.k8s.io/validatingwebhookconfigurations/";

    /// <summary>The current webhooks, in call order.</summary>
    public async ValueTask<IReadOnlyList<AdmissionWebhook>> GetAsync(CancellationToken ct)
    {
        var list = await storage.ListAsync(Prefix, new ListOptions { NotOlderThan = 0 }, ct).ConfigureAwait(false);
        if (list.Items.Count == 0)
        {
            return [];
        }

        var signature = string.Join(",", list.Items.Select(kv => kv.Key + "@" + kv.ModRevision.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var current = _snapshot;
        if (current.Signature == signature)
        {
            return current.Webhooks;
        }

        var webhooks = list.Items
            .Select(GenericStore.Decode)
            .OrderBy(Registry.JsonPath.Name, StringComparer.Ordinal)
            .SelectMany(c => AdmissionWebhook.FromConfiguration(c, mutating))
            .ToList();
        _snapshot = new Snapshot(signature, webhooks);
        return webhooks;
    }

    private sealed record Snapshot(string Signature, IReadOnlyList<AdmissionWebhook> Webhooks);
}
