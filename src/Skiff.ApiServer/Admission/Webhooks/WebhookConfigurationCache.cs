using Skiff.Storage;

namespace Skiff.ApiServer.Admission.Webhooks;

/// <summary>
/// The admission webhooks of one kind (mutating or validating), kept like upstream's informer-backed configuration
/// manager (a <see cref="ConfigurationCache{TSnapshot}"/> over the configurations): the parsed webhooks are
/// rebuilt only after a configuration changed. Configurations are sorted by name and webhooks keep their order.
/// </summary>
public sealed class WebhookConfigurationCache
{
    private readonly ConfigurationCache<IReadOnlyList<AdmissionWebhook>> _cache;

    /// <summary>A cache of the configurations in <paramref name="storage"/>.</summary>
    public WebhookConfigurationCache(IStorage storage, bool mutating)
    {
        Prefix = mutating
            ? "/registry/admissionregistration.k8s.io/mutatingwebhookconfigurations/"
            : "/registry/admissionregistration.k8s.io/validatingwebhookconfigurations/";
        _cache = new(storage, [Prefix], objects => objects[0]
            .OrderBy(Registry.JsonPath.Name, StringComparer.Ordinal)
            .SelectMany(c => AdmissionWebhook.FromConfiguration(c, mutating))
            .ToList());
    }

    /// <summary>The storage prefix of the configurations.</summary>
    public string Prefix { get; }

    /// <summary>The current webhooks, in call order (waits for the first list on first use).</summary>
    public ValueTask<IReadOnlyList<AdmissionWebhook>> GetAsync(CancellationToken ct) => _cache.GetAsync(ct);
}
