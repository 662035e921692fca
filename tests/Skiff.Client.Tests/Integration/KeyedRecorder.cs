using k8s;
using k8s.Models;
using Skiff.Client.Cache;

namespace Skiff.Client.Tests.Integration;

/// <summary>
/// A thread-safe handler that records, per object key, "add RV", "update RV" (or "sync RV" when old and new are the
/// same instance), "delete RV" and "delete? RV" (final state unknown), and lets a test wait for a condition with a
/// deadline (re-checked after every notification, never by sleeping).
/// </summary>
public sealed class KeyedRecorder<T> : IResourceEventHandler<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly object _lock = new();
    private readonly Dictionary<string, List<string>> _byKey = new(StringComparer.Ordinal);
    private readonly List<(Func<IReadOnlyDictionary<string, List<string>>, bool> Cond, TaskCompletionSource Tcs)> _waits = [];

    public IReadOnlyList<string> History(string key)
    {
        lock (_lock)
        {
            return _byKey.TryGetValue(key, out var l) ? [.. l] : [];
        }
    }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Snapshot()
    {
        lock (_lock)
        {
            return _byKey.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)[.. kv.Value], StringComparer.Ordinal);
        }
    }

    public void OnAdd(T obj, bool isInInitialList) => Record(obj, "add");

    public void OnUpdate(T oldObj, T newObj) => Record(newObj, ReferenceEquals(oldObj, newObj) ? "sync" : "update");

    public void OnDelete(T obj, bool isFinalStateUnknown) => Record(obj, isFinalStateUnknown ? "delete?" : "delete");

    /// <summary>Waits until <paramref name="cond"/> holds over the per-key histories, or fails after <paramref name="deadline"/>.</summary>
    public Task WaitAsync(Func<IReadOnlyDictionary<string, List<string>>, bool> cond, TimeSpan? deadline = null)
    {
        lock (_lock)
        {
            if (cond(_byKey))
            {
                return Task.CompletedTask;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((cond, tcs));
            return tcs.Task.WaitAsync(deadline ?? TimeSpan.FromSeconds(30));
        }
    }

    private void Record(T obj, string what)
    {
        var key = ObjectKeys.KeyOf(obj);
        lock (_lock)
        {
            if (!_byKey.TryGetValue(key, out var l))
            {
                l = [];
                _byKey[key] = l;
            }

            l.Add($"{what} {obj.Metadata.ResourceVersion}");
            foreach (var w in _waits.Where(w => w.Cond(_byKey)).ToList())
            {
                _waits.Remove(w);
                w.Tcs.TrySetResult();
            }
        }
    }
}
