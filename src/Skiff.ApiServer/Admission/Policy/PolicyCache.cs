using Skiff.ApiServer.Registry;
using Skiff.Storage;

namespace Skiff.ApiServer.Admission.Policy;

/// <summary>
/// The ValidatingAdmissionPolicies and their bindings, kept like upstream's informer-backed policy source (a
/// <see cref="ConfigurationCache{TSnapshot}"/> over both kinds): the compiled hooks — each policy with the bindings
/// that name it, both sorted by name — are rebuilt only after something changed. A binding whose policy does not
/// exist binds nothing.
/// </summary>
public sealed class PolicyCache
{
    /// <summary>The storage prefix of the policies.</summary>
    public const string PolicyPrefix = "/registry/admissionregistration.k8s.io/validatingadmissionpolicies/";

    /// <summary>The storage prefix of the bindings.</summary>
    public const string BindingPrefix = "/registry/admissionregistration.k8s.io/validatingadmissionpolicybindings/";

    private readonly ConfigurationCache<IReadOnlyList<PolicyHook>> _cache;

    /// <summary>A cache of the policies and bindings in <paramref name="storage"/>.</summary>
    public PolicyCache(IStorage storage) => _cache = new(storage, [PolicyPrefix, BindingPrefix], Build);

    /// <summary>The current hooks, policies by name (waits for the first lists on first use).</summary>
    public ValueTask<IReadOnlyList<PolicyHook>> GetAsync(CancellationToken ct) => _cache.GetAsync(ct);

    private static IReadOnlyList<PolicyHook> Build(IReadOnlyList<IReadOnlyCollection<System.Text.Json.Nodes.JsonObject>> objects)
    {
        var bindings = objects[1].Select(b => new CompiledBinding(b)).OrderBy(b => b.Name, StringComparer.Ordinal).ToLookup(b => b.PolicyName, StringComparer.Ordinal);
        return objects[0]
            .OrderBy(JsonPath.Name, StringComparer.Ordinal)
            .Where(p => bindings[JsonPath.Name(p)].Any())
            .Select(p => new PolicyHook(new CompiledPolicy(p), bindings[JsonPath.Name(p)].ToList()))
            .ToList();
    }
}
