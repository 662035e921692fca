using Skiff.ApiServer.Admission.Plugins;

namespace Skiff.ApiServer.Admission;

/// <summary>
/// Upstream's admission plugin registry (<c>pkg/kubeapiserver/options/plugins.go</c>): every plugin name in
/// execution order (<see cref="Ordered"/>), the ones on by default (<see cref="DefaultOn"/>), and
/// <see cref="Build"/>, which turns <c>--enable-admission-plugins</c> / <c>--disable-admission-plugins</c> into a
/// chain. Names Skiff knows but does not implement (MutatingAdmissionPolicy, ClusterTrustBundleAttest…)
/// are accepted and run nothing; NodeRestriction's slot is filled by a factory passed in <c>extra</c>.
/// </summary>
public static class AdmissionPluginCatalog
{
    /// <summary>Every plugin name in upstream's execution order (<c>AllOrderedPlugins</c>).</summary>
    public static IReadOnlyList<string> Ordered { get; } =
    [
        "AlwaysAdmit", "NamespaceAutoProvision", "NamespaceLifecycle", "NamespaceExists", "LimitPodHardAntiAffinityTopology",
        "LimitRanger", "ServiceAccount", "NodeRestriction", "TaintNodesByCondition", "AlwaysPullImages", "ImagePolicyWebhook",
        "PodSecurity", "PodNodeSelector", "Priority", "DefaultTolerationSeconds", "PodTolerationRestriction", "EventRateLimit",
        "ExtendedResourceToleration", "DefaultStorageClass", "StorageObjectInUseProtection", "OwnerReferencesPermissionEnforcement",
        "PersistentVolumeClaimResize", "RuntimeClass", "CertificateApproval", "CertificateSigning", "ClusterTrustBundleAttest",
        "CertificateSubjectRestriction", "DefaultIngressClass", "DenyServiceExternalIPs", "PodTopologyLabels",
        "MutatingAdmissionPolicy", "MutatingAdmissionWebhook", "ValidatingAdmissionPolicy", "ValidatingAdmissionWebhook",
        "ResourceQuota", "AlwaysDeny",
    ];

    /// <summary>The plugins on by default (upstream's <c>DefaultOffAdmissionPlugins</c> complement).</summary>
    public static IReadOnlySet<string> DefaultOn { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "NamespaceLifecycle", "LimitRanger", "ServiceAccount", "DefaultStorageClass", "PersistentVolumeClaimResize",
        "DefaultTolerationSeconds", "MutatingAdmissionWebhook", "ValidatingAdmissionWebhook", "ResourceQuota",
        "StorageObjectInUseProtection", "Priority", "TaintNodesByCondition", "RuntimeClass", "CertificateApproval",
        "CertificateSigning", "ClusterTrustBundleAttest", "CertificateSubjectRestriction", "DefaultIngressClass", "PodSecurity",
        "PodTopologyLabels", "MutatingAdmissionPolicy", "ValidatingAdmissionPolicy",
    };

    /// <summary>The plugins Skiff implements, by name.</summary>
    private static readonly Dictionary<string, Func<AdmissionPluginContext, IAdmissionPlugin>> Implemented = new(StringComparer.Ordinal)
    {
        ["AlwaysAdmit"] = _ => new AlwaysAdmit(),
        ["NamespaceLifecycle"] = c => new NamespaceLifecycle(c.Reader),
        ["LimitRanger"] = c => new LimitRanger(c.Reader),
        ["ServiceAccount"] = c => new ServiceAccountAdmission(c.Reader, c.Clock),
        ["PodSecurity"] = c => new PodSecurity(c.Reader),
        ["Priority"] = c => new Priority(c.Reader),
        ["DefaultTolerationSeconds"] = _ => new DefaultTolerationSecondsAdmission(),
        ["DefaultStorageClass"] = c => new DefaultStorageClass(c.Reader),
        ["ResourceQuota"] = c => new ResourceQuotaAdmission(c.Reader, c.Clock),
        ["AlwaysDeny"] = _ => new AlwaysDeny(),
        ["CertificateApproval"] = _ => new CertificateApproval(),
        ["CertificateSigning"] = _ => new CertificateSigning(),
        ["CertificateSubjectRestriction"] = _ => new CertificateSubjectRestriction(),
        ["MutatingAdmissionWebhook"] = c => new MutatingAdmissionWebhook(new Webhooks.WebhookConfigurationCache(c.Reader.Storage, true), c.Webhooks()),
        ["ValidatingAdmissionPolicy"] = c => new ValidatingAdmissionPolicyPlugin(new Policy.PolicyCache(c.Reader.Storage), c.Reader, c.Registry),
        ["ValidatingAdmissionWebhook"] = c => new ValidatingAdmissionWebhook(new Webhooks.WebhookConfigurationCache(c.Reader.Storage, false), c.Webhooks()),
    };

    /// <summary>
    /// The names enabled by the flags, in execution order: the defaults plus <paramref name="enable"/> minus
    /// <paramref name="disable"/>. An unknown name, or one in both lists, is an <see cref="ArgumentException"/> with
    /// upstream's text.
    /// </summary>
    public static IReadOnlyList<string> Resolve(IEnumerable<string> enable, IEnumerable<string> disable)
    {
        var on = enable.Where(n => n.Length > 0).ToList();
        var off = disable.Where(n => n.Length > 0).ToList();
        foreach (var name in on)
        {
            if (!Ordered.Contains(name))
            {
                throw new ArgumentException($"enable-admission-plugins plugin \"{name}\" is unknown");
            }

            if (off.Contains(name))
            {
                throw new ArgumentException($"{name} in enable-admission-plugins and disable-admission-plugins overlapped");
            }
        }

        foreach (var name in off.Where(n => !Ordered.Contains(n)))
        {
            throw new ArgumentException($"disable-admission-plugins plugin \"{name}\" is unknown");
        }

        return Ordered.Where(n => (DefaultOn.Contains(n) || on.Contains(n)) && !off.Contains(n)).ToList();
    }

    /// <summary>
    /// Builds the chain of the enabled plugins (see <see cref="Resolve"/>); <paramref name="extra"/> supplies plugins
    /// implemented elsewhere (NodeRestriction) and wins over the built-in ones.
    /// </summary>
    public static AdmissionChain Build(IEnumerable<string> enable, IEnumerable<string> disable, AdmissionPluginContext context,
        IReadOnlyDictionary<string, Func<AdmissionPluginContext, IAdmissionPlugin>>? extra = null)
    {
        var plugins = new List<IAdmissionPlugin>();
        foreach (var name in Resolve(enable, disable))
        {
            if (extra is not null && extra.TryGetValue(name, out var make))
            {
                plugins.Add(make(context));
            }
            else if (Implemented.TryGetValue(name, out var builtIn))
            {
                plugins.Add(builtIn(context));
            }
        }

        return new AdmissionChain(plugins);
    }
}
