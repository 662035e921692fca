using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Authorization;
using Skiff.Storage;

namespace Skiff.ApiServer.Admission.Policy;

/// <summary>
/// The ValidatingAdmissionPolicies and their bindings, kept like upstream's informer-backed policy source: two
/// <see cref="StorageFollower"/>s list and watch them (started on first use), and the compiled hooks (each policy
/// with the bindings that name it, both sorted by name) are rebuilt only after something changed. A binding whose
/// policy does not exist binds nothing.
/// </summary>
public sealed class PolicyCache
{
    /// <summary>The storage prefix of the policies.</summary>
    public const string PolicyPrefix = "/registry/admissionregistration.k8s.io/validatingadmissionpolicies/";

    /// <summary>The storage prefix of the bindings.</summary>
    public const string BindingPrefix = "/registry/admissionregistration.k8s.io/validatingadmissionpolicybindings/";

    private readonly ConcurrentDictionary<string, JsonObject> _policies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonObject> _bindings = new(StringComparer.Ordinal);
    private readonly Lazy<Task> _started;
    private long _version;
    private volatile Snapshot? _snapshot;

    /// <summary>A cache of the policies and bindings in <paramref name="storage"/>.</summary>
    public PolicyCache(IStorage storage)
    {
        var policies = Follow(storage, PolicyPrefix, _policies);
        var bindings = Follow(storage, BindingPrefix, _bindings);
        _started = new Lazy<Task>(() =>
        {
            _ = Task.Run(() => policies.RunAsync(CancellationToken.None));
            _ = Task.Run(() => bindings.RunAsync(CancellationToken.None));
            return Task.WhenAll(policies.Synced, bindings.Synced);
        });
    }

    /// <summary>The current hooks, policies by name (waits for the first lists on first use).</summary>
    public async ValueTask<IReadOnlyList<PolicyHook>> GetAsync(CancellationToken ct)
    {
        var started = _started.Value;
        if (!started.IsCompleted)
        {
            await started.WaitAsync(ct).ConfigureAwait(false);
        }

        var version = Interlocked.Read(ref _version);
        if (_snapshot is { } s && s.Version == version)
        {
            return s.Hooks;
        }

        var bindings = _bindings.Values.Select(b => new CompiledBinding(b)).OrderBy(b => b.Name, StringComparer.Ordinal).ToLookup(b => b.PolicyName, StringComparer.Ordinal);
        var hooks = _policies.Values
            .Select(p => new CompiledPolicy(p))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Where(p => bindings[p.Name].Any())
            .Select(p => new PolicyHook(p, bindings[p.Name].ToList()))
            .ToList();
        _snapshot = new Snapshot(version, hooks);
        return hooks;
    }

    private StorageFollower Follow(IStorage storage, string prefix, ConcurrentDictionary<string, JsonObject> objects)
    {
        var follower = new StorageFollower(storage, prefix);
        follower.Reset += all =>
        {
            objects.Clear();
            foreach (var (key, obj) in all)
            {
                objects[key] = obj;
            }

            Interlocked.Increment(ref _version);
        };
        follower.Changed += (key, obj) =>
        {
            if (obj is null)
            {
                objects.TryRemove(key, out _);
            }
            else
            {
                objects[key] = obj;
            }

            Interlocked.Increment(ref _version);
        };
        return follower;
    }

    private sealed record Snapshot(long Version, IReadOnlyList<PolicyHook> Hooks);
}
